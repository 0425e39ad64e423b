import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  capAttributes,
  sanitizeAttributeValue,
  sanitizeString,
  truncateCodePoints,
} from '../../../../exporters/postgres/sanitize.js';

type WellFormed = string & { isWellFormed(): boolean };
const isWellFormed = (s: string) => (s as WellFormed).isWellFormed();

const anyUnits = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      fc.string({ unit: 'binary' }),
    ),
  )
  .map((parts) => parts.join(''));

describe('sanitizeString', () => {
  it('returns clean strings unchanged and unflagged (same reference)', () => {
    const flags: string[] = [];
    const s = 'héllo \u{1F600} wörld';
    expect(sanitizeString(s, 100, flags)).toBe(s);
    expect(flags).toEqual([]);
  });

  it('replaces NUL and lone surrogates with U+FFFD and flags sanitized', () => {
    const flags: string[] = [];
    expect(sanitizeString('a\u0000b\uD800c\uDC00d', 100, flags)).toBe('a\uFFFDb\uFFFDc\uFFFDd');
    expect(flags).toEqual(['sanitized']);
  });

  it('truncates on a code-point boundary and flags truncated', () => {
    const flags: string[] = [];
    // The cut would fall between the two halves of the emoji: it goes before it instead.
    expect(sanitizeString('abc\u{1F600}', 4, flags)).toBe('abc');
    expect(flags).toEqual(['truncated']);
  });

  it('always yields a well-formed, NUL-free string within the cap; unchanged or flagged', () => {
    fc.assert(
      fc.property(anyUnits, fc.integer({ min: 1, max: 64 }), (s, max) => {
        const flags: string[] = [];
        const out = sanitizeString(s, max, flags);
        expect(isWellFormed(out)).toBe(true);
        expect(out.includes('\u0000')).toBe(false);
        expect(out.length).toBeLessThanOrEqual(max);
        if (out === s) expect(flags).toEqual([]);
        else expect(flags.length).toBeGreaterThan(0);
        if (s.length > max) expect(flags).toContain('truncated');
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps a well-formed prefix: truncation never splits a pair', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.integer({ min: 1, max: 40 }), (s, max) => {
        const cut = truncateCodePoints(s, max);
        expect(s.startsWith(cut)).toBe(true);
        expect(isWellFormed(cut)).toBe(true);
        expect(cut.length).toBeGreaterThanOrEqual(Math.min(s.length, max) - 1);
      }),
    );
  });
});

describe('sanitizeAttributeValue', () => {
  it('keeps numbers and booleans, stringifies non-finite numbers', () => {
    const flags: string[] = [];
    expect(sanitizeAttributeValue(42, 10, flags)).toBe(42);
    expect(sanitizeAttributeValue(true, 10, flags)).toBe(true);
    expect(sanitizeAttributeValue(Number.NaN, 10, flags)).toBe('NaN');
    expect(sanitizeAttributeValue(Number.POSITIVE_INFINITY, 10, flags)).toBe('Infinity');
    expect(sanitizeAttributeValue(Number.NEGATIVE_INFINITY, 10, flags)).toBe('-Infinity');
    expect(flags).toEqual([]);
  });

  it('sanitises array elements and nulls what is not an attribute value', () => {
    const flags: string[] = [];
    expect(sanitizeAttributeValue(['a\u0000', 1, Number.NaN, null, { x: 1 }], 10, flags)).toEqual([
      'a\uFFFD',
      1,
      'NaN',
      null,
      null,
    ]);
    expect(flags).toEqual(['sanitized']);
    expect(sanitizeAttributeValue({ nested: true }, 10, [])).toBeUndefined();
  });

  it('turns negative zero into zero, which is all JSON can carry', () => {
    expect(Object.is(sanitizeAttributeValue(-0, 10, []), 0)).toBe(true);
    expect(sanitizeAttributeValue([-0, 1], 10, [])).toEqual([0, 1]);
  });

  it('produces JSON that survives a round trip for any attribute value', () => {
    const value = fc.oneof(
      anyUnits,
      fc.double(),
      fc.boolean(),
      fc.array(fc.oneof(anyUnits, fc.double(), fc.boolean(), fc.constant(null))),
    );
    fc.assert(
      fc.property(value, (v) => {
        const safe = sanitizeAttributeValue(v, 1000, []);
        expect(JSON.parse(JSON.stringify(safe))).toEqual(safe);
      }),
    );
  });
});

describe('capAttributes', () => {
  it('leaves small objects alone', () => {
    const flags: string[] = [];
    const attributes = { a: 'x', b: 1 };
    expect(capAttributes(attributes, 1024, flags)).toEqual({ a: 'x', b: 1 });
    expect(flags).toEqual([]);
  });

  it('drops the largest values first and records how many', () => {
    const flags: string[] = [];
    const attributes: Record<string, unknown> = {
      small: 'keep me',
      huge: 'x'.repeat(5000),
      big: 'y'.repeat(3000),
    };
    for (let i = 0; i < 10; i++) attributes[`k${i}`] = i;
    const out = capAttributes(attributes, 4000, flags);
    expect(out).not.toHaveProperty('huge');
    expect(out.big).toBe('y'.repeat(3000));
    expect(out.small).toBe('keep me');
    expect(out['spanledger.dropped_attributes']).toBe(1);
    expect(flags).toEqual(['attributes_truncated']);
  });

  it('stays under the cap for any attribute set and keeps its notes', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 20 }),
          fc.oneof(
            fc.string({ unit: 'binary', maxLength: 2000 }),
            fc.string({ unit: fc.constantFrom('\u0001', '"', '\\', 'é'), maxLength: 2000 }),
          ),
          {
            maxKeys: 40,
          },
        ),
        fc.integer({ min: 1024, max: 8192 }),
        (dictionary, max) => {
          const attributes: Record<string, unknown> = {
            ...dictionary,
            'spanledger.usage_convention': 'otel_genai',
          };
          const out = capAttributes(attributes, max, []);
          expect(Buffer.byteLength(JSON.stringify(out))).toBeLessThanOrEqual(max);
          expect(out['spanledger.usage_convention']).toBe('otel_genai');
        },
      ),
      { numRuns: 300 },
    );
  });
});
