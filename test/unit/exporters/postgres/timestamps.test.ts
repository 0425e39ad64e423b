import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  durationMs,
  formatTimestamp,
  isValidEpochMs,
} from '../../../../exporters/postgres/timestamps.js';

describe('formatTimestamp', () => {
  it.each([
    [0, '1970-01-01T00:00:00.000000Z'],
    [1732350000123.456, '2024-11-23T08:20:00.123456Z'],
    [951782400000, '2000-02-29T00:00:00.000000Z'],
    [-1, '1969-12-31T23:59:59.999000Z'],
    [-0.5, '1969-12-31T23:59:59.999500Z'],
    [1e12 + 0.9996, '2001-09-09T01:46:40.001000Z'],
    [-62135596800000, '0001-01-01T00:00:00.000000Z'],
    [253402300799999, '9999-12-31T23:59:59.999000Z'],
  ])('%d → %s', (ms, iso) => {
    expect(formatTimestamp(ms)).toBe(iso);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, -62135596800001, 253402300800000, 1e20])(
    'rejects %d',
    (ms) => {
      expect(formatTimestamp(ms)).toBeUndefined();
      expect(isValidEpochMs(ms)).toBe(false);
    },
  );

  it('agrees with Date for every whole millisecond in range', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62135596800000, max: 253402300799999 }), (ms) => {
        const iso = new Date(ms).toISOString();
        expect(formatTimestamp(ms)).toBe(`${iso.slice(0, 23)}000Z`);
      }),
      { numRuns: 5000 },
    );
  });

  it('keeps microseconds of current times', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 }),
        fc.integer({ min: 0, max: 999 }),
        (ms, us) => {
          expect(formatTimestamp(ms + us / 1000)?.slice(20, 26)).toBe(
            `${String(ms % 1000).padStart(3, '0')}${String(us).padStart(3, '0')}`,
          );
        },
      ),
    );
  });
});

describe('durationMs', () => {
  it('rounds to microseconds', () => {
    expect(durationMs(1000.0001, 1250.1234567)).toBe(250.123);
  });
});
