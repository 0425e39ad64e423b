import { OtlpDecodeError } from './decode-error.js';

// Type checks for the OTLP/JSON mapping. A proto3 JSON field may be spelled in lowerCamelCase
// (what OTLP requires) or with its proto name; null means "not set".

export type JsonObject = Record<string, unknown>;

function fail(path: string, expected: string): never {
  throw new OtlpDecodeError(`${path || '(root)'}: expected ${expected}`);
}

/** The field's value, by its JSON name or its proto name; undefined when absent or null. */
export function field(object: JsonObject, json: string, proto?: string): unknown {
  const value = object[json] ?? (proto === undefined ? undefined : object[proto]);
  return value === null ? undefined : value;
}

export function asObject(value: unknown, path: string): JsonObject | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(path, 'an object');
  }
  return value as JsonObject;
}

export function asArray(value: unknown, path: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(path, 'an array');
  return value;
}

export function asString(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail(path, 'a string');
  return value;
}

export function asBoolean(value: unknown, path: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') fail(path, 'true or false');
  return value;
}

const INTEGER_TEXT = /^-?\d{1,20}$/;
const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** A 64-bit integer: a JSON number or a decimal string (proto3 JSON writes int64 as text). */
export function asInt64(value: unknown, path: string, unsigned: boolean): bigint | undefined {
  if (value === undefined) return undefined;
  let result: bigint | undefined;
  if (typeof value === 'number' && Number.isInteger(value)) result = BigInt(value);
  else if (typeof value === 'string' && INTEGER_TEXT.test(value)) result = BigInt(value);
  const [min, max] = unsigned ? [0n, UINT64_MAX] : [INT64_MIN, INT64_MAX];
  if (result === undefined || result < min || result > max) {
    fail(path, `a ${unsigned ? 'uint64' : 'int64'} as a number or decimal string`);
  }
  return result;
}

const SPECIAL_DOUBLES: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};

/** A double: a JSON number, or the text proto3 JSON uses for NaN, ±Infinity or any number. */
export function asDouble(value: unknown, path: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const special = SPECIAL_DOUBLES[value];
    if (special !== undefined) return special;
    const parsed = Number(value);
    if (value.trim() !== '' && Number.isFinite(parsed)) return parsed;
  }
  return fail(path, 'a number');
}

/** An enum: an integer (OTLP/JSON), or one of `names` (what some older senders wrote). */
export function asEnum(
  value: unknown,
  path: string,
  names: Readonly<Record<string, number>>,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && Object.hasOwn(names, value)) return names[value];
  return fail(path, 'an integer enum value');
}
