import type { Attributes } from '@opentelemetry/api';

/**
 * A non-empty string attribute. Numbers and booleans are stringified because OTLP senders
 * disagree on types for ids (jsonrpc.request.id may be an int, a tool call id a string).
 */
export function readString(attributes: Attributes, key: string): string | undefined {
  const value = attributes[key];
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** The first of `keys` that holds a non-empty string (see {@link readString}). */
export function firstString(attributes: Attributes, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = readString(attributes, key);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The first of `keys` whose value is present (not undefined or null). */
export function firstPresentKey(
  attributes: Attributes,
  keys: readonly string[],
): string | undefined {
  for (const key of keys) {
    const value = attributes[key];
    if (value !== undefined && value !== null) return key;
  }
  return undefined;
}
