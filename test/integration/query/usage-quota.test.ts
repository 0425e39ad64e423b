import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryApiServer, QuotaReport } from '../../../query/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { type Body, chat, get, qs, seedSpans, startTestQueryApi, TOKENS } from './harness.js';

const at = (iso: string) => Date.parse(iso);
const NOW = new Date('2025-06-12T15:00:00Z');

const QUOTAS = [
  { tenant: 'acme', user: 'ann', period: 'day', tokens: 500 },
  { tenant: 'acme', user: '*', period: 'day', tokens: 10_000 },
  { tenant: 'acme', period: 'month', cost_usd: 0.004 },
  { tenant: '*', user: '*', period: 'month', tokens: 1_000_000 },
];

describe('GET /v1/usage and GET /v1/quota', () => {
  let db: TestDatabase;
  let api: QueryApiServer;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedSpans(db.url, [
      // acme, today (2025-06-12)
      {
        attributes: chat('acme', 'ann', { model: 'gpt-4o', input: 300, output: 100 }),
        startMs: at('2025-06-12T10:00:00Z'),
      },
      {
        attributes: chat('acme', 'ann', {
          model: 'claude-sonnet-4-5',
          provider: 'anthropic',
          input: 100,
          output: 50,
        }),
        startMs: at('2025-06-12T11:00:00Z'),
      },
      {
        attributes: chat('acme', 'bob', { model: 'gpt-4o', input: 100, output: 20 }),
        startMs: at('2025-06-12T12:00:00Z'),
      },
      {
        attributes: chat('acme', 'bob', {
          model: 'in-house-llm',
          provider: 'local',
          input: 7,
          output: 3,
        }),
        startMs: at('2025-06-12T12:30:00Z'),
      },
      // acme, earlier this month and last month
      {
        attributes: chat('acme', 'ann', { model: 'gpt-4o', input: 1_000, output: 0 }),
        startMs: at('2025-06-01T00:00:00Z'),
      },
      {
        attributes: chat('acme', 'ann', { model: 'gpt-4o', input: 5_000, output: 0 }),
        startMs: at('2025-05-31T23:59:59Z'),
      },
      // globex
      {
        attributes: chat('globex', 'gail', { model: 'gpt-4o', input: 100, output: 20 }),
        startMs: at('2025-06-12T09:00:00Z'),
      },
    ]);
    api = await startTestQueryApi(db.url, { quotas: QUOTAS }, () => NOW);
  });
  afterAll(async () => {
    await api.close();
    await db.drop();
  });

  const usage = (params: Record<string, string>, token: string = TOKENS.acme) =>
    get(api, `/v1/usage${qs(params)}`, token);
  const quota = (params: Record<string, string>, token: string = TOKENS.acme) =>
    get<QuotaReport>(api, `/v1/quota${qs(params)}`, token);

  async function dbSum(sql: string) {
    const { rows } = await db.pool.query<{ v: number }>(`SELECT (${sql})::float8 AS v`);
    return rows[0]!.v;
  }

  it('groups by model over a month, with totals', async () => {
    const reply = await usage({ group_by: 'model', from: '2025-06-01', to: '2025-06-30' });
    expect(reply.status).toBe(200);
    expect(reply.json.group_by).toEqual(['model']);
    const byModel = Object.fromEntries(reply.json.rows.map((r: Body) => [r.model, r]));
    expect(Object.keys(byModel)).toEqual(['claude-sonnet-4-5', 'gpt-4o', 'in-house-llm']);
    expect(byModel['gpt-4o']).toMatchObject({
      calls: 3,
      input_tokens: 1_400,
      output_tokens: 120,
      total_tokens: 1_520,
      unpriced_calls: 0,
    });
    expect(byModel['in-house-llm']).toMatchObject({
      calls: 1,
      total_tokens: 10,
      unpriced_calls: 1,
      cost_usd: 0,
    });
    expect(byModel['gpt-4o'].cost_usd).toBeCloseTo(
      await dbSum(
        `SELECT sum(cost_usd) FROM spanledger.usage_daily WHERE tenant_id = 'acme' AND model = 'gpt-4o' AND day >= '2025-06-01'`,
      ),
      10,
    );
    expect(reply.json.totals.calls).toBe(5);
    expect(reply.json.totals.total_tokens).toBe(1_520 + 150 + 10);
    expect(reply.json.truncated).toBe(false);
  });

  it('groups by day, user, provider, month and combinations', async () => {
    const days = await usage({ group_by: 'day', from: '2025-05-01', to: '2025-06-30' });
    expect(days.json.rows.map((r: Body) => [r.day, r.calls])).toEqual([
      ['2025-05-31', 1],
      ['2025-06-01', 1],
      ['2025-06-12', 4],
    ]);
    const users = await usage({ group_by: 'user', from: '2025-06-12', to: '2025-06-12' });
    expect(users.json.rows.map((r: Body) => [r.user_id, r.total_tokens])).toEqual([
      ['ann', 550],
      ['bob', 130],
    ]);
    const providers = await usage({ group_by: 'provider' });
    expect(providers.json.rows.map((r: Body) => r.provider)).toEqual([
      'anthropic',
      'local',
      'openai',
    ]);
    const months = await usage({ group_by: 'month,user' });
    expect(months.json.rows.map((r: Body) => [r.month, r.user_id, r.calls])).toEqual([
      ['2025-05', 'ann', 1],
      ['2025-06', 'ann', 3],
      ['2025-06', 'bob', 2],
    ]);
    const one = await usage({ group_by: 'day', user_id: 'bob', model: 'gpt-4o' });
    expect(one.json.rows).toEqual([
      expect.objectContaining({ day: '2025-06-12', calls: 1, total_tokens: 120 }),
    ]);
  });

  it('keeps tenants apart; the admin token can group by tenant', async () => {
    const mine = await usage({ group_by: 'tenant' });
    expect(mine.json.rows.map((r: Body) => r.tenant_id)).toEqual(['acme']);
    const admin = await usage({ group_by: 'tenant' }, TOKENS.admin);
    expect(admin.json.rows.map((r: Body) => [r.tenant_id, r.calls])).toEqual([
      ['acme', 6],
      ['globex', 1],
    ]);
    const foreign = await usage({ group_by: 'tenant', tenant_id: 'globex' });
    expect(foreign.json.rows).toEqual([]);
  });

  it('marks a result cut at limit as truncated', async () => {
    const reply = await usage({ group_by: 'day', limit: '2' });
    expect(reply.json.rows).toHaveLength(2);
    expect(reply.json.truncated).toBe(true);
  });

  it('answers 400 for bad usage parameters', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [
        { group_by: 'week' },
        'group_by must be one or more of day, month, tenant, user, provider, model',
      ],
      [{ group_by: 'model,model' }, 'group_by must be one or more of'],
      [{ from: '2025-06-01T00:00:00Z' }, 'from must be a date such as 2026-11-01'],
      [{ from: '2025-06-10', to: '2025-06-01' }, 'from must not be later than to'],
      [{ limit: '10001' }, 'limit must be an integer between 1 and 10000'],
    ];
    for (const [params, message] of cases) {
      const reply = await usage(params);
      expect(reply.status, JSON.stringify(params)).toBe(400);
      expect(reply.json.message).toContain(message);
    }
  });

  it("reports a user over today's limit as exceeded", async () => {
    const reply = await quota({ user_id: 'ann' });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      tenant_id: 'acme',
      user_id: 'ann',
      period: 'day',
      period_start: '2025-06-12T00:00:00.000Z',
      period_end: '2025-06-13T00:00:00.000Z',
      exceeded: true,
      scope: 'user',
      unit: 'tokens',
      used: 550,
      limit: 500,
      remaining: 0,
    });
    expect(reply.json.checks).toEqual([
      { scope: 'user', unit: 'tokens', used: 550, limit: 500, remaining: 0, exceeded: true },
    ]);
  });

  it('reports a user within the tenant-wide per-user limit', async () => {
    const reply = await quota({ user_id: 'bob' });
    expect(reply.json).toMatchObject({
      exceeded: false,
      used: 130,
      limit: 10_000,
      remaining: 9_870,
      usage: { user: { tokens: 130, calls: 2, unpriced_calls: 1 } },
    });
  });

  it("checks a month against the user's and the tenant's limits", async () => {
    const reply = await quota({ user_id: 'ann', period: 'month' });
    const cost = await dbSum(
      `SELECT sum(cost_usd) FROM spanledger.usage_daily WHERE tenant_id = 'acme' AND day >= '2025-06-01'`,
    );
    expect(reply.json.period_start).toBe('2025-06-01T00:00:00.000Z');
    expect(reply.json.period_end).toBe('2025-07-01T00:00:00.000Z');
    expect(reply.json.checks).toHaveLength(2);
    expect(reply.json.checks[0]).toEqual({
      scope: 'user',
      unit: 'tokens',
      used: 1_550,
      limit: 1_000_000,
      remaining: 998_450,
      exceeded: false,
    });
    expect(reply.json.checks[1]).toMatchObject({ scope: 'tenant', unit: 'cost_usd', limit: 0.004 });
    expect(reply.json.checks[1]!.used).toBeCloseTo(cost, 9);
    expect(reply.json.exceeded).toBe(cost >= 0.004);
  });

  it('answers with no limit when no rule applies, still reporting usage', async () => {
    const reply = await quota({}, TOKENS.globex);
    expect(reply.json).toMatchObject({
      tenant_id: 'globex',
      user_id: null,
      exceeded: false,
      limit: null,
      remaining: null,
      checks: [],
      usage: { tenant: { tokens: 120, calls: 1 } },
    });
  });

  it('an admin names the tenant; a tenant token cannot name another', async () => {
    const admin = await quota(
      { tenant_id: 'globex', user_id: 'gail', period: 'month' },
      TOKENS.admin,
    );
    expect(admin.json).toMatchObject({ tenant_id: 'globex', used: 120, limit: 1_000_000 });
    const missing = await get(api, '/v1/quota?user_id=gail', TOKENS.admin);
    expect(missing.status).toBe(400);
    expect(missing.json.message).toBe('tenant_id is required with an admin token');
    const foreign = await get(api, '/v1/quota?tenant_id=globex', TOKENS.acme);
    expect(foreign.status).toBe(403);
    expect(foreign.json.error).toBe('forbidden');
    const bad = await get(api, '/v1/quota?period=week', TOKENS.acme);
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('period must be one of day, month (got "week")');
  });
});
