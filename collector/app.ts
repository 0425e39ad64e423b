import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Pool } from 'pg';
import { pendingMigrations } from '../migrations/index.js';
import type { Logger } from './logger.js';

export interface BuildCollectorOptions {
  /** Pool used for readiness checks. */
  pool: Pool;
  logger: Logger;
  /** Maximum request body size in bytes (after decompression, for the OTLP receiver). */
  bodyLimit?: number;
}

/**
 * Builds the collector's HTTP app without listening (fastify's testing pattern): tests drive it
 * with inject() or a loopback port; main.ts listens and owns signals.
 */
export function buildCollector(options: BuildCollectorOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit: options.bodyLimit ?? 20 * 1024 * 1024,
    // Per-request logs would be one line per OTLP export; /metrics counts requests instead.
    logController: new LogController({ disableRequestLogging: true }),
  });

  // Liveness: the process is up and serving. Never touches the database.
  app.get('/healthz', async () => ({ status: 'ok' }));

  // Readiness: Postgres reachable and the schema current.
  app.get('/readyz', async (_req, reply) => {
    try {
      const pending = await pendingMigrations(options.pool);
      if (pending.length > 0) {
        return reply
          .code(503)
          .send({ status: 'unavailable', reason: `pending migrations: ${pending.join(', ')}` });
      }
      return { status: 'ok' };
    } catch (err) {
      return reply
        .code(503)
        .send({ status: 'unavailable', reason: `postgres unreachable: ${(err as Error).message}` });
    }
  });

  return app;
}
