import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DIGEST_VERSION_PREFIX,
  digestSubkey,
  keyedDigestHex,
} from '../../../shared/digest/index.js';

/** The definition in docs/instrumentation.md, spelled out with node:crypto's streaming API. */
const reference = (key: string, text: string) => {
  const subkey = createHmac('sha256', key).update('spanledger digest v2').digest('hex');
  return `v2:${createHash('sha512-256')
    .update(subkey + text, 'utf8')
    .digest('hex')}`;
};

// Any UTF-16 string, lone surrogates included (both sides encode them as U+FFFD).
const anyString = (maxLength: number) =>
  fc.oneof(fc.string({ unit: 'binary', maxLength }), fc.string({ maxLength }));

describe('keyedDigestHex (digest version 2)', () => {
  it('matches known vectors computed with Python hashlib/hmac', () => {
    // sub = hmac.new(b'unit-test-key', b'spanledger digest v2', 'sha256').hexdigest()
    // 'v2:' + hashlib.new('sha512_256', (sub + text).encode()).hexdigest()
    const vectors: Array<[string, string]> = [
      [
        '[{"role":"user","content":"hi"}]',
        'v2:889812324ccd94609360368fef383a6833723f2f77e75016a64f28fa13d9547a',
      ],
      ['', 'v2:22cf7be8f072b061cfe24e9f934477a32ee75c27a53933141c2e7aa3ffd8b0bb'],
      [
        'Hello from the fake provider.',
        'v2:1f66887212e836c9383c0193038900c0a52806b54538ef933c01a3ecebcdb22e',
      ],
      ['é€😀', 'v2:7345633e248f606295d91ee628aa7dfc4480130f6f6104db1526b29bb9346f92'],
    ];
    for (const [text, expected] of vectors)
      expect(keyedDigestHex('unit-test-key', text)).toBe(expected);
  });

  it('is the documented definition for any key and text', () => {
    fc.assert(
      fc.property(anyString(100), anyString(300), (key, text) => {
        expect(keyedDigestHex(key, text)).toBe(reference(key, text));
      }),
      { numRuns: 1000 },
    );
  });

  it('is versioned and keyed: the prefix, then 64 hex digits that change with the key', () => {
    const digest = keyedDigestHex('one', 'text');
    expect(digest.startsWith(DIGEST_VERSION_PREFIX)).toBe(true);
    expect(digest).toMatch(/^v2:[0-9a-f]{64}$/);
    expect(keyedDigestHex('two', 'text')).not.toBe(digest);
    expect(keyedDigestHex('one', 'text')).toBe(digest);
    expect(digestSubkey('one')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('handles long, non-ASCII and empty keys', () => {
    for (const key of ['x'.repeat(65), 'ключ', '', 'a\u0000b']) {
      for (const text of ['', 'hello', 'é'.repeat(5000)]) {
        expect(keyedDigestHex(key, text)).toBe(reference(key, text));
      }
    }
  });
});
