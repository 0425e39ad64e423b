import type { SqlValues } from './sql-values.js';

/** What the overview ranks: from the first UTC day on, one tenant or (admin, undefined) all. */
export interface OverviewScope {
  /** First UTC day, inclusive (YYYY-MM-DD). */
  from: string;
  /** Only this tenant; undefined: every tenant (row-level security still decides). */
  tenant: string | undefined;
}

// The few columns a ranked call shows; the trace id opens the call's trace.
const CALL_COLUMNS =
  'trace_id, span_id, started_at, tenant_id, user_id, event_type, provider, request_model, response_model, tool_name, status, duration_ms, input_tokens, output_tokens, cost_usd';

/**
 * The slowest or costliest calls of one tenant: a walk of audit_log_tenant_{duration,cost}_idx
 * in ranking order that stops after `limit` rows of the range (the start bound is checked in
 * the index), so it reads about `limit` rows per month partition however many the range holds.
 * `tenant` is an SQL expression: a bound value, or a column of the enclosing query.
 */
function topOfTenant(column: string, tenant: string, from: string, limit: string): string {
  const rank = `${column} DESC NULLS LAST, started_at DESC`;
  return `SELECT ${CALL_COLUMNS} FROM spanledger.audit_log
     WHERE tenant_id ${tenant === 'NULL' ? 'IS NULL' : `= ${tenant}`}
       AND started_at >= ${from} AND ${column} IS NOT NULL
     ORDER BY tenant_id, ${rank} LIMIT ${limit}`;
}

/**
 * Every tenant's top rows merged, in two steps. First each tenant's best `limit` as (tenant,
 * value, start) only: one probe of the ranking index per tenant (found by a skip scan of the
 * tenant index within the range), answered from the index alone once rows are all-visible.
 * Then the overall best `limit` of those are read whole, each by the same index. So the page
 * reads ~`limit` heap rows instead of `limit` per tenant; rows without a tenant are ranked
 * directly (one more probe).
 */
function topOfAll(column: string, from: string, limit: string): string {
  return `SELECT a.* FROM (
       SELECT r.* FROM (
         SELECT t.tenant_id, k.v, k.started_at FROM tenants t CROSS JOIN LATERAL (
           SELECT ${column} AS v, started_at FROM spanledger.audit_log
           WHERE tenant_id = t.tenant_id AND started_at >= ${from} AND ${column} IS NOT NULL
           ORDER BY tenant_id, ${column} DESC NULLS LAST, started_at DESC LIMIT ${limit}) k
         ORDER BY k.v DESC, k.started_at DESC LIMIT ${limit}) b
       CROSS JOIN LATERAL (SELECT ${CALL_COLUMNS} FROM spanledger.audit_log
         WHERE tenant_id = b.tenant_id AND ${column} = b.v AND started_at = b.started_at) r
       UNION ALL (${topOfTenant(column, 'NULL', from, limit)})) a
     ORDER BY ${column} DESC, started_at DESC LIMIT ${limit}`;
}

/** The most used tools or MCP servers of the range, from the calls_daily rollup. */
function mostUsed(kind: 'tool' | 'mcp_server', scope: string, from: string, limit: string) {
  return `SELECT coalesce(json_agg(row_to_json(t)), '[]')::text FROM (
       SELECT name, sum(calls)::int AS calls, sum(error_calls)::int AS errors
       FROM spanledger.calls_daily WHERE kind = '${kind}' AND day >= ${from}${scope}
       GROUP BY name ORDER BY calls DESC, name LIMIT ${limit}) t`;
}

/**
 * The overview's four rankings as one row of four JSON arrays (slowest, costliest, tools,
 * mcp_servers): one statement, so one round trip and one snapshot. Each reads an index or a
 * rollup in ranking order, so its cost follows the number of tenants and days shown, not the
 * number of audit rows in the range (docs/benchmarks.md, bench:query).
 */
export function overviewRankingsSql(scope: OverviewScope, limit: number, values: SqlValues) {
  const n = values.add(limit, 'integer');
  const fromDay = values.add(scope.from, 'date');
  // started_at is timestamptz: the day's start in UTC, not the session's time zone.
  const fromTime = `(${fromDay}::timestamp AT TIME ZONE 'UTC')`;
  const json = (select: string) =>
    `(SELECT coalesce(json_agg(row_to_json(a)), '[]')::text FROM (${select}) a)`;
  if (scope.tenant !== undefined) {
    const tenant = values.add(scope.tenant, 'text');
    return `SELECT ${json(topOfTenant('duration_ms', tenant, fromTime, n))} AS slowest,
       ${json(topOfTenant('cost_usd', tenant, fromTime, n))} AS costliest,
       (${mostUsed('tool', ` AND tenant_id = ${tenant}`, fromDay, n)}) AS tools,
       (${mostUsed('mcp_server', ` AND tenant_id = ${tenant}`, fromDay, n)}) AS mcp_servers`;
  }
  // Tenants with rows in the range: the start bound prunes older months from every probe.
  return `WITH RECURSIVE tenants(tenant_id) AS (
  (SELECT tenant_id FROM spanledger.audit_log WHERE tenant_id IS NOT NULL AND started_at >= ${fromTime}
   ORDER BY tenant_id LIMIT 1)
  UNION ALL
  SELECT (SELECT a.tenant_id FROM spanledger.audit_log a
          WHERE a.tenant_id > t.tenant_id AND a.started_at >= ${fromTime} ORDER BY a.tenant_id LIMIT 1)
  FROM tenants t WHERE t.tenant_id IS NOT NULL
)
SELECT ${json(topOfAll('duration_ms', fromTime, n))} AS slowest,
       ${json(topOfAll('cost_usd', fromTime, n))} AS costliest,
       (${mostUsed('tool', '', fromDay, n)}) AS tools,
       (${mostUsed('mcp_server', '', fromDay, n)}) AS mcp_servers`;
}

/**
 * The distinct tenants of audit_log (at most 1,000), as one JSON array: a recursive skip scan
 * over the (tenant_id, started_at) index, one index probe per tenant instead of a scan of rows.
 */
export const TENANTS_SQL = `
WITH RECURSIVE t(tenant_id, n) AS (
  (SELECT tenant_id, 1 FROM spanledger.audit_log WHERE tenant_id IS NOT NULL ORDER BY tenant_id LIMIT 1)
  UNION ALL
  SELECT (SELECT a.tenant_id FROM spanledger.audit_log a
          WHERE a.tenant_id > t.tenant_id ORDER BY a.tenant_id LIMIT 1), t.n + 1
  FROM t WHERE t.tenant_id IS NOT NULL AND t.n < 1000
)
SELECT coalesce(json_agg(tenant_id ORDER BY tenant_id), '[]')::text AS json
FROM t WHERE tenant_id IS NOT NULL`;
