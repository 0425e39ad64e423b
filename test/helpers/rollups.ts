import type pg from 'pg';

/**
 * For fixtures that write usage_daily directly (not through llm_usage, whose trigger keeps
 * usage_daily_models): writes the users-summed rollup the trigger would have kept.
 */
export async function rollUpUsageModels(pool: pg.Pool): Promise<void> {
  await pool.query(
    `INSERT INTO spanledger.usage_daily_models (day, tenant_id, provider, model, calls,
       error_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
       reasoning_tokens, cost_usd, unpriced_calls)
     SELECT day, tenant_id, provider, model, sum(calls), sum(error_calls), sum(input_tokens),
       sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens), sum(reasoning_tokens),
       sum(cost_usd), sum(unpriced_calls)
     FROM spanledger.usage_daily GROUP BY 1, 2, 3, 4`,
  );
}
