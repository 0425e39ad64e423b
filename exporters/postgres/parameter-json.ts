import { METADATA_PARAMETER_FIELDS } from './attribute-allowlist.js';
import { isKeyShaped } from './attribute-keys.js';

type Scalar = string | number | boolean | null;

function isScalar(value: unknown): value is Scalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/**
 * Parameter values worth keeping: scalars, lists of scalars (stop sequences) and flat objects of
 * scalars (stream_options, LangChain's package versions). Nested structures are where schemas,
 * tool definitions and messages live.
 */
function isFlat(value: unknown): boolean {
  if (isScalar(value)) return true;
  if (Array.isArray(value)) return value.every(isScalar);
  if (typeof value !== 'object') return false;
  for (const field of Object.values(value as object)) if (!isScalar(field)) return false;
  return true;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A request-parameters (or metadata) JSON object with capture off: allowlisted fields with flat
 * values are kept, every other value becomes `digest(its JSON)` (a field name that is not
 * shaped like one is digested too). Text that is not a JSON object is digested whole.
 * `digested` is called when anything was.
 */
export function filterParameterJson(
  text: string,
  digest: (text: string) => string,
  digested: () => void,
): string {
  const parsed = parseObject(text);
  if (parsed === undefined) {
    digested();
    return digest(text);
  }
  // No prototype: a "__proto__" field stays a plain field.
  const kept: Record<string, unknown> = Object.create(null);
  let changed = false;
  for (const field of Object.keys(parsed)) {
    const value = parsed[field];
    if (METADATA_PARAMETER_FIELDS.has(field) && isFlat(value)) {
      kept[field] = value;
      continue;
    }
    changed = true;
    kept[isKeyShaped(field) ? field : digest(field)] = digest(JSON.stringify(value) ?? 'null');
  }
  if (changed) digested();
  // Re-serialised even when nothing changed: with a repeated field, JSON.parse keeps the last
  // value, and the raw text would still carry the first.
  return JSON.stringify(kept);
}
