import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { loadPriceBookFile, PgSpanExporter } from '../exporters/index.js';
import { ensurePartitions, runMigrations } from '../migrations/index.js';
import { buildCollector } from './app.js';
import { bannerLines } from './banner.js';
import {
  ConfigError,
  loadConfigFile,
  resolveConfig,
  type SpanledgerConfig,
} from './config/index.js';
import { createPool, isPortFree } from './database/index.js';
import { type DatabaseTarget, openDatabaseTarget } from './database-target.js';
import { createForwardSet, type ForwardSet } from './forward/index.js';
import { resolveHashKey } from './hash-key.js';
import { createLogger, type Logger } from './logger.js';
import type { HealthProber } from './prober/index.js';
import { createProber } from './prober-runtime.js';
import { type QueryApiServer, startQueryApi } from './query/index.js';

/** The default config file, resolved against the working directory. */
export const DEFAULT_CONFIG_FILE = 'otel-config.yaml';
/** How long stop() lets forward targets deliver what is queued before dropping it. */
const FORWARD_SHUTDOWN_GRACE_MS = 5_000;

export interface StartCollectorOptions {
  /** Path to otel-config.yaml; when omitted, ./otel-config.yaml is used if present. */
  configPath?: string;
  /** An already-resolved config (tests); takes precedence over configPath. */
  config?: Readonly<SpanledgerConfig>;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Where the human-readable start banner goes (default: stdout). */
  print?: (line: string) => void;
}

/** A running collector. */
export interface CollectorHandle {
  /** Base URL of the OTLP/HTTP receiver, e.g. http://127.0.0.1:4318 */
  otlpUrl: string;
  /** Base URL of the query API (extensions.query_api), e.g. http://127.0.0.1:4319; else undefined. */
  queryUrl: string | undefined;
  database: { maskedUrl: string; embedded: boolean; serverVersion: string };
  app: FastifyInstance;
  pool: Pool;
  /** The Postgres exporter every received span goes through. */
  exporter: PgSpanExporter;
  /** The forward targets (service.pipelines.traces.exporters other than postgres). */
  forward: ForwardSet;
  /** Stops accepting requests, flushes work in flight, closes pools and stops embedded Postgres. */
  stop(): Promise<void>;
}

/** The configured port is taken; the message says which and how to choose another. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

async function loadConfig(options: StartCollectorOptions, env: NodeJS.ProcessEnv) {
  if (options.config) return options.config;
  if (options.configPath) return loadConfigFile(options.configPath, env);
  if (existsSync(DEFAULT_CONFIG_FILE)) return loadConfigFile(DEFAULT_CONFIG_FILE, env);
  return resolveConfig({}, 'defaults');
}

function splitEndpoint(endpoint: string): { host: string; port: number } {
  const idx = endpoint.lastIndexOf(':');
  const host = endpoint.slice(0, idx).replace(/^\[|\]$/g, '');
  return { host, port: Number(endpoint.slice(idx + 1)) };
}

async function assertPortFree(host: string, port: number, field: string) {
  if (port !== 0 && !(await isPortFree(port, host))) {
    throw new PortInUseError(
      `${host}:${port} is already in use (${field}); stop the other process or choose another port`,
    );
  }
}

/**
 * Starts the collector: config, database (embedded when no URL is configured), migrations,
 * partitions, then the HTTP listener. Any failure before listening releases what was started.
 */
