import { keyedDigestHex } from '../shared/digest/index.js';

const REDACTED = '[REDACTED]';

/** Key segments that name a secret; token *counts* (`…_tokens`) are not secrets. */
const SECRET_KEY =
  /^(authorization|cookie|set-cookie|password|passwd|pwd|secret|token|credentials?|x-api-key|api[-_]?key|access[-_]?key|private[-_]?key|client[-_]?secret)$|(api[-_]?key|apikey|_token|_secret|_password|private_key|access_key)$/i;

/** Values that look like credentials whatever key holds them. */
const SECRET_PATTERNS: RegExp[] = [
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{8,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bAIza[0-9A-Za-z_-]{30,}\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g,
  /\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g,
  /(?<=:\/\/[^/\s:@]+:)[^@\s/]+(?=@)/g,
  /(?<=\b(?:password|passwd|pwd|secret|api_key|apikey|token|sig)\s*[=:]\s*)[^\s&"',;]+/gi,
];

/** Whether an object key names a secret (by its last dotted segment). */
export function isSecretKey(key: string): boolean {
  const segment = key.split('.').pop() ?? key;
  if (/_tokens$/i.test(segment)) return false;
  return SECRET_KEY.test(segment);
}

/** `text` with every credential-looking value replaced by [REDACTED]. */
export function redactText(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}

/**
 * A deep copy of `value` with secret-named keys and credential-looking strings redacted, so tool
 * arguments can go on a span. Depth-limited and cycle-safe: it runs on app data.
 */
export function redactValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 16 || seen.has(value)) return REDACTED;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSecretKey(key) ? REDACTED : redactValue(item, depth + 1, seen);
  }
  return out;
}

/** Content as one string: strings as they are, anything else as JSON. */
export function contentText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}

/**
 * The keyed digest of the content under `key` (shared/digest/keyed-digest.ts, docs/instrumentation.md):
 * comparable, not reversible without the key.
 */
export function digest(value: unknown, key: string): string {
  return digestText(contentText(value), key);
}

/** {@link digest} of content already turned into text by {@link contentText}. */
export function digestText(text: string, key: string): string {
  return keyedDigestHex(key, text);
}
