import { STAGING_COLUMNS } from './rows.js';

// The SQL of one batch write. Kept apart from the I/O so the statements can be read (and
// reviewed) as a whole: stage with COPY, then one INSERT ... SELECT that inserts audit rows,
// bills new leaf calls and updates the rollup from only what was newly inserted.

const STAGING_ONLY = new Set(['billable']);
const AUDIT_COLUMNS = STAGING_COLUMNS.map(([name]) => name).filter((n) => !STAGING_ONLY.has(n));

/** Name of the per-connection temporary staging table. */
export const STAGE_TABLE = 'pg_temp.spanledger_stage';

/**
 * DDL of the staging table; ON COMMIT DELETE ROWS empties it after every batch. Text columns use
 * the "C" collation like the ledgers' id columns: the merge sorts and joins on them.
 */
export const CREATE_STAGE_SQL = `CREATE TEMP TABLE IF NOT EXISTS spanledger_stage (${STAGING_COLUMNS.map(
  ([name, type]) => `${name} ${type === 'text' ? 'text COLLATE "C"' : type}`,
).join(', ')}) ON COMMIT DELETE ROWS`;

/** Per-transaction memory for the merge's joins and sorts (a batch is a few MB). */
export const SET_WORK_MEM_SQL = "SET LOCAL work_mem = '64MB'";

/**
 * Fresh statistics for the staging table after each COPY: without them the planner guesses a
 * handful of rows and picks nested loops over thousands (seconds instead of milliseconds).
 * Only the join and filter columns: statistics of the wide ones (attributes jsonb, content)
 * would cost ~30 µs per row for nothing.
 */
export const ANALYZE_STAGE_SQL = `ANALYZE ${STAGE_TABLE} (trace_id, span_id, parent_span_id, started_at, billable)`;

export const COPY_STAGE_SQL = `COPY ${STAGE_TABLE} (${STAGING_COLUMNS.map(([n]) => n).join(', ')}) FROM STDIN`;

const TOKEN_COLUMNS = [
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
] as const;

/**
 * How a usage_daily row (aliased `d`) absorbs new calls: every counter adds the incoming one.
 * Shared with the per-row baseline of bench/exporter.ts, so both write the same rollup.
 */
export const ROLLUP_ON_CONFLICT_SQL = `ON CONFLICT (day, tenant_id, user_id, provider, model) DO UPDATE SET
    calls = d.calls + EXCLUDED.calls,
    error_calls = d.error_calls + EXCLUDED.error_calls,
    ${TOKEN_COLUMNS.map((c) => `${c} = d.${c} + EXCLUDED.${c}`).join(',\n    ')},
    cost_usd = d.cost_usd + EXCLUDED.cost_usd,
    unpriced_calls = d.unpriced_calls + EXCLUDED.unpriced_calls,
    updated_at = now()`;

// A sibling d of candidate s is the same provider call seen by a second instrumentation: same
// trace and parent, same provider/model and usage, and either the same response id or (when an
// id is missing) overlapping time intervals. Two genuinely separate calls differ in response id
// or do not overlap in time.
const sibling = (d: string, s: string) => `${d}.trace_id = ${s}.trace_id
      AND ${d}.parent_span_id = ${s}.parent_span_id
      AND ${d}.span_id <> ${s}.span_id
      AND ${d}.provider IS NOT DISTINCT FROM ${s}.provider
      AND ${TOKEN_COLUMNS.slice(0, 2)
        .map((c) => `${d}.${c} IS NOT DISTINCT FROM ${s}.${c}`)
        .join(' AND ')}
      AND (${d}.response_id = ${s}.response_id
           OR ((${d}.response_id IS NULL OR ${s}.response_id IS NULL)
               AND ${d}.started_at <= coalesce(${s}.ended_at, ${s}.started_at)
               AND ${s}.started_at <= coalesce(${d}.ended_at, ${d}.started_at)))`;

// Only look at ledger rows near the candidate: lets Postgres prune partitions per probe.
// The ledger checks are scalar subqueries on purpose: Postgres never turns those into joins, so
// each staged row costs one index probe whatever the ledger's size (an anti-join plan chosen on
// the temporary table's missing statistics would scan the whole ledger per batch).
const near = (u: string, s: string) =>
  `${u}.started_at BETWEEN ${s}.started_at - interval '1 day' AND ${s}.started_at + interval '1 day'`;

/**
 * Moves the staged batch into the ledgers. The stage holds each (trace_id, span_id, started_at)
 * once: the writer removes in-batch repeats before COPY (a Set in Node is cheaper than a sort of
 * wide rows in SQL). Returns one row: staged, inserted (new audit rows),
 * billed (new llm_usage rows), rollups (usage_daily rows touched).
 */
