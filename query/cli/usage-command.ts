import type { Command } from 'commander';
import type { QuotaReport, UsageReport } from '../index.js';
import { getJson } from './api-client.js';
import type { CommandContext } from './command-context.js';
import { withConnectionOptions } from './connection-options.js';
import { formatCount, formatUsd, renderTable } from './table.js';

interface UsageOptions {
  by: string;
  from?: string;
  to?: string;
  user?: string;
  provider?: string;
  model?: string;
  tenant?: string;
  json?: boolean;
}

type Row = Record<string, string | number | null>;

function usageTable(report: UsageReport): string[] {
  const keys = report.group_by;
  const measure = (r: Row, k: string) => (r[k] as number | undefined) ?? 0;
  const cells = (r: Row) => [
    formatCount(measure(r, 'calls')),
    formatCount(measure(r, 'input_tokens')),
    formatCount(measure(r, 'output_tokens')),
    formatCount(measure(r, 'total_tokens')),
    formatUsd(measure(r, 'cost_usd')),
    formatCount(measure(r, 'unpriced_calls')),
  ];
  const rows = report.rows.map((r) => [
    ...keys.map((k) => String(r[k] ?? '(unknown)')),
    ...cells(r),
  ]);
  const total = [...keys.map((_, i) => (i === 0 ? 'total' : '')), ...cells(report.totals)];
  const numbers = ['calls', 'input', 'output', 'tokens', 'cost', 'unpriced'];
  return renderTable(
    [...keys.map((header) => ({ header })), ...numbers.map((header) => ({ header, right: true }))],
    [...rows, total],
  );
}

/** `spanledger usage` and `spanledger quota`. */
export function usageCommands(program: Command, context: CommandContext) {
  withConnectionOptions(
    program
      .command('usage')
      .description('usage from the daily rollup as a table')
      .option(
        '--by <dimensions>',
        'day, month, tenant, user, provider, model (comma-separated)',
        'day',
      )
      .option('--from <date>', 'first day, inclusive (2026-11-01)')
      .option('--to <date>', 'last day, inclusive')
      .option('--user <id>', 'only this user')
      .option('--provider <provider>', 'only this provider')
      .option('--model <model>', 'only this model')
      .option('--json', 'print the API response as JSON'),
  ).action(async (options: UsageOptions) =>
    context.run(options, async (target) => {
      const report = await getJson<UsageReport>(target, '/v1/usage', {
        group_by: options.by,
        from: options.from,
        to: options.to,
        tenant_id: options.tenant,
        user_id: options.user,
        provider: options.provider,
        model: options.model,
      });
      const lines = options.json ? [JSON.stringify(report, null, 2)] : usageTable(report);
      if (report.truncated && !options.json)
        lines.push('(more groups than shown; narrow the range)');
      context.stdout.write(`${lines.join('\n')}\n`);
      return 0;
    }),
  );

  withConnectionOptions(
    program
      .command('quota')
      .description('usage against the configured limit (exit 2 when a limit is reached)')
      .option('--user <id>', 'the user to check (omit for the tenant as a whole)')
      .option('--period <period>', 'day or month', 'day')
      .option('--json', 'print the API response as JSON'),
  ).action(async (options: { user?: string; period: string; tenant?: string; json?: boolean }) =>
    context.run(options, async (target) => {
      const report = await getJson<QuotaReport>(target, '/v1/quota', {
        user_id: options.user,
        period: options.period,
        tenant_id: options.tenant,
      });
      const lines = options.json ? [JSON.stringify(report, null, 2)] : quotaLines(report);
      context.stdout.write(`${lines.join('\n')}\n`);
      return report.exceeded ? 2 : 0;
    }),
  );
}

const amount = (unit: string, n: number) => (unit === 'cost_usd' ? formatUsd(n) : formatCount(n));

function quotaLines(report: QuotaReport): string[] {
  const who = report.user_id
    ? `user ${report.user_id} of tenant ${report.tenant_id}`
    : `tenant ${report.tenant_id}`;
  const head = `${who}, ${report.period} from ${report.period_start} to ${report.period_end}`;
  if (report.checks.length === 0) {
    const usage = report.usage.user ?? report.usage.tenant;
    return [
      head,
      `no quota configured; used ${formatCount(usage?.tokens)} tokens, ${formatUsd(usage?.cost_usd)}`,
    ];
  }
  const rows = report.checks.map((c) => [
    c.scope,
    c.unit,
    amount(c.unit, c.used),
    amount(c.unit, c.limit),
    amount(c.unit, c.remaining),
    c.exceeded ? 'EXCEEDED' : 'ok',
  ]);
  const table = renderTable(
    [
      { header: 'scope' },
      { header: 'unit' },
      { header: 'used', right: true },
      { header: 'limit', right: true },
      { header: 'remaining', right: true },
      { header: 'state' },
    ],
    rows,
  );
  return [head, ...table, report.exceeded ? 'quota exceeded' : 'within quota'];
}
