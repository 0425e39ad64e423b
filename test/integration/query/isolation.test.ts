import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryApiServer } from '../../../query/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { rollUpUsageModels } from '../../helpers/rollups.js';
import { bulkAuditRows, get, qs, startTestQueryApi, TOKENS } from './harness.js';

const TENANTS = ['acme', 'globex', 'initech'] as const;
type Tenant = (typeof TENANTS)[number];

/** A small deterministic PRNG, so a failure can be replayed. */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

describe('tenant isolation', () => {
  let db: TestDatabase;
  let api: QueryApiServer;
  const tokensUsed: Record<Tenant, number> = { acme: 0, globex: 0, initech: 0 };
  beforeAll(async () => {
    db = await createTestDatabase();
    for (const tenant of TENANTS) {
      await bulkAuditRows(db.pool, {
        tenant,
        count: 600,
        start: '2025-06-01T00:00:00Z',
        perSecond: 3,
      });
    }
    // Rows without a tenant are visible to the admin token only.
    await db.pool.query(
      `INSERT INTO spanledger.audit_log (trace_id, span_id, started_at, event_type, status, user_id)
       SELECT md5('none' || i), left(md5('none-s' || i), 16), '2025-06-01T00:00:00Z', 'llm_call', 'ok', 'user-1'
       FROM generate_series(1, 50) i`,
    );
    await db.pool.query(
      `INSERT INTO spanledger.usage_daily (day, tenant_id, user_id, provider, model, calls, input_tokens, output_tokens)
       SELECT '2025-06-10'::date + (i % 5), t, 'user-' || (i / 5), 'openai', 'gpt-4o', 1, 100 * (i + 1), 10
       FROM unnest(ARRAY['acme', 'globex', 'initech', '']) AS t, generate_series(0, 19) i`,
    );
    await rollUpUsageModels(db.pool);
    for (const tenant of TENANTS) {
      const { rows } = await db.pool.query<{ n: number }>(
        `SELECT sum(input_tokens + output_tokens)::float8 AS n FROM spanledger.usage_daily WHERE tenant_id = $1`,
        [tenant],
      );
      tokensUsed[tenant] = rows[0]!.n;
    }
    api = await startTestQueryApi(
      db.url,
      { max_concurrent_exports: 4 }, // one per client below
      () => new Date('2025-06-20T00:00:00Z'),
    );
  });
  afterAll(async () => {
    await api.close();
    await db.drop();
  });

  it('1,000 random requests with tenant tokens return 0 foreign rows', async () => {
    const next = random(42);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
    const cursors: Partial<Record<Tenant, string>> = {};
    let foreign = 0;
    let own = 0;
    const request = async () => {
      const tenant = pick(TENANTS);
      const token = TOKENS[tenant];
      // Filters aimed at other tenants' rows as well as at the caller's own.
      const filters = {
        tenant_id: next() < 0.4 ? pick(TENANTS) : undefined,
        user_id: next() < 0.3 ? `user-${Math.floor(next() * 5)}` : undefined,
        status: next() < 0.2 ? pick(['ok', 'error']) : undefined,
      };
      const kind = pick(['page', 'page', 'next', 'export', 'usage', 'quota'] as const);
      if (kind === 'page' || kind === 'next') {
        const cursor = kind === 'next' ? cursors[tenant] : undefined;
        const reply = await get(api, `/v1/audit${qs({ limit: 50, cursor })}`, token);
        expect(reply.status, reply.text).toBe(200);
        cursors[tenant] = reply.json.next_cursor ?? undefined;
        for (const row of reply.json.rows) row.tenant_id === tenant ? own++ : foreign++;
        const filtered = await get(api, `/v1/audit${qs({ ...filters, limit: 20 })}`, token);
        expect(filtered.status, filtered.text).toBe(200);
        for (const row of filtered.json.rows) row.tenant_id === tenant ? own++ : foreign++;
      } else if (kind === 'export') {
        const reply = await get(
          api,
          `/v1/audit/export${qs({ ...filters, format: 'jsonl', to: '2025-06-01T00:01:00Z' })}`,
          token,
        );
        expect(reply.status, reply.text).toBe(200);
        for (const line of reply.text.split('\n').filter(Boolean)) {
          JSON.parse(line).tenant_id === tenant ? own++ : foreign++;
        }
      } else if (kind === 'usage') {
        const reply = await get(
          api,
          `/v1/usage${qs({ group_by: 'tenant,user', tenant_id: filters.tenant_id })}`,
          token,
        );
        expect(reply.status, reply.text).toBe(200);
        for (const row of reply.json.rows) row.tenant_id === tenant ? own++ : foreign++;
        if (!filters.tenant_id || filters.tenant_id === tenant) {
          expect(reply.json.totals.total_tokens).toBe(tokensUsed[tenant]);
        }
      } else {
        const reply = await get(api, `/v1/quota${qs({ period: 'month' })}`, token);
        expect(reply.status, reply.text).toBe(200);
        expect(reply.json.tenant_id).toBe(tenant);
        expect(reply.json.usage.tenant.tokens).toBe(tokensUsed[tenant]);
        own++;
      }
    };
    const REQUESTS = 1_000;
    let started = 0;
    // Four clients at a time, like several services sharing the API.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (started < REQUESTS) {
          started++;
          await request();
        }
      }),
    );
    expect(foreign).toBe(0);
    expect(own).toBeGreaterThan(1_000);
  });

  it('the admin token sees every tenant and the rows without one', async () => {
    const reply = await get(api, '/v1/audit/export?format=jsonl', TOKENS.admin);
    const tenants = new Set(
      reply.text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).tenant_id),
    );
    expect(tenants).toEqual(new Set(['acme', 'globex', 'initech', null]));
  });
});

