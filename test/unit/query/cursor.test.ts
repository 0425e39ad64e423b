import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeCursor,
  encodeCursor,
  filterFingerprint,
  QueryApiError,
} from '../../../query/index.js';

const hex = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });

describe('keyset cursor', () => {
  it('round-trips any position', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -62_135_596_800_000_000n, max: 253_402_300_799_999_999n }),
        hex(32),
        hex(16),
        (micros, traceId, spanId) => {
          const position = { startedUs: micros.toString(), traceId, spanId };
          const print = filterFingerprint({ status: 'ok' });
          expect(decodeCursor(encodeCursor(position, print), print)).toEqual(position);
        },
      ),
    );
  });

  it('is opaque URL-safe text', () => {
    const cursor = encodeCursor(
      { startedUs: '1', traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) },
      'x',
    );
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('never accepts arbitrary input: anything not ours is a 400', () => {
    const print = filterFingerprint({});
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          decodeCursor(text, print);
        } catch (err) {
          expect(err).toBeInstanceOf(QueryApiError);
          expect((err as QueryApiError).statusCode).toBe(400);
          return;
        }
        throw new Error(`accepted ${JSON.stringify(text)}`);
      }),
    );
  });

  it('belongs to its filters', () => {
    const position = {
      startedUs: '1700000000000000',
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
    };
    const cursor = encodeCursor(position, filterFingerprint({ user_id: 'ann' }));
    expect(() => decodeCursor(cursor, filterFingerprint({ user_id: 'bob' }))).toThrow(
      'cursor belongs to a listing with other filters',
    );
    const from = { text: '2026-11-01T00:00:00Z', ms: 1, date: '2026-11-01' };
    expect(filterFingerprint({ from })).toBe(filterFingerprint({ from: { ...from, ms: 2 } }));
  });
});
