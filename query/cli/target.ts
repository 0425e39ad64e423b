import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { pendingMigrations } from '../../migrations/index.js';
import {
  connectOrExplain,
  createPool,
  DATABASE_URL_FORM,
  invalidDatabaseUrl,
  maskDatabaseUrl,
  openDatabaseTarget,
} from '../../shared/database/index.js';
import { queryApiSchema, startQueryApi } from '../index.js';
import { type ApiTarget, CliError } from './api-client.js';
import type { QueryCliConfig } from './cli-config.js';

/** How a query command reaches the data (flags; the environment fills the gaps). */
export interface ConnectionOptions {
  apiUrl?: string;
  token?: string;
  databaseUrl?: string;
  config?: string;
  tenant?: string;
}

/** An API to send requests to, and how to let go of it. */
export interface OpenTarget extends ApiTarget {
  /** True when the CLI runs the API itself on DATABASE_URL. */
  direct: boolean;
  close(): Promise<void>;
}

export interface TargetDependencies {
  env: NodeJS.ProcessEnv;
  configFrom(path: string | undefined): Promise<QueryCliConfig>;
}

/**
 * --api-url, else --database-url, else SPANLEDGER_API_URL, else DATABASE_URL, else the config's
 * exporters.postgres.url, else the embedded database of this directory (the running collector's
 * server when npm start runs, else started for the duration of the command). With a database
 * the CLI runs the query API in-process on a loopback port with a one-time token (admin, or
 * --tenant's), so both ways go through the same queries, checks and row-level security.
 */
export async function openTarget(
  options: ConnectionOptions,
  deps: TargetDependencies,
): Promise<OpenTarget> {
  const apiUrl = options.apiUrl ?? (options.databaseUrl ? undefined : deps.env.SPANLEDGER_API_URL);
  if (apiUrl) {
    const token = options.token ?? deps.env.SPANLEDGER_API_TOKEN;
    if (!token) {
      throw new CliError('the query API needs a token: pass --token or set SPANLEDGER_API_TOKEN');
    }
    return { baseUrl: apiUrl, token, direct: false, close: async () => {} };
  }
  const databaseUrl = options.databaseUrl ?? deps.env.DATABASE_URL;
  if (databaseUrl) {
    const problem = invalidDatabaseUrl(databaseUrl);
    if (problem) {
      const name = options.databaseUrl ? '--database-url' : 'DATABASE_URL';
      throw new CliError(
        `${name} ${problem}; expected a PostgreSQL connection URL such as ${DATABASE_URL_FORM}`,
      );
    }
    await connectOrExplain({
      url: databaseUrl,
      maskedUrl: maskDatabaseUrl(databaseUrl),
      origin: options.databaseUrl ? '--database-url' : 'DATABASE_URL',
    });
    return openDirect(databaseUrl, options, deps, async () => {});
  }
  const config = await deps.configFrom(options.config);
  const target = await openDatabaseTarget(config.exporters.postgres, deps.env, stderrLogger(), {
    reuseRunning: true,
    createIfMissing: false,
  });
  try {
    await connectOrExplain(target);
    return await openDirect(target.url, options, deps, () => target.release());
  } catch (err) {
    await target.release();
    throw err;
  }
}

// Logs go to stderr: stdout carries the export or the table.
const stderrLogger = () =>
  pino({ level: 'error', base: { service: 'spanledger' } }, pino.destination(2));

async function openDirect(
  databaseUrl: string,
  options: ConnectionOptions,
  deps: TargetDependencies,
  releaseDatabase: () => Promise<void>,
): Promise<OpenTarget> {
  const config = await deps.configFrom(options.config);
  await assertMigrated(databaseUrl);
  const token = randomBytes(24).toString('hex');
  const configured = config.extensions.query_api;
  const api = queryApiSchema.parse({
    enabled: true,
    auth: options.tenant
      ? { tokens: [{ token, tenant: options.tenant }] }
      : { admin_tokens: [token] },
    quotas: configured.quotas,
    max_connections: 2,
    max_concurrent_exports: 1,
    query_timeout: configured.query_timeout,
  });
  const logger = stderrLogger();
  const server = await startQueryApi({
    config: api,
    databaseUrl,
    host: '127.0.0.1',
    port: 0,
    logger,
    connectTimeoutMs: config.exporters.postgres.connect_timeout,
  });
  return {
    baseUrl: server.url,
    token,
    direct: true,
    close: () => server.close().finally(releaseDatabase),
  };
}

async function assertMigrated(databaseUrl: string) {
  const pool = createPool({ url: databaseUrl, applicationName: 'spanledger-cli', max: 1 });
  try {
    const pending = await pendingMigrations(pool).catch((err: Error) => {
      throw new CliError(`cannot query ${maskDatabaseUrl(databaseUrl)}: ${err.message}`);
    });
    if (pending.length > 0) {
      throw new CliError(
        `${maskDatabaseUrl(databaseUrl)} has pending migrations (${pending.join(', ')}); run: spanledger migrate`,
      );
    }
  } finally {
    await pool.end();
  }
}