// Strings that break hand-built SQL, sent through every free-text and typed filter.
const NASTY = [
  "' OR '1'='1",
  "'; DROP TABLE spanledger.audit_log; --",
  "acme' --",
  '" OR ""="',
  "\\'; SELECT pg_sleep(10); --",
  "'); SELECT set_config('spanledger.tenant_id', 'globex', false); --",
  '$1',
  '%',
  '_',
  '*',
  '1 UNION SELECT * FROM spanledger.audit_log',
  "current_setting('spanledger.tenant_id')",
  'acme\\',
  "E'\\x00'",
  '\u2028\u2029',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃',
  '${env:DATABASE_URL}',
  "2025-06-01'::timestamptz OR true --",
  '2025-06-01T00:00:00Z; DROP TABLE x',
  '-1',
  '99999999999999999999999',
  'null',
  '[]',
  '{"$gt": ""}',
];

// The filters /v1/audit and /v1/audit/export share.
const AUDIT_FILTERS = [
  'from',
  'to',
  'tenant_id',
  'event_type',
  'user_id',
  'session_id',
  'model',
  'provider',
  'tool_name',
  'status',
  'trace_id',
];

const ENDPOINT_PARAMS: Array<[string, string[], Record<string, string>]> = [
  ['/v1/audit', [...AUDIT_FILTERS, 'limit', 'cursor'], {}],
  ['/v1/audit/export', [...AUDIT_FILTERS, 'format'], { format: 'jsonl' }],
  [
    '/v1/usage',
    ['group_by', 'from', 'to', 'tenant_id', 'user_id', 'provider', 'model', 'limit'],
    {},
  ],
  ['/v1/quota', ['user_id', 'period', 'tenant_id'], {}],
  ['/v1/mcp/servers/1/health', ['limit'], {}],
];

describe('SQL injection attempts', () => {
  let db: TestDatabase;
  let api: QueryApiServer;
  let before: number;
  beforeAll(async () => {
    db = await createTestDatabase();
    await bulkAuditRows(db.pool, { tenant: 'acme', count: 100, start: '2025-06-01T00:00:00Z' });
    await bulkAuditRows(db.pool, { tenant: 'globex', count: 100, start: '2025-06-01T00:00:00Z' });
    await db.pool.query(
      `INSERT INTO spanledger.mcp_servers (id, name, transport, url) VALUES (1, 'm', 'sse', 'http://x')`,
    );
    before = 200;
    api = await startTestQueryApi(db.url, {
      quotas: [{ tenant: 'acme', user: '*', period: 'day', tokens: 10 }],
    });
  });
  afterAll(async () => {
    await api.close();
    await db.drop();
  });

  it('in every filter: 400 or an empty result, never an error from Postgres', async () => {
    let refused = 0;
    let empty = 0;
    for (const [path, params, base] of ENDPOINT_PARAMS) {
      for (const param of params) {
        for (const value of NASTY) {
          const reply = await get(api, `${path}${qs({ ...base, [param]: value })}`, TOKENS.acme);
          const label = `${path} ${param}=${JSON.stringify(value)}: ${reply.text.slice(0, 200)}`;
          expect([200, 400, 403], label).toContain(reply.status);
          expect(reply.json?.error ?? 'none', label).not.toBe('internal');
          if (reply.status !== 200) {
            refused++;
            continue;
          }
          // A value taken as data matches nothing (no row has these values).
          if (path === '/v1/audit') expect(reply.json.rows, label).toEqual([]);
          if (path === '/v1/audit/export') expect(reply.text, label).toBe('');
          if (path === '/v1/usage') expect(reply.json.rows, label).toEqual([]);
          if (path === '/v1/quota') expect(reply.json.usage.user?.tokens ?? 0, label).toBe(0);
          empty++;
        }
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect(empty).toBeGreaterThan(0);
    const { rows } = await db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM spanledger.audit_log',
    );
    expect(rows[0]!.n).toBe(before);
  });

  it('malformed encodings and oversized values are refused, not passed on', async () => {
    for (const raw of [
      '/v1/audit?user_id=%00',
      '/v1/audit?user_id=%E0%A4%A',
      '/v1/audit?user_id=%C0%AF',
      '/v1/audit?user_id=%FF%FE',
      '/v1/audit?from=2025-06-01%27',
      '/v1/audit?trace_id[]=1',
      '/v1/audit?user_id[$ne]=x',
      `/v1/audit?model=${'a'.repeat(5_000)}`,
      '/v1/usage?group_by=day%2Cmodel%3B%20DROP',
    ]) {
      const reply = await get(api, raw, TOKENS.acme);
      expect([200, 400], raw).toContain(reply.status);
      if (reply.status === 200) expect(reply.json.rows, raw).toEqual([]);
    }
  });
});
