import type { AuditFilters } from './audit-params.js';
import { auditConditions } from './audit-sql.js';
import type { SqlValues } from './sql-values.js';

/** What the overview ranks calls by. */
export type TopCallsBy = 'duration' | 'cost';

const RANK_COLUMN: Readonly<Record<TopCallsBy, string>> = {
  duration: 'duration_ms',
  cost: 'cost_usd',
};

// The few columns a ranked call shows; the trace id opens the call's trace.
const CALL_COLUMNS =
  'trace_id, span_id, started_at, tenant_id, user_id, event_type, provider, request_model, response_model, tool_name, status, duration_ms, input_tokens, output_tokens, cost_usd';

const where = (conditions: string[]) =>
  conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';

/**
 * The slowest or costliest calls matching the filters, as one JSON array (highest first).
 * Row-level security limits a tenant token to its tenant, as for audit pages.
 */
export function topCallsSql(
  filters: AuditFilters,
  by: TopCallsBy,
  limit: number,
  values: SqlValues,
): string {
  const column = RANK_COLUMN[by];
  const conditions = [...auditConditions(filters, values), `${column} IS NOT NULL`];
  return `SELECT coalesce(json_agg(row_to_json(a)), '[]')::text AS json
FROM (SELECT ${CALL_COLUMNS} FROM spanledger.audit_log ${where(conditions)}
      ORDER BY ${column} DESC, started_at DESC LIMIT ${values.add(limit, 'integer')}) a`;
}

/** What the overview counts calls of. */
export type UsedBy = 'tool_name' | 'mcp_server';

/**
 * The most used tools (or MCP servers) among the matching rows: name, calls, errors, as one
 * JSON array (most calls first).
 */
export function mostUsedSql(
  filters: AuditFilters,
  by: UsedBy,
  limit: number,
  values: SqlValues,
): string {
  const conditions = [...auditConditions(filters, values), `${by} IS NOT NULL`];
  return `SELECT coalesce(json_agg(row_to_json(t)), '[]')::text AS json
FROM (SELECT ${by} AS name, count(*)::int AS calls,
             count(*) FILTER (WHERE status = 'error')::int AS errors
      FROM spanledger.audit_log ${where(conditions)}
      GROUP BY ${by} ORDER BY calls DESC, name LIMIT ${values.add(limit, 'integer')}) t`;
}

/**
 * The overview's four rankings as one row of four JSON arrays (slowest, costliest, tools,
 * mcp_servers): one statement, so one round trip and one snapshot, and the matching rows are
 * read once (a materialized CTE of the few columns shown) rather than once per ranking.
 */
export function rankingsSql(filters: AuditFilters, limit: number, values: SqlValues): string {
  const n = values.add(limit, 'integer');
  const top = (column: string) =>
    `SELECT coalesce(json_agg(row_to_json(a)), '[]')::text FROM (SELECT ${CALL_COLUMNS} FROM r
       WHERE ${column} IS NOT NULL ORDER BY ${column} DESC, started_at DESC LIMIT ${n}) a`;
  const used = (column: UsedBy) =>
    `SELECT coalesce(json_agg(row_to_json(t)), '[]')::text FROM (SELECT ${column} AS name,
       count(*)::int AS calls, count(*) FILTER (WHERE status = 'error')::int AS errors
       FROM r WHERE ${column} IS NOT NULL GROUP BY ${column} ORDER BY calls DESC, name LIMIT ${n}) t`;
  return `WITH r AS MATERIALIZED (
  SELECT ${CALL_COLUMNS}, mcp_server FROM spanledger.audit_log ${where(auditConditions(filters, values))})
SELECT (${top('duration_ms')}) AS slowest, (${top('cost_usd')}) AS costliest,
       (${used('tool_name')}) AS tools, (${used('mcp_server')}) AS mcp_servers`;
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
