/**
 * One price-book entry: USD per million tokens for one provider's model from a date on.
 * Prices may be numbers or decimal strings ("0.075") for users who want them exact as written.
 */
export interface PriceEntry {
  /** Canonical provider name, as normalised by the exporter (openai, anthropic, google, ...). */
  readonly provider: string;
  /** Model id without dated snapshot suffix (gpt-4o, claude-sonnet-4-5). */
  readonly model: string;
  readonly input: number | string;
  readonly output: number | string;
  /** Defaults to the input price. */
  readonly cache_read?: number | string | undefined;
  /** Defaults to the input price. */
  readonly cache_write?: number | string | undefined;
  /** Defaults to the output price. */
  readonly reasoning?: number | string | undefined;
  /** First UTC day (YYYY-MM-DD) the price applies. */
  readonly effective_from: string;
  /** Where the price was read, for whoever verifies it. */
  readonly source?: string | undefined;
}

/** Token counts a cost is computed from (OTel semantics: input includes cached input). */
export interface UsageForCost {
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  reasoning_tokens: number | null;
}

/** A validated, immutable set of prices. */
export interface PriceBook {
  /** Every entry, defaults and overrides merged. */
  readonly entries: readonly PriceEntry[];
  /**
   * The entry in force at `at` (epoch ms) for `model` of `provider`: exact model first, then the
   * model without a dated snapshot suffix, then the longest model-name prefix. Undefined when
   * the model is unknown (the call is then unpriced, never priced at 0).
   */
  lookup(provider: string, model: string, at: number): PriceEntry | undefined;
}
