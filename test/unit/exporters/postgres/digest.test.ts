import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DIGEST_PREFIX, digestText, KeyedMemo } from '../../../../exporters/postgres/digest.js';

const hmac = (key: string, text: string) =>
  DIGEST_PREFIX + createHmac('sha256', key).update(text, 'utf8').digest('hex');

describe('digestText', () => {
  it('is the prefixed hex HMAC-SHA-256, remembered or not, per key', () => {
    for (const text of ['cart-summary', 'x'.repeat(300), '', 'é ✓ 🙂']) {
      expect(digestText('k1', text)).toBe(hmac('k1', text));
      expect(digestText('k1', text)).toBe(hmac('k1', text));
      expect(digestText('k2', text)).toBe(hmac('k2', text));
    }
  });
});

describe('KeyedMemo', () => {
  it('computes once per (key, text) and stays bounded', () => {
    const memo = new KeyedMemo<number>(8, 3);
    let calls = 0;
    const get = (key: string, text: string) => memo.get(key, text, () => ++calls);
    expect(get('a', 'x')).toBe(1);
    expect(get('a', 'x')).toBe(1);
    expect(get('b', 'x')).toBe(2);
    // Longer than maxText: computed every time.
    expect(get('a', 'long text!')).toBe(3);
    expect(get('a', 'long text!')).toBe(4);
    // Holds three texts; a fourth clears it, so the first is computed again.
    get('a', 'y');
    get('a', 'z');
    get('a', 'w');
    expect(get('a', 'x')).toBe(8);
  });
});
