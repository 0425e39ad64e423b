import { STAGING_COLUMNS } from './rows.js';

// The SQL the writer sends. The merge itself (billing rules, audit and usage inserts, the
// rollup, the hash chain) lives in the database as spanledger.merge_stage(), a SECURITY DEFINER
// function of the schema owner (migrations/sql/1796500000000_trust.sql): the login the exporter
// runs as can append through it and do nothing else to the ledgers.

/** The per-session staging table spanledger.open_stage() creates (owned by the schema owner). */
export const STAGE_TABLE = 'pg_temp.spanledger_stage';

/** Creates the staging table of this session if needed (once per connection). */
export const OPEN_STAGE_SQL = 'SELECT spanledger.open_stage()';

export const COPY_STAGE_SQL = `COPY ${STAGE_TABLE} (${STAGING_COLUMNS.map(([n]) => n).join(', ')}) FROM STDIN`;

/**
 * Merges the staged batch and extends the hash chain `$1`; one row: staged, inserted (new audit
 * rows), billed (new llm_usage rows), unpriced, rollups (usage_daily rows touched).
 */
export const MERGE_STAGE_SQL =
  'SELECT staged, inserted, billed, unpriced, rollups FROM spanledger.merge_stage($1)';

/** One dead_letter row per rejected item; $1 is a jsonb array of {source, reason, ...}. */
export const INSERT_DEAD_LETTER_SQL = 'SELECT spanledger.append_dead_letters($1::jsonb)';

/** Binds every chain head that moved since the last checkpoint; returns its id and hash. */
export const CHECKPOINT_SQL =
  "SELECT id, encode(checkpoint_hash, 'hex') AS hash FROM spanledger.ledger_checkpoint()";

const TOKEN_COLUMNS = [
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
] as const;

/**
 * How a usage_daily row (aliased `d`) absorbs new calls, as merge_stage() does it. Used by the
 * per-row baseline of bench/exporter.ts, so both write the same rollup.
 */
export const ROLLUP_ON_CONFLICT_SQL = `ON CONFLICT (day, tenant_id, user_id, provider, model) DO UPDATE SET
    calls = d.calls + EXCLUDED.calls,
    error_calls = d.error_calls + EXCLUDED.error_calls,
    ${TOKEN_COLUMNS.map((c) => `${c} = d.${c} + EXCLUDED.${c}`).join(',\n    ')},
    cost_usd = d.cost_usd + EXCLUDED.cost_usd,
    unpriced_calls = d.unpriced_calls + EXCLUDED.unpriced_calls,
    updated_at = now()`;