export const MERGE_STAGE_SQL = `
WITH candidates AS MATERIALIZED (
  -- In-batch rules first, as hash anti-joins over the (analyzed) staging table.
  SELECT s.trace_id, s.span_id, s.parent_span_id, s.started_at, s.ended_at, s.provider,
         s.input_tokens, s.output_tokens, s.response_id
  FROM ${STAGE_TABLE} s
  WHERE s.billable
    -- not a parent of a billed model call (an agent summing children, or an outer
    -- instrumentation wrapping an inner one)
    AND NOT EXISTS (SELECT 1 FROM ${STAGE_TABLE} k
                    WHERE k.billable AND k.trace_id = s.trace_id AND k.parent_span_id = s.span_id)
    -- not the second span of one provider call (two instrumentations): the first one bills
    AND NOT EXISTS (SELECT 1 FROM ${STAGE_TABLE} d
                    WHERE d.billable AND ${sibling('d', 's')}
                      AND (d.started_at, d.span_id) < (s.started_at, s.span_id))
),
bill AS MATERIALIZED (
  -- The same two rules against what earlier batches already billed.
  SELECT s.trace_id, s.span_id, s.started_at
  FROM candidates s
  WHERE (SELECT 1 FROM spanledger.llm_usage u
         WHERE u.trace_id = s.trace_id AND u.parent_span_id = s.span_id AND ${near('u', 's')}
         LIMIT 1) IS NULL
    AND (SELECT 1 FROM spanledger.llm_usage u
         WHERE ${sibling('u', 's')} AND ${near('u', 's')}
         LIMIT 1) IS NULL
),
new_audit AS (
  INSERT INTO spanledger.audit_log (${AUDIT_COLUMNS.join(', ')}, billed)
  SELECT ${AUDIT_COLUMNS.map((c) => `s.${c}`).join(', ')}, (b.span_id IS NOT NULL)
  FROM ${STAGE_TABLE} s
  LEFT JOIN bill b ON b.trace_id = s.trace_id AND b.span_id = s.span_id AND b.started_at = s.started_at
  ON CONFLICT DO NOTHING
  RETURNING trace_id, span_id, started_at, billed
),
new_usage AS (
  INSERT INTO spanledger.llm_usage (trace_id, span_id, parent_span_id, started_at, ended_at,
    tenant_id, user_id, service_name, provider, model, operation, response_id, status,
    ${TOKEN_COLUMNS.join(', ')}, total_tokens, usage_source, cost_usd, price_ref)
  SELECT s.trace_id, s.span_id, s.parent_span_id, s.started_at, s.ended_at,
    s.tenant_id, s.user_id, s.service_name, s.provider, coalesce(s.response_model, s.request_model),
    s.operation, s.response_id, s.status,
    ${TOKEN_COLUMNS.map((c) => `s.${c}`).join(', ')},
    CASE WHEN s.input_tokens IS NULL AND s.output_tokens IS NULL THEN NULL
         ELSE coalesce(s.input_tokens, 0) + coalesce(s.output_tokens, 0) END,
    s.usage_source, s.cost_usd, s.price_ref
  FROM ${STAGE_TABLE} s
  JOIN new_audit n ON n.trace_id = s.trace_id AND n.span_id = s.span_id AND n.started_at = s.started_at
  WHERE n.billed
  ON CONFLICT DO NOTHING
  RETURNING started_at, tenant_id, user_id, provider, model, status, ${TOKEN_COLUMNS.join(', ')}, cost_usd
),
rollup AS (
  INSERT INTO spanledger.usage_daily AS d (day, tenant_id, user_id, provider, model, calls,
    error_calls, ${TOKEN_COLUMNS.join(', ')}, cost_usd, unpriced_calls)
  SELECT (started_at AT TIME ZONE 'UTC')::date, coalesce(tenant_id, ''), coalesce(user_id, ''),
    coalesce(provider, ''), coalesce(model, ''), count(*), count(*) FILTER (WHERE status = 'error'),
    ${TOKEN_COLUMNS.map((c) => `coalesce(sum(${c}), 0)`).join(', ')},
    coalesce(sum(cost_usd), 0), count(*) FILTER (WHERE cost_usd IS NULL)
  FROM new_usage
  GROUP BY 1, 2, 3, 4, 5
  -- A fixed order makes concurrent writers lock rollup rows in the same order: no deadlocks.
  ORDER BY 1, 2, 3, 4, 5
  ${ROLLUP_ON_CONFLICT_SQL}
  RETURNING 1
)
SELECT (SELECT count(*) FROM ${STAGE_TABLE})::int AS staged,
       (SELECT count(*) FROM new_audit)::int AS inserted,
       (SELECT count(*) FROM new_usage)::int AS billed,
       (SELECT count(*) FROM new_usage WHERE cost_usd IS NULL)::int AS unpriced,
       (SELECT count(*) FROM rollup)::int AS rollups`;

/** One dead_letter row per rejected item; $1 is a jsonb array of {source, reason, ...}. */
export const INSERT_DEAD_LETTER_SQL = `
INSERT INTO spanledger.dead_letter (source, reason, tenant_id, trace_id, span_id, payload, dedup_key)
SELECT x.source, x.reason, x.tenant_id, x.trace_id, x.span_id, x.payload, x.dedup_key
FROM jsonb_to_recordset($1::jsonb) AS x(source text, reason text, tenant_id text, trace_id text,
  span_id text, payload jsonb, dedup_key text)
ON CONFLICT (dedup_key) DO NOTHING`;
