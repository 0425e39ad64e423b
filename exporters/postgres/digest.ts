import { createHmac } from 'node:crypto';

/** What a digested value starts with, so a reader can tell it from a value that is hex. */
export const DIGEST_PREFIX = 'hmac-sha256:';

/** Hex HMAC-SHA-256 of `text` under `key`. */
export function hmacHex(key: string, text: string): string {
  return createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

/**
 * Results computed from (hash key, text), remembered for short texts: an HMAC costs several
 * microseconds, and most values that are digested repeat from span to span (feature names, user
 * agents, request parameters). Bounded: texts up to `maxText` characters, `limit` per key (the
 * map is cleared when full), four keys (a process uses one; a test suite may use many).
 */
export class KeyedMemo<T> {
  private readonly byKey = new Map<string, Map<string, T>>();

  constructor(
    private readonly maxText: number,
    private readonly limit: number,
  ) {}

  /** `compute()`'s result for (key, text), from memory when it was computed before. */
  get(key: string, text: string, compute: () => T): T {
    if (text.length > this.maxText) return compute();
    let memo = this.byKey.get(key);
    if (memo === undefined) {
      if (this.byKey.size >= 4) this.byKey.clear();
      memo = new Map();
      this.byKey.set(key, memo);
    }
    let value = memo.get(text);
    if (value === undefined) {
      value = compute();
      if (memo.size >= this.limit) memo.clear();
      memo.set(text, value);
    }
    return value;
  }
}

const digests = new KeyedMemo<string>(256, 4_096);

/**
 * `hmac-sha256:<hex>` of `text` under the hash key: what is stored instead of text the
 * allowlist does not cover. Anyone holding the key can check a guess; nobody else can.
 */
export function digestText(key: string, text: string): string {
  return digests.get(key, text, () => DIGEST_PREFIX + hmacHex(key, text));
}
