import { resolve } from 'node:path';
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

/** What openDatabaseTarget reads of the config (exporters.postgres). */
export interface DatabaseTargetConfig {
  /** Empty: DATABASE_URL, else the embedded Postgres. */
  url: string;
  embedded: { data_dir: string; port: number };
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
): Promise<DatabaseTarget> {
  const origin = pgConfig.url ? 'exporters.postgres.url' : 'DATABASE_URL';
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
  const pgLog = logger.child({ component: 'embedded-postgres' });
  const embedded = await startEmbeddedPostgres({
    dataDir: resolve(pgConfig.embedded.data_dir),
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
