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
