import type { Command } from 'commander';
import { PartitionMaintainer } from '../maintenance/index.js';
import { ensureSchema } from '../migrations/index.js';
import { connectOrExplain, createPool } from '../shared/database/index.js';
import { createLogger } from '../shared/index.js';
import { type CommandDeps, openCommandDatabase } from './command-deps.js';

/** Exit code when the tick ran but left a warning (partitions short, default rows). */
export const MAINTAIN_WARNING_EXIT = 2;

/** `spanledger maintain`: one partition maintenance tick by hand, its result printed. */
export function maintainCommand(program: Command, deps: CommandDeps): void {
  program
    .command('maintain')
    .description(
      'create the monthly partitions extensions.maintenance.months_ahead ahead, once, and report them',
    )
    .option('-c, --config <file>', 'collector config')
    .option('--database-url <url>', 'database (default: config, then DATABASE_URL)')
    .action(async (flags: { config?: string; databaseUrl?: string }) => {
      try {
        const config = await deps.configFrom(flags.config);
        const logger = createLogger('error');
        const target = await openCommandDatabase(config, flags.databaseUrl, logger);
        const pool = createPool({
          url: target.url,
          applicationName: 'spanledger-maintain',
          max: 1,
        });
        let code = 0;
        try {
          await connectOrExplain(target);
          await ensureSchema(pool, target.url);
          const maintainer = new PartitionMaintainer({
            pool,
            schedule: config.extensions.maintenance.schedule,
            monthsAhead: config.extensions.maintenance.months_ahead,
            logger,
          });
          const tick = await maintainer.tick();
          deps.print(
            tick.locked
              ? `spanledger maintain: created ${tick.created} partition(s)`
              : 'spanledger maintain: another process holds the maintenance lock; status only',
          );
          for (const s of tick.status) {
            deps.print(
              `  ${s.table.padEnd(10)} ${s.monthsAhead} month(s) ahead${s.defaultHasRows ? `; ${s.table}_default holds rows` : ''}`,
            );
          }
          for (const w of tick.warnings) deps.print(`warning: ${w}`);
          code = tick.warnings.length > 0 ? MAINTAIN_WARNING_EXIT : 0;
        } finally {
          await pool.end();
          await target.release();
        }
        deps.exit(code);
      } catch (err) {
        deps.fail(err);
      }
    });
}
