import { createHmac } from 'node:crypto';

/** What a digested value starts with, so a reader can tell it from a value that is hex. */
export const DIGEST_PREFIX = 'hmac-sha256:';

/** Hex HMAC-SHA-256 of `text` under `key`. */
export function hmacHex(key: string, text: string): string {
  return createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

/**
 * Values this short repeat across spans (feature names, tags, user agents): their digests are
 * remembered, since an HMAC costs several microseconds. Longer values rarely repeat.
 */
const MEMO_MAX_TEXT = 256;
const MEMO_LIMIT = 4_096;
const memos = new Map<string, Map<string, string>>();

function memoFor(key: string): Map<string, string> {
  let memo = memos.get(key);
  if (memo === undefined) {
    // A process uses one or two keys; a test suite may use many: keep the map of maps bounded.
    if (memos.size >= 16) memos.clear();
    memo = new Map();
    memos.set(key, memo);
  }
  return memo;
}

/**
 * `hmac-sha256:<hex>` of `text` under the hash key: what is stored instead of text the
 * allowlist does not cover. Anyone holding the key can check a guess; nobody else can.
 */
export function digestText(key: string, text: string): string {
  if (text.length > MEMO_MAX_TEXT) return DIGEST_PREFIX + hmacHex(key, text);
  const memo = memoFor(key);
  let digest = memo.get(text);
  if (digest === undefined) {
    digest = DIGEST_PREFIX + hmacHex(key, text);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(text, digest);
  }
  return digest;
}
