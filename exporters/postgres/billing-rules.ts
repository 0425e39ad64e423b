import type { Classification } from './classify.js';
import type { UsageSource } from './rows.js';

/**
 * The per-span half of "bill leaf calls only" (docs/span-mapping.md has the whole rule).
 *
 * A row is billable when it is an llm_call that stands for one provider call (not an agent, not
 * an AI SDK ai.generateText/ai.streamText wrapper; OpenInference CHAIN/AGENT spans are never
 * llm_calls) and carries usage (usage_source is not 'none'). Errored calls with usage are
 * billable: the provider charged for what it streamed.
 *
 * The cross-span half runs in the Postgres writer, on `billable`, `parent_span_id` and
 * `response_id`: a billable parent whose child model calls are in the ledger is not billed,
 * and of two instrumentations' spans for the same call (same usage and the same response id,
 * or overlapping time under one parent) only one is billed.
 */
export function isBillable(classification: Classification, usageSource: UsageSource): boolean {
  return classification.eventType === 'llm_call' && classification.leaf && usageSource !== 'none';
}
