import { describe, expect, it } from 'vitest';
import { type PeriodUsageRow, quotaRatios } from '../../../collector/quota-metrics.js';
import { queryApiSchema } from '../../../query/index.js';

const row = (tenant: string, user: string, day: number, month: number): PeriodUsageRow => ({
  tenant_id: tenant,
  user_id: user,
  day_tokens: day,
  day_cost_usd: day / 1000,
  month_tokens: month,
  month_cost_usd: month / 1000,
});

const rules = (quotas: unknown[]) =>
  queryApiSchema.parse({ auth: { admin_tokens: ['x'.repeat(16)] }, quotas }).quotas;

describe('quotaRatios', () => {
  it('reports the tenant as a whole and its fullest user, per unit and period', () => {
    const ratios = quotaRatios(
      rules([
        { tenant: 'acme', period: 'month', tokens: 10_000, cost_usd: 20 },
        { tenant: 'acme', user: '*', period: 'day', tokens: 1_000 },
      ]),
      [row('acme', 'ann', 950, 4_000), row('acme', 'bob', 100, 5_500), row('acme', '', 5, 5)],
    );
    expect(ratios).toEqual([
      { tenant: 'acme', scope: 'user', unit: 'tokens', period: 'day', ratio: 0.95 },
      { tenant: 'acme', scope: 'tenant', unit: 'tokens', period: 'month', ratio: 0.9505 },
      { tenant: 'acme', scope: 'tenant', unit: 'cost_usd', period: 'month', ratio: 9.505 / 20 },
    ]);
  });

  it('applies the same rule resolution as GET /v1/quota: a tenant rule before "*"', () => {
    const ratios = quotaRatios(
      rules([
        { tenant: '*', period: 'day', tokens: 100 },
        { tenant: 'big', period: 'day', tokens: 10_000 },
        { tenant: '*', user: '*', period: 'day', cost_usd: 1 },
      ]),
      [row('small', 'u1', 50, 50), row('big', 'u2', 5_000, 5_000)],
    );
    expect(ratios).toEqual([
      { tenant: 'small', scope: 'tenant', unit: 'tokens', period: 'day', ratio: 0.5 },
      { tenant: 'small', scope: 'user', unit: 'cost_usd', period: 'day', ratio: 0.05 },
      { tenant: 'big', scope: 'tenant', unit: 'tokens', period: 'day', ratio: 0.5 },
      { tenant: 'big', scope: 'user', unit: 'cost_usd', period: 'day', ratio: 5 },
    ]);
  });

  it('reports nothing without rules', () => {
    expect(quotaRatios([], [row('acme', 'ann', 1, 1)])).toEqual([]);
  });
});
