import type { Command } from 'commander';
import { parseBefore, runRetention } from '../retention/index.js';
import { connectOrExplain, createPool } from '../shared/database/index.js';
import { createLogger } from '../shared/index.js';
import { type CommandDeps, openCommandDatabase } from './command-deps.js';

interface RetentionFlags {
  config?: string;
  databaseUrl?: string;
  before: string;
  archiveDir: string;
  yes?: boolean;
}

// Postgres's words when the login does not own the partitions.
const NOT_OWNER = /must be owner of|permission denied/i;

/** `spanledger retention`: archive and drop whole past months (dry run without --yes). */
export function retentionCommand(program: Command, deps: Omit<CommandDeps, 'exit'>): void {
  program
    .command('retention')
    .description(
      'archive whole monthly partitions that end on or before --before into --archive-dir (gzip JSONL + manifest.json), then drop them; run as the schema owner',
    )
    .requiredOption(
      '--before <YYYY-MM-DD>',
      'cut every whole month that ends on or before this date',
    )
    .requiredOption('--archive-dir <dir>', 'where the archive files and manifest.json are written')
    .option('-c, --config <file>', 'collector config')
    .option('--database-url <url>', "the schema owner's login (default: config, then DATABASE_URL)")
    .option('--yes', 'do it (without: print what would be cut and change nothing)')
    .action(async (flags: RetentionFlags) => {
      try {
        const before = parseBefore(flags.before);
        if (!before) {
          throw new Error(
            `--before must be a date such as 2025-01-01 (got ${JSON.stringify(flags.before)})`,
          );
        }
        const config = await deps.configFrom(flags.config);
        const target = await openCommandDatabase(config, flags.databaseUrl, createLogger('error'), {
          createIfMissing: false,
        });
        const pool = createPool({
          url: target.url,
          applicationName: 'spanledger-retention',
          max: 1,
        });
        try {
          await connectOrExplain(target);
          await runRetention(pool, {
            before,
            archiveDir: flags.archiveDir,
            apply: Boolean(flags.yes),
            print: deps.print,
          });
        } catch (err) {
          if (NOT_OWNER.test((err as Error).message)) {
            throw new Error(
              `${(err as Error).message}: retention runs as the schema owner; pass --database-url with the owner's login`,
            );
          }
          throw err;
        } finally {
          await pool.end();
          await target.release();
        }
      } catch (err) {
        deps.fail(err);
      }
    });
}
