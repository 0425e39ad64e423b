import {
  SPANLEDGER_DROPPED_ATTRIBUTES,
  SPANLEDGER_REPORTED_INPUT_TOKENS,
  SPANLEDGER_REPORTED_TOTAL_TOKENS,
  SPANLEDGER_USAGE_CONVENTION,
} from '../../semconv/index.js';
import { addFlag } from './flags.js';

/** Replacement for characters Postgres cannot store (NUL, lone surrogates). */
const REPLACEMENT = '\uFFFD';

/** ES2024 string methods: present in Node 20, missing from the project's ES2023 lib typings. */
type WellFormedString = string & { isWellFormed(): boolean; toWellFormed(): string };

/** A JSON-able attribute value after sanitising. */
export type SafeAttributeValue =
  | string
  | number
  | boolean
  | null
  | Array<string | number | boolean | null>;

/**
 * Cuts `s` to at most `maxLength` UTF-16 code units without splitting a surrogate pair, so the
 * cut itself never creates a lone surrogate.
 */
export function truncateCodePoints(s: string, maxLength: number): string {
  if (s.length <= maxLength) return s;
  let end = maxLength;
  const last = s.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end -= 1;
  return s.slice(0, end);
}

/**
 * Makes a string safe for Postgres text and jsonb: truncated to `maxLength` (flag 'truncated'),
 * NUL and lone surrogates replaced with U+FFFD (flag 'sanitized'). A string that needs neither
 * is returned unchanged (same reference), so the common case allocates nothing.
 */
export function sanitizeString(s: string, maxLength: number, flags: string[]): string {
  let out = s;
  if (out.length > maxLength) {
    out = truncateCodePoints(out, maxLength);
    addFlag(flags, 'truncated');
  }
  if (!(out as WellFormedString).isWellFormed()) {
    out = (out as WellFormedString).toWellFormed();
    addFlag(flags, 'sanitized');
  }
  if (out.includes('\u0000')) {
    out = out.replaceAll('\u0000', REPLACEMENT);
    addFlag(flags, 'sanitized');
  }
  return out;
}

/** `sanitizeString` for nullable values. */
export function sanitizeNullable(
  s: string | undefined | null,
  maxLength: number,
  flags: string[],
): string | null {
  return s === undefined || s === null ? null : sanitizeString(s, maxLength, flags);
}

/**
 * Sanitises one attribute value (string | number | boolean | arrays of those). Non-finite numbers
 * become strings because JSON.stringify would turn them into null and lose the fact; -0 becomes 0.
 * Returns undefined for values that are not attribute values at all.
 */
export function sanitizeAttributeValue(
  value: unknown,
  maxLength: number,
  flags: string[],
): SafeAttributeValue | undefined {
  switch (typeof value) {
    case 'string':
      return sanitizeString(value, maxLength, flags);
    case 'number':
      // -0 becomes 0: JSON and jsonb have no negative zero, so the value stored must equal the
      // value handed on.
      if (Object.is(value, -0)) return 0;
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'object':
      if (value === null) return null;
      if (Array.isArray(value)) return sanitizeArray(value, maxLength, flags);
      return undefined;
    default:
      return undefined;
  }
}

function sanitizeArray(
  values: readonly unknown[],
  maxLength: number,
  flags: string[],
): Array<string | number | boolean | null> {
  const out: Array<string | number | boolean | null> = [];
  for (const element of values) {
    const safe = sanitizeAttributeValue(element, maxLength, flags);
    // Nested arrays and objects are not valid attribute values; keep their position as null.
    out.push(safe === undefined || Array.isArray(safe) ? null : safe);
  }
  return out;
}

/** The exporter's own small notes: what they record is lost if they are dropped. */
const NOTES = new Set([
  SPANLEDGER_USAGE_CONVENTION,
  SPANLEDGER_REPORTED_INPUT_TOKENS,
  SPANLEDGER_REPORTED_TOTAL_TOKENS,
]);

/** Exact UTF-8 size of a value's JSON text (only computed for objects near the cap). */
function jsonSize(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? 'null', 'utf8');
}

/** Code units of a value's text; numbers, booleans and null take at most 24 characters. */
function units(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (!Array.isArray(value)) return 24;
  let total = 2;
  for (const element of value) total += units(element) + 1;
  return total;
}

/**
 * Cheap upper bound of the JSON size: a UTF-16 code unit never takes more than 6 bytes of JSON
 * (a control character becomes \u00XX), so most objects skip the exact count.
 */
function upperBound(attributes: Record<string, unknown>): number {
  let size = 2;
  for (const key in attributes) {
    const value = attributes[key];
    size += 6 * (key.length + units(value)) + 6;
  }
  return size;
}

/**
 * Keeps the attributes object under `maxBytes` of JSON by dropping the largest values first (one
 * huge value should not cost many small useful ones). The exporter's own notes (usage convention,
 * reported token counts) are never dropped. Records the dropped count in `spanledger.dropped_attributes` and flags
 * 'attributes_truncated'. Mutates and returns the object.
 */
export function capAttributes(
  attributes: Record<string, unknown>,
  maxBytes: number,
  flags: string[],
): Record<string, unknown> {
  if (upperBound(attributes) <= maxBytes) return attributes;
  const sizes: Array<[string, number]> = [];
  let total = 2;
  for (const key in attributes) {
    const size = jsonSize(key) + 2 + jsonSize(attributes[key]);
    sizes.push([key, size]);
    total += size;
  }
  // Room for the note recording the drop.
  const budget = maxBytes - 48;
  if (total <= maxBytes) return attributes;
  sizes.sort((a, b) => b[1] - a[1]);
  let dropped = 0;
  for (const [key, size] of sizes) {
    if (total <= budget) break;
    if (NOTES.has(key)) continue;
    delete attributes[key];
    total -= size;
    dropped += 1;
  }
  attributes[SPANLEDGER_DROPPED_ATTRIBUTES] = dropped;
  addFlag(flags, 'attributes_truncated');
  return attributes;
}
