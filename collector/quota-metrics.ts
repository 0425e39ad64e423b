import type { Pool } from 'pg';
import { applicableRules, periodBounds, type QuotaRule } from '../query/index.js';

/** How full one tenant's quota is: used / limit (1 = at the limit). */
export interface QuotaRatio {
  tenant: string;
  /** 'tenant': the tenant as a whole; 'user': the tenant's fullest user. */
  scope: 'tenant' | 'user';
  unit: 'tokens' | 'cost_usd';
  period: 'day' | 'month';
  ratio: number;
}

/** One (tenant, user)'s usage in the current UTC day and month. */
export interface PeriodUsageRow {
  tenant_id: string;
  user_id: string;
  day_tokens: number;
  day_cost_usd: number;
  month_tokens: number;
  month_cost_usd: number;
}

const UNITS = ['tokens', 'cost_usd'] as const;

function usageOf(row: PeriodUsageRow, period: 'day' | 'month') {
  return period === 'day'
    ? { tokens: row.day_tokens, cost_usd: row.day_cost_usd }
    : { tokens: row.month_tokens, cost_usd: row.month_cost_usd };
}

/**
 * The ratios the quota alert watches, from usage rows and the query API's quota rules (the same
 * rule resolution as GET /v1/quota). One series per tenant, scope, unit and period, so the
 * metric's size follows the number of tenants, not users: the user scope reports the fullest user.
 */
export function quotaRatios(
  rules: readonly QuotaRule[],
  rows: readonly PeriodUsageRow[],
): QuotaRatio[] {
  const byTenant = new Map<string, PeriodUsageRow[]>();
  for (const row of rows)
    byTenant.set(row.tenant_id, [...(byTenant.get(row.tenant_id) ?? []), row]);
  const out: QuotaRatio[] = [];
  for (const period of ['day', 'month'] as const) {
    for (const [tenant, users] of byTenant) {
      const tenantRule = applicableRules(rules, tenant, undefined, period).tenant;
      for (const unit of UNITS) {
        const limit = tenantRule?.[unit];
        if (limit === undefined) continue;
        const used = users.reduce((sum, u) => sum + usageOf(u, period)[unit], 0);
        out.push({ tenant, scope: 'tenant', unit, period, ratio: used / limit });
      }
      const fullest: Partial<Record<(typeof UNITS)[number], number>> = {};
      for (const user of users) {
        if (user.user_id === '') continue;
        const rule = applicableRules(rules, tenant, user.user_id, period).user;
        for (const unit of UNITS) {
          const limit = rule?.[unit];
          if (limit === undefined) continue;
          const ratio = usageOf(user, period)[unit] / limit;
          fullest[unit] = Math.max(fullest[unit] ?? 0, ratio);
        }
      }
      for (const unit of UNITS) {
        const ratio = fullest[unit];
        if (ratio !== undefined) out.push({ tenant, scope: 'user', unit, period, ratio });
      }
    }
  }
  return out;
}

const PERIOD_USAGE_SQL = `SELECT tenant_id, user_id,
       coalesce(sum(input_tokens + output_tokens) FILTER (WHERE day = $2), 0)::float8 AS day_tokens,
       coalesce(sum(cost_usd) FILTER (WHERE day = $2), 0)::float8 AS day_cost_usd,
       sum(input_tokens + output_tokens)::float8 AS month_tokens,
       sum(cost_usd)::float8 AS month_cost_usd
FROM spanledger.usage_daily
WHERE day >= $1 AND day < $3 AND tenant_id <> ''
GROUP BY tenant_id, user_id`;

export interface QuotaRatioReaderOptions {
  pool: Pool;
  rules: readonly QuotaRule[];
  now?: () => Date;
  /** Results are reused for this long, so frequent scrapes cost one query (default 60 s). */
  ttlMs?: number;
}

/**
 * Reads quota ratios for /metrics: one grouped query over this month's usage_daily, at most once
 * per ttlMs (concurrent scrapes share it). A failed read yields no series rather than stale ones:
 * the readiness gauge reports the database problem.
 */
export function createQuotaRatioReader(
  options: QuotaRatioReaderOptions,
): () => Promise<QuotaRatio[]> {
  const now = options.now ?? (() => new Date());
  const ttlMs = options.ttlMs ?? 60_000;
  let cached: { at: number; value: Promise<QuotaRatio[]> } | undefined;
  const read = async () => {
    const today = periodBounds('day', now());
    const month = periodBounds('month', now());
    const { rows } = await options.pool.query<PeriodUsageRow>({
      name: 'spanledger-quota-ratios',
      text: PERIOD_USAGE_SQL,
      values: [month.start, today.start, month.end],
    });
    return quotaRatios(options.rules, rows);
  };
  return () => {
    const at = Date.now();
    if (!cached || at - cached.at >= ttlMs) {
      const value = read().catch(() => {
        cached = undefined;
        return [];
      });
      cached = { at, value };
    }
    return cached.value;
  };
}
