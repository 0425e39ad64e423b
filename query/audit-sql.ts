import type { AuditFilters } from './audit-params.js';
import type { AuditPosition } from './cursor.js';
import type { SqlValues } from './sql-values.js';

/**
 * The audit_log columns the API returns, in table order: pages, CSV and JSONL exports all carry
 * the same fields under the same names.
 */
export const AUDIT_COLUMNS = [
  'trace_id',
  'span_id',
  'parent_span_id',
  'started_at',
  'ended_at',
  'duration_ms',
  'ingested_at',
  'tenant_id',
  'user_id',
  'session_id',
  'request_id',
  'service_name',
  'service_version',
  'deployment_environment',
  'event_type',
  'operation',
  'span_name',
  'provider',
  'request_model',
  'response_model',
  'response_id',
  'tool_name',
  'tool_call_id',
  'mcp_server',
  'mcp_method',
  'status',
  'error_type',
  'error_message',
  'http_status',
  'finish_reasons',
  'termination_reason',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'usage_source',
  'cost_usd',
  'price_ref',
  'billed',
  'input_hash',
  'output_hash',
  'input_content',
  'output_content',
  'attributes',
  'flags',
] as const;

const COLUMN_LIST = AUDIT_COLUMNS.join(', ');

/** Filters that compare one column to one value. */
const EQUALS = [
  ['tenant_id', 'tenant_id'],
  ['event_type', 'event_type'],
  ['user_id', 'user_id'],
  ['session_id', 'session_id'],
  ['provider', 'provider'],
  ['tool_name', 'tool_name'],
  ['status', 'status'],
  ['trace_id', 'trace_id'],
] as const;

/**
 * WHERE conditions for the filters. No tenant condition unless one is asked for: row-level
 * security limits a tenant token's queries to its tenant, whatever the SQL says.
 */
export function auditConditions(filters: AuditFilters, values: SqlValues): string[] {
  const conditions: string[] = [];
  if (filters.from)
    conditions.push(`started_at >= ${values.add(filters.from.text, 'timestamptz')}`);
  if (filters.to) conditions.push(`started_at < ${values.add(filters.to.text, 'timestamptz')}`);
  for (const [param, column] of EQUALS) {
    const value = filters[param];
    if (value !== undefined) conditions.push(`${column} = ${values.add(value, 'text')}`);
  }
  if (filters.model !== undefined) {
    const model = values.add(filters.model, 'text');
    conditions.push(`(request_model = ${model} OR response_model = ${model})`);
  }
  return conditions;
}

/**
 * Rows strictly after `position` in page order. Written as `started_at <= t AND (...)` rather
 * than one row comparison so that the started_at bound is an index condition on
 * (tenant_id, started_at DESC) and (started_at DESC): a deep page costs what the first does.
 */
function afterPosition(position: AuditPosition, values: SqlValues): string {
  const at = `(timestamptz 'epoch' + ${values.add(position.startedUs, 'bigint')} * interval '1 microsecond')`;
  const trace = values.add(position.traceId, 'text');
  const span = values.add(position.spanId, 'text');
  return `started_at <= ${at} AND (started_at < ${at} OR (trace_id, span_id) < (${trace}, ${span}))`;
}

const where = (conditions: string[]) =>
  conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';

/**
 * One page, newest first: each row as JSON text (the same object a JSONL export writes) plus
 * its position for the next cursor. Asks for `limit + 1` rows to learn whether more follow.
 */
export function auditPageSql(
  filters: AuditFilters,
  limit: number,
  position: AuditPosition | undefined,
  values: SqlValues,
): string {
  const conditions = auditConditions(filters, values);
  if (position) conditions.push(afterPosition(position, values));
  return `SELECT row_to_json(a)::text AS json,
       (extract(epoch FROM a.started_at) * 1000000)::bigint::text AS started_us,
       a.trace_id, a.span_id
FROM (SELECT ${COLUMN_LIST} FROM spanledger.audit_log ${where(conditions)}) a
ORDER BY a.started_at DESC, a.trace_id DESC, a.span_id DESC
LIMIT ${values.add(limit + 1, 'integer')}`;
}

/** Export formats. */
export type ExportFormat = 'csv' | 'jsonl';

/**
 * COPY of every matching row, oldest first. CSV has a header row. JSONL is one row_to_json per
 * line, sent through CSV mode with a quote and delimiter (0x01, 0x02) that JSON text cannot
 * contain (it escapes every control character), so the lines come out exactly as Postgres
 * wrote them: text mode would double every backslash in the JSON.
 */
export function auditExportSql(
  filters: AuditFilters,
  format: ExportFormat,
  values: SqlValues,
): string {
  const select = `SELECT ${COLUMN_LIST} FROM spanledger.audit_log ${where(auditConditions(filters, values))}`;
  const order = 'ORDER BY a.started_at, a.trace_id, a.span_id';
  if (format === 'csv') {
    return `COPY (SELECT a.* FROM (${select}) a ${order}) TO STDOUT WITH (FORMAT csv, HEADER true)`;
  }
  return `COPY (SELECT row_to_json(a)::text FROM (${select}) a ${order}) TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')`;
}
