import { randomBytes } from 'node:crypto';
import type { PriceBook } from '../pricing/index.js';
import { defaultPriceBook } from '../pricing/index.js';

/** How spans are mapped to rows. Resolve once with {@link resolveTransformOptions}. */
export interface TransformOptions {
  /** Prices for cost_usd; unknown models get NULL cost, never 0. */
  priceBook: PriceBook;
  /** Store prompt and completion text in input_content/output_content. Off by default. */
  captureContent: boolean;
  /**
   * HMAC key for input_hash/output_hash; keep it secret so hashes cannot be brute-forced. When
   * not given, a random key per process is used: hashes are then private but comparable only
   * within one process lifetime, so set it in production.
   */
  hashKey: string;
  /** Cap on the attributes jsonb (approximate UTF-8 JSON size). */
  maxAttributesBytes: number;
  /** Cap on every stored string, in UTF-16 code units (error_message: at most 2048). */
  maxStringLength: number;
  /**
   * Attribute keys (exact) stored verbatim with capture off, besides the built-in allowlist of
   * metadata keys (docs/span-mapping.md, "Privacy"): your own metadata such as `app.feature`.
   * Content and column keys cannot be allowed this way.
   */
  allowedAttributes: ReadonlySet<string>;
}

/** Defaults for everything but hashKey (random per process) and priceBook (prices.json). */
export const TRANSFORM_DEFAULTS = Object.freeze({
  captureContent: false,
  maxAttributesBytes: 16_384,
  maxStringLength: 8_192,
});

/** What a caller may give; everything has a default. */
export type TransformOptionsInput = Partial<Omit<TransformOptions, 'allowedAttributes'>> & {
  allowedAttributes?: Iterable<string> | undefined;
};

let processHashKey: string | undefined;

/** One random key per process, so every exporter in it hashes alike. */
function defaultHashKey(): string {
  processHashKey ??= randomBytes(32).toString('hex');
  return processHashKey;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** A secret is never quoted: only what kind of value it was. */
function describeKind(value: unknown): string {
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function allowedKeys(input: unknown): ReadonlySet<string> {
  const keys =
    input !== null && typeof input === 'object' && Symbol.iterator in input
      ? [...(input as Iterable<unknown>)]
      : undefined;
  if (keys === undefined || keys.some((key) => typeof key !== 'string' || key.length === 0)) {
    throw new TypeError(
      'transform options: allowedAttributes must be a list of non-empty attribute keys',
    );
  }
  return new Set(keys as string[]);
}

function integerBetween(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(
      `transform options: ${name} must be an integer between ${min} and ${max} (got ${describe(value)})`,
    );
  }
  return value;
}

/**
 * Applies defaults, validates and freezes the options; throws a TypeError naming the option, the
 * value and what was expected, so a misconfigured exporter fails at start, not per span.
 */
export function resolveTransformOptions(
  input: TransformOptionsInput = {},
): Readonly<TransformOptions> {
  const { hashKey = defaultHashKey(), captureContent = TRANSFORM_DEFAULTS.captureContent } = input;
  if (typeof hashKey !== 'string' || hashKey.length === 0) {
    throw new TypeError(
      `transform options: hashKey must be a non-empty string (got ${describeKind(hashKey)})`,
    );
  }
  if (typeof captureContent !== 'boolean') {
    throw new TypeError(
      `transform options: captureContent must be true or false (got ${describe(captureContent)})`,
    );
  }
  const priceBook = input.priceBook ?? defaultPriceBook();
  if (typeof priceBook?.lookup !== 'function') {
    throw new TypeError('transform options: priceBook must be a PriceBook (see createPriceBook)');
  }
  return Object.freeze({
    priceBook,
    captureContent,
    hashKey,
    maxAttributesBytes: integerBetween(
      'maxAttributesBytes',
      input.maxAttributesBytes ?? TRANSFORM_DEFAULTS.maxAttributesBytes,
      1_024,
      64 * 1024 * 1024,
    ),
    maxStringLength: integerBetween(
      'maxStringLength',
      input.maxStringLength ?? TRANSFORM_DEFAULTS.maxStringLength,
      64,
      16 * 1024 * 1024,
    ),
    allowedAttributes: allowedKeys(input.allowedAttributes ?? []),
  });
}
