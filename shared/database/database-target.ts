import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from '../config/index.js';
import type { Logger } from '../logger.js';
import {
  DATABASE_URL_FORM,
  type DatabaseSource,
  type EmbeddedPostgresHandle,
  invalidDatabaseUrl,
  maskDatabaseUrl,
  startEmbeddedPostgres,
} from './index.js';
import { findRunningEmbedded } from './running-embedded.js';

/** What openDatabaseTarget reads of the config (exporters.postgres). */
export interface DatabaseTargetConfig {
  /** Empty: DATABASE_URL, else the embedded Postgres. */
  url: string;
  embedded: { data_dir: string; port: number };
}

/** How a command (rather than the collector) uses the embedded database. */
export interface DatabaseTargetOptions {
  /**
   * Connect to the embedded server a running collector (npm start) owns on the same data
   * directory, through the connection details it keeps there, instead of starting a second one.
   */
  reuseRunning?: boolean;
  /** False: refuse to create a new cluster (a query has nothing to read in one). Default true. */
  createIfMissing?: boolean;
  /** What messages call env.DATABASE_URL, e.g. "--database-url" when a flag set it. */
  urlOrigin?: string | undefined;
}

/** No embedded database in the data directory and the command would not create one. */
export class NoEmbeddedDatabaseError extends ConfigError {
  override name = 'NoEmbeddedDatabaseError';
}

/** The database the collector writes to, and how to let go of it. */
export interface DatabaseTarget extends DatabaseSource {
  /** The embedded server when one was started, else undefined. */
  embedded: EmbeddedPostgresHandle | undefined;
  release(): Promise<void>;
}

/**
 * exporters.postgres.url, else DATABASE_URL, else an embedded Postgres in
 * exporters.postgres.embedded.data_dir (started here, stopped by release()). A URL that is not a
 * PostgreSQL URL is a configuration error; whether the server answers is checked by the caller.
 */
export async function openDatabaseTarget(
  pgConfig: Readonly<DatabaseTargetConfig>,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  options: DatabaseTargetOptions = {},
): Promise<DatabaseTarget> {
  // otel-config.yaml reads url from ${env:DATABASE_URL}: name the variable the user set.
  const fromEnv = !pgConfig.url || pgConfig.url === env.DATABASE_URL;
  const origin = fromEnv ? (options.urlOrigin ?? 'DATABASE_URL') : 'exporters.postgres.url';
  const configured = pgConfig.url || env.DATABASE_URL || '';
  if (configured) {
    const problem = invalidDatabaseUrl(configured);
    if (problem) {
      throw new ConfigError(
        `${origin} ${problem}; expected a PostgreSQL connection URL such as ${DATABASE_URL_FORM}`,
      );
    }
    return {
      url: configured,
      maskedUrl: maskDatabaseUrl(configured),
      origin,
      embedded: undefined,
      release: async () => {},
    };
  }
  const dataDir = resolve(pgConfig.embedded.data_dir);
  if (options.reuseRunning) {
    const running = await findRunningEmbedded(dataDir);
    if (running) {
      return {
        url: running.url,
        maskedUrl: maskDatabaseUrl(running.url),
        origin: `the embedded Postgres of the running collector (${dataDir})`,
        embedded: undefined,
        release: async () => {},
      };
    }
  }
  if (options.createIfMissing === false) {
    const exists = await access(join(dataDir, 'PG_VERSION')).then(
      () => true,
      () => false,
    );
    if (!exists) {
      throw new NoEmbeddedDatabaseError(
        `no embedded database in ${dataDir} yet (nothing has landed): start the collector there first (npm start), or point at a database with --database-url or DATABASE_URL`,
      );
    }
  }
  const pgLog = logger.child({ component: 'embedded-postgres' });
  const embedded = await startEmbeddedPostgres({
    dataDir,
    port: pgConfig.embedded.port,
    onLog: (line) => pgLog.debug(line.trim()),
  });
  return {
    url: embedded.url,
    maskedUrl: maskDatabaseUrl(embedded.url),
    origin: 'the embedded Postgres',
    embedded,
    release: () => embedded.stop(),
  };
}
