import type { Attributes } from '@opentelemetry/api';
import { SPANLEDGER_INPUT_HASH, SPANLEDGER_OUTPUT_HASH } from '../../semconv/index.js';
import { keyedDigestHex } from '../../shared/digest/index.js';
import { KeyKind, keyKind, MAX_KEY_LENGTH } from './attribute-keys.js';
import { readString } from './attribute-readers.js';
import { digestText, KeyedMemo } from './digest.js';
import { addFlag } from './flags.js';
import { filterParameterJson } from './parameter-json.js';
import { REDACTED, redactSecrets } from './redact.js';
import { type SafeAttributeValue, sanitizeAttributeValue, sanitizeString } from './sanitize.js';

export { hmacHex } from './digest.js';

/** What the privacy pass needs from the transform options. */
export interface ContentOptions {
  captureContent: boolean;
  hashKey: string;
  maxStringLength: number;
  /** Keys kept verbatim with capture off besides the built-in allowlist. */
  allowedAttributes?: ReadonlySet<string> | undefined;
}

/** The attributes to store and the content columns, after the privacy rules ran. */
export interface ContentResult {
  /** Non-content, non-column attributes: sanitised, secrets redacted (not yet size-capped). */
  attributes: Record<string, unknown>;
  input_hash: string | null;
  output_hash: string | null;
  input_content: string | null;
  output_content: string | null;
}

/** Hex HMAC-SHA-256 is 64 characters; anything a span claims beyond that is not a hash of ours. */
const MAX_HASH_LENGTH = 256;

/**
 * The single pass over a span's attributes. Content attributes are taken out (hashed; kept only
 * with captureContent), column attributes are dropped, secret keys are redacted, and every value
 * that will be stored is sanitised and scanned for secret-looking substrings. With capture off,
 * only allowlisted keys keep their text: other strings and arrays are stored as digests.
 */
export function splitAttributes(
  attributes: Attributes,
  options: ContentOptions,
  flags: string[],
): ContentResult {
  const kept: Record<string, unknown> = {};
  // Most spans carry no content: allocate the lists only when one turns up.
  let inputKeys: string[] | undefined;
  let outputKeys: string[] | undefined;
  for (const key in attributes) {
    const value = attributes[key];
    if (value === undefined) continue;
    const kind = keyKind(key);
    switch (kind) {
      case KeyKind.Consumed:
        break;
      case KeyKind.InputContent:
        inputKeys = append(inputKeys, key);
        break;
      case KeyKind.OutputContent:
        outputKeys = append(outputKeys, key);
        break;
      case KeyKind.Secret:
        kept[sanitizeString(key, MAX_KEY_LENGTH, flags)] = REDACTED;
        addFlag(flags, 'redacted');
        break;
      case KeyKind.Plain:
        keepPlain(kept, key, value, options, flags);
        break;
      default:
        keepUnlisted(kept, key, kind, value, options, flags);
    }
  }
  return {
    attributes: kept,
    input_hash: contentHash(attributes, SPANLEDGER_INPUT_HASH, inputKeys, options, flags),
    output_hash: contentHash(attributes, SPANLEDGER_OUTPUT_HASH, outputKeys, options, flags),
    input_content: capturedContent(attributes, inputKeys, options, flags),
    output_content: capturedContent(attributes, outputKeys, options, flags),
  };
}

function append(keys: string[] | undefined, key: string): string[] {
  if (keys === undefined) return [key];
  keys.push(key);
  return keys;
}

function keepPlain(
  kept: Record<string, unknown>,
  key: string,
  value: unknown,
  options: ContentOptions,
  flags: string[],
): void {
  if (typeof value === 'string') {
    // Redact before truncating, so a cut cannot leave a recognisable half of a secret behind.
    kept[key] = sanitizeString(redactSecrets(value, flags), options.maxStringLength, flags);
    return;
  }
  const safe = sanitizeAttributeValue(value, options.maxStringLength, flags);
  if (safe !== undefined) kept[key] = redactValue(safe, flags);
}

/**
 * A key off the allowlist. With capture on (or when the caller allowed it) it is kept like a
 * plain one. With capture off numbers and booleans stay (they carry no text), strings and
 * arrays (token ids and vectors are arrays of numbers) become digests, parameter JSON keeps its
 * allowlisted fields, and a key that is not shaped like an attribute name is digested too.
 */
