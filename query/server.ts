import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { createPool, withHeldClient } from '../shared/database/index.js';
import type { Logger } from '../shared/index.js';
import { buildQueryApi, type QueryApiMount } from './app.js';
import { createQueryAuth } from './auth.js';
import type { QueryApiConfig } from './config.js';
import { createQueryService } from './query-service.js';

export interface StartQueryApiOptions {
  config: Readonly<QueryApiConfig>;
  databaseUrl: string;
  host: string;
  port: number;
  logger: Logger;
  connectTimeoutMs?: number;
  /** The clock quota periods use (tests). */
  now?: () => Date;
  /**
   * Skip the reader-role check at start (the database is not reachable yet); the caller runs
   * {@link QueryApiServer.verifyRoles} once it is.
   */
  deferRoleCheck?: boolean;
  /** Serve the /v1 API (default true); false when only a mounted part (the console) is on. */
  api?: boolean;
  /** Another part served on the same port (the console). */
  mount?: QueryApiMount;
}

/** A listening query API. */
export interface QueryApiServer {
  /** Base URL, e.g. http://127.0.0.1:4319 */
  url: string;
  app: FastifyInstance;
  pool: Pool;
  /** Checks the login may SET ROLE to the reader roles; throws QueryApiStartError if not. */
  verifyRoles(): Promise<void>;
  /** Stops listening (aborting exports in flight) and closes the API's pool. */
  close(): Promise<void>;
}

/** How long close() lets requests in flight finish before closing their connections. */
const CLOSE_GRACE_MS = 2_000;

/** The API could not start; the message says why and what to do. */
export class QueryApiStartError extends Error {
  override name = 'QueryApiStartError';
}

/**
 * Every request switches to spanledger_reader or spanledger_admin_reader with SET LOCAL ROLE,
 * which the login role may do only as a member (or superuser). Checked once at start, so a
 * missing GRANT stops the start with the fix instead of failing every request.
 */
async function checkReaderRoles(pool: Pool, logger: Logger): Promise<void> {
  await withHeldClient(pool, async (client) => {
    for (const role of ['spanledger_reader', 'spanledger_admin_reader']) {
      await client.query('BEGIN');
      try {
        await client.query(`SET LOCAL ROLE ${role}`);
      } catch (err) {
        await client.query('ROLLBACK');
        const { rows } = await client.query<{ u: string }>('SELECT session_user AS u');
        const user = rows[0]?.u ?? 'the login role';
        throw new QueryApiStartError(
          `extensions.query_api: the database login role "${user}" cannot SET ROLE ${role} (${(err as Error).message}); run: GRANT spanledger_reader, spanledger_admin_reader TO "${user}";`,
        );
      }
      await client.query('ROLLBACK');
    }
    // Membership with INHERIT lets the login itself read every tenant, outside any request.
    const { rows } = await client.query<{ inherits: boolean; u: string }>(
      "SELECT pg_has_role(current_user, 'spanledger_admin_reader', 'USAGE') AS inherits, current_user AS u",
    );
    const { inherits, u } = rows[0]!;
    const superuser = await client.query<{ s: string }>(
      "SELECT current_setting('is_superuser') AS s",
    );
    if (inherits && superuser.rows[0]?.s !== 'on') {
      logger.warn(
        `extensions.query_api: the login "${u}" inherits spanledger_admin_reader, so it can read every tenant's rows by itself; grant the reader roles WITH INHERIT FALSE (GRANT spanledger_reader, spanledger_admin_reader TO "${u}" WITH INHERIT FALSE) so they are used only per request`,
      );
    }
  });
}

/** Starts the query API on its own pool and port. */
export async function startQueryApi(options: StartQueryApiOptions): Promise<QueryApiServer> {
  const { config, logger } = options;
  const pool = createPool({
    url: options.databaseUrl,
    applicationName: 'spanledger-query-api',
    max: config.max_connections,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    onError: (error) => logger.warn({ error }, 'query API pool error'),
  });
  try {
    if (!options.deferRoleCheck) await checkReaderRoles(pool, logger);
    const service = createQueryService({
      pool,
      queryTimeoutMs: config.query_timeout,
      quotas: config.quotas,
      maxConcurrentExports: config.max_concurrent_exports,
      ...(options.now ? { now: options.now } : {}),
    });
    const app = buildQueryApi({
      service,
      authenticate: createQueryAuth(config.auth),
      logger,
      ...(options.api === undefined ? {} : { api: options.api }),
      ...(options.mount ? { mount: options.mount } : {}),
    });
    await app.listen({ host: options.host, port: options.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    return {
      url: `http://${host}:${port}`,
      app,
      pool,
      verifyRoles: () => checkReaderRoles(pool, logger),
      async close() {
        // Pages finish within the grace; connections that never send a request (or a client
        // that stalls) would otherwise hold close() open until the keep-alive timeout.
        const force = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS);
        try {
          await app.close();
        } finally {
          clearTimeout(force);
        }
        await pool.end();
      },
    };
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
}
