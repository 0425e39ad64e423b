import type { UsageDimension, UsageParams } from './report-params.js';
import type { SqlValues } from './sql-values.js';

// usage_daily stores unknown key parts as '' (so its primary key works); the API says null.
const DIMENSION_SQL: Readonly<Record<UsageDimension, [expression: string, name: string]>> = {
  day: ["to_char(day, 'YYYY-MM-DD')", 'day'],
  month: ["to_char(day, 'YYYY-MM')", 'month'],
  tenant: ["nullif(tenant_id, '')", 'tenant_id'],
  user: ["nullif(user_id, '')", 'user_id'],
  provider: ["nullif(provider, '')", 'provider'],
  model: ["nullif(model, '')", 'model'],
};

/** The sums every usage row and the totals carry. Tokens: input includes cached input. */
export const USAGE_MEASURES = [
  'calls',
  'error_calls',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'total_tokens',
  'cost_usd',
  'unpriced_calls',
] as const;

// float8: exact for any count below 2^53, and a JSON number rather than pg's bigint string.
const MEASURES_SQL = USAGE_MEASURES.map((m) =>
  m === 'total_tokens'
    ? 'coalesce(sum(input_tokens + output_tokens), 0)::float8 AS total_tokens'
    : `coalesce(sum(${m}), 0)::float8 AS ${m}`,
).join(', ');

/** The column name each dimension has in the response rows. */
export const dimensionName = (d: UsageDimension) => DIMENSION_SQL[d][1];

function conditions(params: UsageParams, values: SqlValues): string {
  const c: string[] = [];
  if (params.from?.date) c.push(`day >= ${values.add(params.from.date, 'date')}`);
  if (params.to?.date) c.push(`day < ${values.add(params.to.date, 'date')}`);
  const equals = [
    ['tenant_id', params.tenant_id],
    ['user_id', params.user_id],
    ['provider', params.provider],
    ['model', params.model],
  ] as const;
  for (const [column, value] of equals) {
    if (value !== undefined) c.push(`${column} = ${values.add(value, 'text')}`);
  }
  return c.length > 0 ? `WHERE ${c.join(' AND ')}` : '';
}

/**
 * The rollup a report reads: usage_daily_models (summed over users, ~50× fewer rows a tenant)
 * unless the report groups or filters by user. Both hold the same sums (the migration's
 * trigger keeps usage_daily_models from the same llm_usage rows as merge_stage's usage_daily).
 */
const usageTable = (params: Pick<UsageParams, 'group_by' | 'user_id'>) =>
  params.group_by.includes('user') || params.user_id !== undefined
    ? 'spanledger.usage_daily'
    : 'spanledger.usage_daily_models';

/**
 * Grouped usage and the totals in one pass over the rows (usage_daily rows of a tenant lie on
 * different pages, so a second scan for the totals would double the cost): GROUPING SETS
 * gives one row per group plus one with every group column rolled up, flagged `is_total` and
 * sorted first. Groups follow in group order; `limit + 1` of them tell whether more follow.
 */
export function usageReportSql(params: UsageParams, values: SqlValues): string {
  const expressions = params.group_by.map((d) => DIMENSION_SQL[d][0]);
  const dims = params.group_by.map((d) => `${DIMENSION_SQL[d][0]} AS ${DIMENSION_SQL[d][1]}`);
  const order = params.group_by.map((_, i) => i + 2).join(', ');
  return `SELECT GROUPING(${expressions.join(', ')}) <> 0 AS is_total, ${dims.join(', ')}, ${MEASURES_SQL}
FROM ${usageTable(params)} ${conditions(params, values)}
GROUP BY GROUPING SETS ((${expressions.join(', ')}), ())
ORDER BY 1 DESC, ${order}
LIMIT ${values.add(params.limit + 2, 'integer')}`;
}

/** A quota's usage so far: one tenant, optionally one user, UTC days [start, end). */
export function quotaUsageSql(
  scope: { tenant: string; user?: string | undefined; start: string; end: string },
  values: SqlValues,
): string {
  const tenant = values.add(scope.tenant, 'text');
  const user = scope.user === undefined ? '' : ` AND user_id = ${values.add(scope.user, 'text')}`;
  return `SELECT coalesce(sum(input_tokens + output_tokens), 0)::float8 AS tokens,
       coalesce(sum(cost_usd), 0)::float8 AS cost_usd,
       coalesce(sum(calls), 0)::float8 AS calls,
       coalesce(sum(unpriced_calls), 0)::float8 AS unpriced_calls
FROM ${usageTable({ group_by: [], user_id: scope.user })}
WHERE tenant_id = ${tenant}${user}
  AND day >= ${values.add(scope.start, 'date')} AND day < ${values.add(scope.end, 'date')}`;
}
