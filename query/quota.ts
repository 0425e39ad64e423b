import type { QuotaRule } from './config.js';

/** The usage a quota counts, over one scope and period. */
export interface QuotaUsage {
  /** input + output tokens (input includes cached input). */
  tokens: number;
  /** Priced calls only; see unpriced_calls. */
  cost_usd: number;
  calls: number;
  /** Calls whose cost is unknown (unpriced model): cost_usd does not include them. */
  unpriced_calls: number;
}

export type QuotaScope = 'user' | 'tenant';
export type QuotaUnit = 'tokens' | 'cost_usd';

/** One limit compared with its usage. */
export interface QuotaCheck {
  scope: QuotaScope;
  unit: QuotaUnit;
  used: number;
  limit: number;
  remaining: number;
  exceeded: boolean;
}

/** The answer to GET /v1/quota. */
export interface QuotaReport {
  tenant_id: string;
  user_id: string | null;
  period: 'day' | 'month';
  period_start: string;
  period_end: string;
  /** True when any check is at or over its limit. */
  exceeded: boolean;
  /** The binding check (an exceeded one, else the one with the least room left), or nulls. */
  scope: QuotaScope | null;
  unit: QuotaUnit | null;
  used: number | null;
  limit: number | null;
  remaining: number | null;
  checks: QuotaCheck[];
  usage: { user?: QuotaUsage; tenant?: QuotaUsage };
}

/** The UTC day or month containing `now`: [start, end) as dates (YYYY-MM-DD). */
export function periodBounds(period: 'day' | 'month', now: Date) {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const start =
    period === 'day' ? new Date(Date.UTC(y, m, now.getUTCDate())) : new Date(Date.UTC(y, m, 1));
  const end =
    period === 'day'
      ? new Date(Date.UTC(y, m, now.getUTCDate() + 1))
      : new Date(Date.UTC(y, m + 1, 1));
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return {
    start: day(start),
    end: day(end),
    startIso: start.toISOString(),
    endIso: end.toISOString(),
  };
}

/**
 * The rules that apply: for the user, the most specific of (tenant, user), (tenant, "*"),
 * ("*", "*"); for the tenant as a whole, (tenant) else ("*").
 */
export function applicableRules(
  rules: readonly QuotaRule[],
  tenant: string,
  user: string | undefined,
  period: 'day' | 'month',
): { user?: QuotaRule; tenant?: QuotaRule } {
  const find = (t: string, u: string | undefined) =>
    rules.find((r) => r.period === period && r.tenant === t && r.user === u);
  const tenantRule = find(tenant, undefined) ?? find('*', undefined);
  const userRule =
    user === undefined ? undefined : (find(tenant, user) ?? find(tenant, '*') ?? find('*', '*'));
  return { ...(userRule ? { user: userRule } : {}), ...(tenantRule ? { tenant: tenantRule } : {}) };
}

// Costs are numeric(…, 10) in Postgres; keep sums and differences to that scale.
const round = (n: number) => Math.round(n * 1e10) / 1e10;

function checksFor(scope: QuotaScope, rule: QuotaRule | undefined, usage: QuotaUsage | undefined) {
  if (!rule || !usage) return [];
  const checks: QuotaCheck[] = [];
  for (const unit of ['tokens', 'cost_usd'] as const) {
    const limit = rule[unit];
    if (limit === undefined) continue;
    const used = round(usage[unit]);
    checks.push({
      scope,
      unit,
      used,
      limit,
      remaining: round(Math.max(0, limit - used)),
      exceeded: used >= limit,
    });
  }
  return checks;
}

/** Compares usage with the applicable limits. */
export function evaluateQuota(input: {
  tenant: string;
  user: string | undefined;
  period: 'day' | 'month';
  bounds: { startIso: string; endIso: string };
  rules: { user?: QuotaRule; tenant?: QuotaRule };
  usage: { user?: QuotaUsage; tenant?: QuotaUsage };
}): QuotaReport {
  const checks = [
    ...checksFor('user', input.rules.user, input.usage.user),
    ...checksFor('tenant', input.rules.tenant, input.usage.tenant),
  ];
  const room = (c: QuotaCheck) => (c.exceeded ? -1 : c.remaining / c.limit);
  const binding = [...checks].sort((a, b) => room(a) - room(b))[0];
  return {
    tenant_id: input.tenant,
    user_id: input.user ?? null,
    period: input.period,
    period_start: input.bounds.startIso,
    period_end: input.bounds.endIso,
    exceeded: checks.some((c) => c.exceeded),
    scope: binding?.scope ?? null,
    unit: binding?.unit ?? null,
    used: binding?.used ?? null,
    limit: binding?.limit ?? null,
    remaining: binding?.remaining ?? null,
    checks,
    usage: input.usage,
  };
}
