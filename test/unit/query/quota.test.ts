import { describe, expect, it } from 'vitest';
import type { QuotaRule } from '../../../query/index.js';
import { applicableRules, evaluateQuota, periodBounds } from '../../../query/index.js';

const rules: QuotaRule[] = [
  { tenant: 'acme', user: 'ann', period: 'day', tokens: 100 },
  { tenant: 'acme', user: '*', period: 'day', tokens: 1_000 },
  { tenant: '*', user: '*', period: 'day', cost_usd: 5 },
  { tenant: 'acme', period: 'month', cost_usd: 50, tokens: 1_000_000 },
  { tenant: '*', period: 'month', cost_usd: 10 },
];

describe('quota rules', () => {
  it('picks the most specific rule for the user and for the tenant', () => {
    expect(applicableRules(rules, 'acme', 'ann', 'day')).toEqual({ user: rules[0] });
    expect(applicableRules(rules, 'acme', 'bob', 'day')).toEqual({ user: rules[1] });
    expect(applicableRules(rules, 'globex', 'gail', 'day')).toEqual({ user: rules[2] });
    expect(applicableRules(rules, 'acme', 'ann', 'month')).toEqual({ tenant: rules[3] });
    expect(applicableRules(rules, 'globex', undefined, 'month')).toEqual({ tenant: rules[4] });
    expect(applicableRules([], 'acme', 'ann', 'day')).toEqual({});
  });

  it('computes UTC periods, across month and year ends', () => {
    expect(periodBounds('day', new Date('2026-12-31T23:59:59.999Z'))).toEqual({
      start: '2026-12-31',
      end: '2027-01-01',
      startIso: '2026-12-31T00:00:00.000Z',
      endIso: '2027-01-01T00:00:00.000Z',
    });
    expect(periodBounds('month', new Date('2026-12-15T00:00:00Z'))).toMatchObject({
      start: '2026-12-01',
      end: '2027-01-01',
    });
    expect(periodBounds('month', new Date('2024-02-29T12:00:00Z'))).toMatchObject({
      start: '2024-02-01',
      end: '2024-03-01',
    });
  });

  it('reports every check and the binding one', () => {
    const usage = { tokens: 900_000, cost_usd: 49.9999999999, calls: 10, unpriced_calls: 1 };
    const report = evaluateQuota({
      tenant: 'acme',
      user: undefined,
      period: 'month',
      bounds: { startIso: 's', endIso: 'e' },
      rules: { tenant: rules[3] },
      usage: { tenant: usage },
    });
    expect(report.checks).toEqual([
      {
        scope: 'tenant',
        unit: 'tokens',
        used: 900_000,
        limit: 1_000_000,
        remaining: 100_000,
        exceeded: false,
      },
      {
        scope: 'tenant',
        unit: 'cost_usd',
        used: 49.9999999999,
        limit: 50,
        remaining: 1e-10,
        exceeded: false,
      },
    ]);
    // The least room left binds.
    expect(report).toMatchObject({ exceeded: false, unit: 'cost_usd', remaining: 1e-10 });
  });

  it('counts reaching the limit as exceeded', () => {
    const report = evaluateQuota({
      tenant: 'acme',
      user: 'ann',
      period: 'day',
      bounds: { startIso: 's', endIso: 'e' },
      rules: { user: rules[0], tenant: { tenant: 'acme', period: 'day', tokens: 10_000 } },
      usage: {
        user: { tokens: 100, cost_usd: 0, calls: 1, unpriced_calls: 0 },
        tenant: { tokens: 500, cost_usd: 0, calls: 3, unpriced_calls: 0 },
      },
    });
    expect(report).toMatchObject({
      exceeded: true,
      scope: 'user',
      used: 100,
      limit: 100,
      remaining: 0,
    });
    expect(report.checks.map((c) => c.exceeded)).toEqual([true, false]);
  });
});
