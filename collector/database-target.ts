import { resolve } from 'node:path';
import type { SpanledgerConfig } from './config/index.js';
import {
  checkConnection,
  type EmbeddedPostgresHandle,
  maskDatabaseUrl,
  startEmbeddedPostgres,
} from './database/index.js';
import type { Logger } from './logger.js';

/** The database the collector writes to, and how to let go of it. */
export interface DatabaseTarget {
  url: string;
  /** The URL with its password masked, for logs and banners. */
  maskedUrl: string;
  /** The embedded server when one was started, else undefined. */
  embedded: EmbeddedPostgresHandle | undefined;
  serverVersion: string;
  release(): Promise<void>;
}

/**
 * exporters.postgres.url, else DATABASE_URL, else an embedded Postgres in
 * exporters.postgres.embedded.data_dir (started here, stopped by release()).
 */
export async function openDatabaseTarget(
  config: Readonly<SpanledgerConfig>,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<DatabaseTarget> {
  const pgConfig = config.exporters.postgres;
  const configured = pgConfig.url || env.DATABASE_URL || '';
  let embedded: EmbeddedPostgresHandle | undefined;
  let url = configured;
  if (!configured) {
    const pgLog = logger.child({ component: 'embedded-postgres' });
    embedded = await startEmbeddedPostgres({
      dataDir: resolve(pgConfig.embedded.data_dir),
      port: pgConfig.embedded.port,
      onLog: (line) => pgLog.debug(line.trim()),
    });
    url = embedded.url;
  }
  const maskedUrl = maskDatabaseUrl(url);
  try {
    const { serverVersion } = await checkConnection(url, maskedUrl, pgConfig.connect_timeout);
    return {
      url,
      maskedUrl,
      embedded,
      serverVersion,
      release: async () => {
        await embedded?.stop();
      },
    };
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
}