export async function startCollector(
  options: StartCollectorOptions = {},
): Promise<CollectorHandle> {
  const env = options.env ?? process.env;
  const config = await loadConfig(options, env);
  const logger = options.logger ?? createLogger(config.service.telemetry.logs.level);
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const http = config.receivers.otlp.protocols.http;
  const { host, port } = splitEndpoint(http.endpoint);
  // Fail fast on an occupied port, before initialising a database.
  await assertPortFree(host, port, 'receivers.otlp.protocols.http.endpoint');
  const queryConfig = config.extensions.query_api;
  const queryEndpoint = queryConfig.enabled ? splitEndpoint(queryConfig.endpoint) : undefined;
  if (queryEndpoint) {
    await assertPortFree(queryEndpoint.host, queryEndpoint.port, 'extensions.query_api.endpoint');
  }

  const target: DatabaseTarget = await openDatabaseTarget(config, env, logger);
  let pool: Pool | undefined;
  let exporter: PgSpanExporter | undefined;
  let prober: HealthProber | undefined;
  let queryApi: QueryApiServer | undefined;
  try {
    await runMigrations({ database: target.url, logger: logger.child({ component: 'migrate' }) });
    pool = createPool({
      url: target.url,
      applicationName: 'spanledger-collector',
      max: config.exporters.postgres.max_connections,
      connectTimeoutMs: config.exporters.postgres.connect_timeout,
      onError: (err) => logger.warn({ err }, 'postgres pool error'),
    });
    await ensurePartitions(pool);
    const pgConfig = config.exporters.postgres;
    const exporterLog = logger.child({ component: 'pg-exporter' });
    exporter = new PgSpanExporter({
      databaseUrl: target.url,
      role: pgConfig.role || undefined,
      maxConnections: pgConfig.max_connections,
      applicationName: 'spanledger-collector-exporter',
      spool: { dir: pgConfig.spool.dir, maxBytes: pgConfig.spool.max_size },
      maxRowsPerWrite: Math.max(pgConfig.batch_size, 1),
      flushIntervalMs: pgConfig.flush_interval,
      transform: {
        captureContent: pgConfig.capture_content,
        hashKey: await resolveHashKey(
          pgConfig.hash_key || env.SPANLEDGER_HASH_KEY || '',
          join(dirname(resolve(pgConfig.spool.dir)), 'hash-key'),
        ),
        ...(pgConfig.price_book ? { priceBook: loadPriceBookFile(pgConfig.price_book) } : {}),
      },
      source: 'collector',
      logger: {
        debug: (m) => exporterLog.debug(m),
        info: (m) => exporterLog.info(m),
        warn: (m) => exporterLog.warn(m),
        error: (m) => exporterLog.error(m),
      },
    });
    // Before the OTLP listener: a query API that cannot start (port, roles) leaves nothing open.
    if (queryEndpoint) {
      queryApi = await startQueryApi({
        config: queryConfig,
        databaseUrl: target.url,
        ...queryEndpoint,
        logger,
        connectTimeoutMs: config.exporters.postgres.connect_timeout,
      }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE') {
          throw new PortInUseError(
            `${queryConfig.endpoint} is already in use (extensions.query_api.endpoint)`,
          );
        }
        throw err;
      });
    }
    const forward = createForwardSet(
      config.exporters.otlphttp,
      config.service.pipelines.traces.exporters,
      logger,
    );
    const app = buildCollector({
      pool,
      logger,
      exporter,
      bodyLimit: http.max_request_body_size,
      maxConcurrentRequests: http.max_concurrent_requests,
      authTokens: http.auth.tokens,
      forward,
      spoolMaxBytes: pgConfig.spool.max_size,
      prober: () => prober,
      quotas: queryConfig.quotas,
    });
    await app.listen({ host, port }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        throw new PortInUseError(
          `${host}:${port} is already in use (receivers.otlp.protocols.http.endpoint)`,
        );
      }
      throw err;
    });
    const address = app.server.address();
    const boundPort = typeof address === 'object' && address ? address.port : port;
    const otlpUrl = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
    prober = createProber(config, pool, logger);
    await prober?.start();
    const liveQueryApi = queryApi;
    for (const line of bannerLines(otlpUrl, config, target, forward, queryApi?.url)) print(line);
    const livePool = pool;
    const liveExporter = exporter;
    let stopping: Promise<void> | undefined;
    return {
      otlpUrl,
      queryUrl: liveQueryApi?.url,
      database: {
        maskedUrl: target.maskedUrl,
        embedded: Boolean(target.embedded),
        serverVersion: target.serverVersion,
      },
      app,
      pool: livePool,
      exporter: liveExporter,
      forward,
      stop() {
        stopping ??= (async () => {
          // Order matters: stop taking requests (finishing those in flight), flush the exporter
          // (commit or spool every accepted span) while forward queues drain, then let go of
          // the database.
          await prober?.stop();
          await liveQueryApi?.close();
          await app.close();
          await Promise.all([liveExporter.shutdown(), forward.shutdown(FORWARD_SHUTDOWN_GRACE_MS)]);
          await livePool.end();
          await target.release();
        })();
        return stopping;
      },
    };
  } catch (err) {
    await queryApi?.close().catch(() => {});
    await prober?.stop().catch(() => {});
    await exporter?.shutdown().catch(() => {});
    await pool?.end().catch(() => {});
    await target.release().catch(() => {});
    throw err;
  }
}

export { ConfigError };