function keepUnlisted(
  kept: Record<string, unknown>,
  key: string,
  kind: KeyKind,
  value: unknown,
  options: ContentOptions,
  flags: string[],
): void {
  const odd = kind === KeyKind.UnsafePlain;
  if (options.captureContent || options.allowedAttributes?.has(key) === true) {
    keepPlain(kept, odd ? sanitizeString(key, MAX_KEY_LENGTH, flags) : key, value, options, flags);
    return;
  }
  const storedKey = odd ? digestText(options.hashKey, key) : key;
  if (odd) addFlag(flags, 'digested');
  if (typeof value === 'string') {
    if (value === '') kept[storedKey] = value;
    else if (kind === KeyKind.ParameterJson) {
      const [filtered, digested] = filteredParameters(options.hashKey, value);
      if (digested) addFlag(flags, 'digested');
      keepPlain(kept, storedKey, filtered, options, flags);
    } else {
      kept[storedKey] = digestText(options.hashKey, value);
      addFlag(flags, 'digested');
    }
    return;
  }
  if (Array.isArray(value)) {
    kept[storedKey] = digestText(options.hashKey, valueText(value));
    addFlag(flags, 'digested');
    return;
  }
  const safe = sanitizeAttributeValue(value, options.maxStringLength, flags);
  if (safe !== undefined) kept[storedKey] = safe;
}

/** Parameter JSON repeats from span to span ({"model":"gpt-4o-mini"}): parse it once. */
const parameterMemo = new KeyedMemo<readonly [text: string, digested: boolean]>(1_024, 1_024);

function filteredParameters(hashKey: string, text: string): readonly [string, boolean] {
  return parameterMemo.get(hashKey, text, () => {
    let digested = false;
    const filtered = filterParameterJson(
      text,
      (part) => digestText(hashKey, part),
      () => {
        digested = true;
      },
    );
    return [filtered, digested] as const;
  });
}

function redactValue(value: SafeAttributeValue, flags: string[]): SafeAttributeValue {
  if (!Array.isArray(value)) return value;
  let out: SafeAttributeValue[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const element = value[i];
    if (typeof element !== 'string') continue;
    const redacted = redactSecrets(element, flags);
    if (redacted === element) continue;
    out ??= value.slice();
    out[i] = redacted;
  }
  return (out as typeof value | undefined) ?? value;
}

/** A content value as text: strings as they are, arrays (ai.values, ...) as JSON. */
function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}

/**
 * The text a content hash covers: the values of the content attributes in key order, joined by
 * "\n". With a single attribute (the usual gen_ai.input.messages) it is exactly that value, so
 * anyone holding the key can recompute it.
 */
export function contentHashText(attributes: Attributes, keys: readonly string[]): string {
  if (keys.length === 1) return valueText(attributes[keys[0]!]);
  return [...keys]
    .sort()
    .map((key) => valueText(attributes[key]))
    .join('\n');
}

function contentHash(
  attributes: Attributes,
  spanHashAttribute: string,
  keys: string[] | undefined,
  options: ContentOptions,
  flags: string[],
): string | null {
  // The instrumentation hashes before content leaves the process; its hash wins.
  const fromSpan = readString(attributes, spanHashAttribute);
  if (fromSpan !== undefined) return sanitizeString(fromSpan, MAX_HASH_LENGTH, flags);
  if (keys === undefined) return null;
  return keyedDigestHex(options.hashKey, contentHashText(attributes, keys));
}

/**
 * With captureContent, one attribute's value as is, or several (OpenLLMetry's indexed
 * gen_ai.prompt.N.*) as a JSON object keyed by attribute name. Always redacted and capped.
 */
function capturedContent(
  attributes: Attributes,
  keys: string[] | undefined,
  options: ContentOptions,
  flags: string[],
): string | null {
  if (!options.captureContent || keys === undefined) return null;
  let text: string;
  if (keys.length === 1) {
    text = valueText(attributes[keys[0]!]);
  } else {
    const byKey: Record<string, unknown> = {};
    for (const key of [...keys].sort()) byKey[key] = attributes[key];
    text = JSON.stringify(byKey);
  }
  return sanitizeString(redactSecrets(text, flags), options.maxStringLength, flags);
}
