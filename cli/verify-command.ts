import type { Command } from 'commander';
import { formatDigest, type VerifyReport, verifyLedger } from '../ledger/index.js';
import { connectOrExplain, createPool } from '../shared/database/index.js';
import { createLogger } from '../shared/index.js';
import { type CommandDeps, openCommandDatabase } from './command-deps.js';

export { formatDigest };

interface VerifyFlags {
  config?: string;
  databaseUrl?: string;
  from?: string;
  to?: string;
  digest?: boolean;
  expect?: string;
  json?: boolean;
}

/** Exit code when the ledger is not intact (1 is "could not run"). */
export const NOT_INTACT_EXIT = 2;

function parseDate(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(d.getTime())) {
    throw new Error(
      `${flag} must be a date (2026-11-01) or a timestamp (got ${JSON.stringify(value)})`,
    );
  }
  return d;
}

/** The human report: one summary line, then one line per problem. */
export function reportLines(report: VerifyReport): string[] {
  const summary = `${report.chains} chain(s), ${report.batches} batch(es) (${report.batchesChecked} checked row by row), ${report.rows} row(s), ${report.checkpoints} checkpoint(s)`;
  const legacy = report.legacyRows
    ? `; ${report.legacyRows} row(s) written before the ledger chain existed are not covered`
    : '';
  const cut = report.retentionCuts
    ? `; ${report.retentionCuts} retention cut(s): ${report.retainedRows} archived row(s) checked by their kept hashes`
    : '';
  if (report.intact) return [`spanledger verify: intact: ${summary}${legacy}${cut}`];
  return [
    `spanledger verify: NOT INTACT: ${report.problems.length} problem(s) in ${summary}${legacy}${cut}`,
    ...report.problems.map((p) => `  ${p.kind}: ${p.message}`),
  ];
}

/** `spanledger verify`: recomputes the hash chain and names what broke. */
export function verifyCommand(program: Command, deps: CommandDeps): void {
  program
    .command('verify')
    .description('recompute the tamper-evident ledger; exit 0 when intact, 2 when not')
    .option('-c, --config <file>', 'collector config')
    .option(
      '--database-url <url>',
      'a login that reads every tenant (owner or spanledger_admin_reader)',
    )
    .option('--from <date>', 'check rows of batches that start at or after this, row by row')
    .option('--to <date>', '... and end before this (chain links are always checked whole)')
    .option('--digest', 'write a checkpoint (when allowed) and print the head to store elsewhere')
    .option('--expect <digest>', 'a head printed earlier by --digest, which must still be there')
    .option('--json', 'print the report as JSON')
    .action(async (flags: VerifyFlags) => {
      try {
        const config = await deps.configFrom(flags.config);
        const target = await openCommandDatabase(config, flags.databaseUrl, createLogger('error'), {
          createIfMissing: false,
        });
        const pool = createPool({ url: target.url, applicationName: 'spanledger-verify', max: 1 });
        let report: VerifyReport;
        try {
          await connectOrExplain(target);
          report = await verifyLedger(pool, {
            from: parseDate('--from', flags.from),
            to: parseDate('--to', flags.to),
            expect: flags.expect,
            checkpoint: Boolean(flags.digest),
          });
        } finally {
          await pool.end();
          await target.release();
        }
        if (flags.json) deps.print(JSON.stringify(report, null, 2));
        else for (const line of reportLines(report)) deps.print(line);
        if (flags.digest && !flags.json)
          deps.print(report.digest ?? 'no checkpoint yet: nothing was written');
        deps.exit(report.intact ? 0 : NOT_INTACT_EXIT);
      } catch (err) {
        deps.fail(err);
      }
    });
}
