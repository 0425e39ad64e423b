/**
 * Every flag a row can carry in its `flags` column. A flag records that the exporter had to
 * change or second-guess what the span reported, so an auditor can find those rows.
 */
export const ROW_FLAGS = [
  /** Reported totals disagree (cache > input, reasoning > output, total != input + output). */
  'token_mismatch',
  /** A token count was not a non-negative safe integer; the column is NULL instead. */
  'invalid_token_value',
  /** An instrumentation known to report input without cached tokens was corrected. */
  'input_excludes_cache_corrected',
  /** A string was cut to the configured length (on a code-point boundary). */
  'truncated',
  /** NUL or lone UTF-16 surrogates were replaced with U+FFFD (Postgres rejects them). */
  'sanitized',
  /** Attributes were dropped to keep the jsonb under maxAttributesBytes. */
  'attributes_truncated',
  /** A secret-looking attribute key or value was replaced with "[REDACTED]". */
  'redacted',
  /**
   * Capture off: text the allowlist does not cover (an attribute value or name, a parameter
   * field, a span name) was stored as an HMAC digest instead.
   */
  'digested',
  /** The end time was missing, invalid or before the start: ended_at/duration_ms left NULL. */
  'invalid_end_time',
  /** The start time is before 2000 or more than a day ahead of the exporter's clock. */
  'implausible_start_time',
  /** The call has usage but no price-book entry matches its provider and model. */
  'unpriced',
] as const;

/** One of {@link ROW_FLAGS}. */
export type RowFlag = (typeof ROW_FLAGS)[number];

/** Adds a flag once; rows carry few flags, so a linear scan beats allocating a Set per span. */
export function addFlag(flags: string[], flag: RowFlag): void {
  if (!flags.includes(flag)) flags.push(flag);
}
