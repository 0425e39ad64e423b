import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hmacSha256Hex } from '../../../instrumentation/hmac.js';

const reference = (key: string, text: string) =>
  createHmac('sha256', key).update(text).digest('hex');

// Any UTF-16 string, lone surrogates included (both sides encode them as U+FFFD).
const anyString = (maxLength: number) =>
  fc.oneof(fc.string({ unit: 'binary', maxLength }), fc.string({ maxLength }));

describe('hmacSha256Hex', () => {
  it('is HMAC-SHA-256 as node:crypto computes it, for any key and text', () => {
    fc.assert(
      fc.property(anyString(100), anyString(300), (key, text) => {
        expect(hmacSha256Hex(key, text)).toBe(reference(key, text));
      }),
      { numRuns: 2000 },
    );
  });

  it('handles the key shapes that take the other paths: long, non-ASCII, empty', () => {
    const keys = ['k', 'x'.repeat(64), 'x'.repeat(65), 'ключ', '\u00ff'.repeat(40), '', 'a\u0000b'];
    for (const key of keys) {
      for (const text of ['', 'hello', '[{"role":"user","content":"hi"}]', 'é'.repeat(5000)]) {
        expect(hmacSha256Hex(key, text)).toBe(reference(key, text));
      }
    }
  });

  it('switching keys back and forth keeps each key its own', () => {
    expect(hmacSha256Hex('one', 'text')).toBe(reference('one', 'text'));
    expect(hmacSha256Hex('two', 'text')).toBe(reference('two', 'text'));
    expect(hmacSha256Hex('one', 'text')).toBe(reference('one', 'text'));
  });
});
