import type { Attributes } from '@opentelemetry/api';

/**
 * The first non-empty string among `fields` of a JSON-object-valued string attribute
 * (llm.invocation_parameters, metadata). Parses only when the attribute is present and looks
 * like an object, so spans without it pay one property read; malformed JSON reads as absent.
 */
export function readJsonStringField(
  attributes: Attributes,
  key: string,
  fields: readonly string[],
): string | undefined {
  const raw = attributes[key];
  if (typeof raw !== 'string' || raw.charCodeAt(0) !== 123 /* { */) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const object = parsed as Record<string, unknown>;
  for (const field of fields) {
    const value = object[field];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
}
