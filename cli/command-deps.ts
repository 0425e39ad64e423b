import type { SpanledgerConfig } from '../collector/index.js';
import { type DatabaseTarget, openDatabaseTarget } from '../shared/database/index.js';
import type { Logger } from '../shared/index.js';

/** What every command gets from the entry point: config loading, output and the way out. */
export interface CommandDeps {
  configFrom: (path: string | undefined) => Promise<Readonly<SpanledgerConfig>>;
  print: (line: string) => void;
  exit: (code: number) => void;
  fail: (err: unknown) => never;
}

/**
 * The database a command works on: `--database-url`, else the config's URL, else
 * `DATABASE_URL`, else the embedded database of this directory (the running collector's
 * server, or one started for the command). Errors about the URL name the flag it came from.
 */
export function openCommandDatabase(
  config: Readonly<SpanledgerConfig>,
  databaseUrlFlag: string | undefined,
  logger: Logger,
  options: { createIfMissing?: boolean } = {},
): Promise<DatabaseTarget> {
  const env = databaseUrlFlag ? { ...process.env, DATABASE_URL: databaseUrlFlag } : process.env;
  return openDatabaseTarget(config.exporters.postgres, env, logger, {
    reuseRunning: true,
    ...(options.createIfMissing === false ? { createIfMissing: false } : {}),
    urlOrigin: databaseUrlFlag ? '--database-url' : undefined,
  });
}
