import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditPageParams, parseParams, parseTimeBound } from '../../../query/index.js';

describe('parseTimeBound', () => {
  it('reads dates as UTC midnights; an inclusive end becomes the next day', () => {
    expect(parseTimeBound('2026-11-01', false)).toEqual({
      text: '2026-11-01T00:00:00Z',
      ms: Date.parse('2026-11-01T00:00:00Z'),
      date: '2026-11-01',
    });
    expect(parseTimeBound('2026-11-30', true)?.text).toBe('2026-12-01T00:00:00Z');
    expect(parseTimeBound('2026-12-31', true)?.date).toBe('2027-01-01');
    expect(parseTimeBound('2024-02-29', false)?.date).toBe('2024-02-29');
    expect(parseTimeBound('9999-12-31', true)?.text).toBe('infinity');
  });

  it('keeps timestamps as written (microseconds and offsets intact)', () => {
    expect(parseTimeBound('2026-11-01T10:00:00.123456+02:00', false)).toEqual({
      text: '2026-11-01T10:00:00.123456+02:00',
      ms: Date.parse('2026-11-01T08:00:00.123Z'),
    });
    expect(parseTimeBound('2026-11-01 10:00:00z', false)?.ms).toBe(
      Date.parse('2026-11-01T10:00:00Z'),
    );
  });

  it('refuses what Postgres would refuse or misread', () => {
    for (const bad of [
      '2026-02-29',
      '2026-13-01',
      '2026-00-10',
      '2026-04-31',
      '0999-01-01',
      '2026-11-01T24:00:00Z',
      '2026-11-01T10:60:00Z',
      '2026-11-01T10:00:00', // no zone: ambiguous
      '2026-11-01T10:00:00+16:00',
      '2026-11-01T10:00:00 02:00', // "+" decoded as a space
      'now',
      'infinity',
      '2026-11-01; DROP TABLE x',
      '',
    ]) {
      expect(parseTimeBound(bad, false), bad).toBeUndefined();
    }
  });

  it('accepts every instant JavaScript can print, with the same meaning', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1000-01-01T00:00:00Z'),
          max: new Date('9999-12-30T00:00:00Z'),
          noInvalidDate: true,
        }),
        (date) => {
          const iso = date.toISOString();
          expect(parseTimeBound(iso, false)).toEqual({ text: iso, ms: date.getTime() });
        },
      ),
    );
  });
});

describe('parseParams', () => {
  it('names every bad parameter with its value', () => {
    expect(() => parseParams(auditPageParams, { limit: '0', status: 'bad', extra: '1' })).toThrow(
      'status must be one of ok, error (got "bad"); limit must be an integer between 1 and 1000 (got "0"); unknown parameter "extra" (known: from, to, tenant_id,',
    );
  });

  it('returns typed values with defaults', () => {
    const params = parseParams(auditPageParams, { trace_id: 'AB'.repeat(16), to: '2026-11-30' });
    expect(params.limit).toBe(100);
    expect(params.trace_id).toBe('ab'.repeat(16));
    expect(params.to?.text).toBe('2026-12-01T00:00:00Z');
  });
});
