import { describe, expect, it } from 'vitest';
import { type MonthPartition, parseBefore, planRetention } from '../../../retention/index.js';

const month = (table: MonthPartition['table'], y: number, m: number): MonthPartition => ({
  table,
  partition: `${table}_y${y}m${String(m).padStart(2, '0')}`,
  from: new Date(Date.UTC(y, m - 1, 1)),
  to: new Date(Date.UTC(y, m, 1)),
});

const NOW = new Date('2026-12-05T12:00:00Z');
const ALL = [9, 10, 11, 12, 1].flatMap((m) => {
  const y = m === 1 ? 2027 : 2026;
  return [month('audit_log', y, m), month('llm_usage', y, m)];
});

describe('planRetention', () => {
  it('cuts whole months that end on or before the date, oldest first', () => {
    const plan = planRetention(ALL, parseBefore('2026-11-01')!, NOW);
    expect(plan.ok && plan.cut.map((p) => p.partition)).toEqual([
      'audit_log_y2026m09',
      'llm_usage_y2026m09',
      'audit_log_y2026m10',
      'llm_usage_y2026m10',
    ]);
  });

  it('keeps a month the date falls inside, and never cuts the current month', () => {
    const mid = planRetention(ALL, parseBefore('2026-12-04')!, NOW);
    expect(mid.ok && mid.cut.map((p) => p.partition).at(-1)).toBe('llm_usage_y2026m11');
    const current = planRetention(ALL, parseBefore('2027-01-01')!, NOW);
    expect(current).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /would cut 2026-12, the current month .*--before 2026-12-01 or earlier/,
      ),
    });
  });

  it('parses only real calendar dates', () => {
    expect(parseBefore('2026-02-30')).toBeUndefined();
    expect(parseBefore('last year')).toBeUndefined();
    expect(parseBefore('2026-02-28')?.toISOString()).toBe('2026-02-28T00:00:00.000Z');
  });
});
