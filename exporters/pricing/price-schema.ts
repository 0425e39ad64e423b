import { z } from 'zod';
import { PRICE_DECIMALS, parsePrice } from './cost.js';
import type { PriceEntry } from './types.js';

const PRICE_MESSAGE = `must be a non-negative number of USD per million tokens with at most ${PRICE_DECIMALS} decimal places`;

const price = z
  .union([z.number(), z.string()], { error: PRICE_MESSAGE })
  .refine((value) => parsePrice(value) !== undefined, { error: PRICE_MESSAGE });

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function isCalendarDay(value: string): boolean {
  if (!DAY.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().startsWith(value);
}

const name = z
  .string({ error: 'must be a non-empty string' })
  .trim()
  .min(1, { error: 'must be a non-empty string' })
  .transform((value) => value.toLowerCase());

const entrySchema = z.strictObject({
  provider: name,
  model: name,
  input: price,
  output: price,
  cache_read: price.optional(),
  cache_write: price.optional(),
  reasoning: price.optional(),
  effective_from: z
    .string({ error: 'must be a date written YYYY-MM-DD' })
    .refine(isCalendarDay, { error: 'must be a date written YYYY-MM-DD' }),
  source: z.string({ error: 'must be a string' }).optional(),
});

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
}

function entryLabel(index: number, raw: unknown): string {
  if (typeof raw === 'object' && raw !== null) {
    const { provider, model } = raw as { provider?: unknown; model?: unknown };
    if (typeof provider === 'string' && typeof model === 'string') {
      return `entry ${index} (${provider}/${model})`;
    }
  }
  return `entry ${index}`;
}

function entryError(origin: string, index: number, raw: unknown, issue: z.core.$ZodIssue): Error {
  const label = entryLabel(index, raw);
  if (issue.code === 'unrecognized_keys') {
    return new Error(
      `${origin}: ${label}: unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}`,
    );
  }
  if (issue.path.length === 0) {
    return new Error(
      `${origin}: ${label} must be an object with provider, model, input, output and effective_from (got ${describe(raw)})`,
    );
  }
  const field = String(issue.path[0]);
  const value = (raw as Record<string, unknown>)[field];
  return new Error(`${origin}: ${label}: ${field} ${issue.message} (got ${describe(value)})`);
}

/**
 * Validates price entries, naming the origin (file), the entry and the field in the error:
 * `prices.json: entry 3 (openai/gpt-4o): input must be a non-negative number ... (got "abc")`.
 */
export function validatePriceEntries(raw: unknown, origin: string): PriceEntry[] {
  if (!Array.isArray(raw)) {
    throw new Error(`${origin}: must be a JSON array of price entries (got ${describe(raw)})`);
  }
  return raw.map((item, index) => {
    const parsed = entrySchema.safeParse(item);
    if (!parsed.success) throw entryError(origin, index, item, parsed.error.issues[0]!);
    return Object.freeze(parsed.data) as PriceEntry;
  });
}
