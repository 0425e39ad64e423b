import type { PriceEntry, UsageForCost } from './types.js';

/** Prices are held as integers of 1e-12 USD per million tokens: exact for any price we accept. */
export const PRICE_DECIMALS = 12;
/** numeric(20, 10): the cost column's scale. */
export const COST_DECIMALS = 10;

const PRICE_SCALE = 10n ** BigInt(PRICE_DECIMALS);
/** tokens × price(1e-12 USD / 1e6 tokens) is in 1e-18 USD; the cost is in 1e-10 USD. */
const TO_COST_SCALE = 10n ** BigInt(PRICE_DECIMALS + 6 - COST_DECIMALS);
const COST_SCALE = 10n ** BigInt(COST_DECIMALS);

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * A non-negative price (number or decimal string) as an exact integer of 1e-12 USD. Numbers go
 * through toFixed, which rounds the binary double to the decimal the user wrote (0.15 → 0.15).
 * Returns undefined for negative, non-finite or over-precise values.
 */
export function parsePrice(value: number | string): bigint | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0 || value >= 1e9) return undefined;
    text = value.toFixed(PRICE_DECIMALS);
  } else {
    text = value.trim();
  }
  const match = DECIMAL.exec(text);
  if (match === null) return undefined;
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > PRICE_DECIMALS) return undefined;
  return BigInt(match[1]!) * PRICE_SCALE + BigInt(fraction.padEnd(PRICE_DECIMALS, '0') || '0');
}

/** Scaled prices of one entry, with the defaults applied. */
interface ScaledPrices {
  input: bigint;
  output: bigint;
  cacheRead: bigint;
  cacheWrite: bigint;
  reasoning: bigint;
}

/** Entries are frozen and long-lived; parse each once. */
const scaledCache = new WeakMap<PriceEntry, ScaledPrices>();

function scaled(entry: PriceEntry): ScaledPrices {
  let prices = scaledCache.get(entry);
  if (prices === undefined) {
    const price = (value: number | string | undefined, fallback: bigint): bigint =>
      value === undefined ? fallback : (parsePrice(value) ?? fallback);
    const input = price(entry.input, 0n);
    const output = price(entry.output, 0n);
    prices = {
      input,
      output,
      cacheRead: price(entry.cache_read, input),
      cacheWrite: price(entry.cache_write, input),
      reasoning: price(entry.reasoning, output),
    };
    scaledCache.set(entry, prices);
  }
  return prices;
}

const big = (n: number | null): bigint => (n === null ? 0n : BigInt(n));
const nonNegative = (n: bigint): bigint => (n < 0n ? 0n : n);

/** Formats an integer of 1e-10 USD as a decimal string with exactly 10 places. */
export function formatCost(units: bigint): string {
  const whole = units / COST_SCALE;
  const fraction = (units % COST_SCALE).toString().padStart(COST_DECIMALS, '0');
  return `${whole}.${fraction}`;
}

/**
 * Exact cost in USD as a decimal string with 10 places:
 * (input − cache_read − cache_write)·input + cache_read·cache_read + cache_write·cache_write
 * + (output − reasoning)·output + reasoning·reasoning, prices per million tokens, rounded half up
 * once at the end. Unknown counts count as 0. When the reported parts exceed their total
 * (token_mismatch) the remainder is taken as 0 rather than negative, so a cost never goes down
 * because a counter over-reported.
 */
export function computeCost(usage: UsageForCost, entry: PriceEntry): string {
  const p = scaled(entry);
  const input = big(usage.input_tokens);
  const cacheRead = big(usage.cache_read_tokens);
  const cacheWrite = big(usage.cache_write_tokens);
  const output = big(usage.output_tokens);
  const reasoning = big(usage.reasoning_tokens);
  const total =
    nonNegative(input - cacheRead - cacheWrite) * p.input +
    cacheRead * p.cacheRead +
    cacheWrite * p.cacheWrite +
    nonNegative(output - reasoning) * p.output +
    reasoning * p.reasoning;
  return formatCost((total + TO_COST_SCALE / 2n) / TO_COST_SCALE);
}
