import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryApiServer } from '../../../query/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import {
  bulkAuditRows,
  chat,
  get,
  qs,
  seedSpans,
  startTestQueryApi,
  TOKENS,
  toolCall,
} from './harness.js';

const DAY = 86_400_000;
const BASE = Date.parse('2025-06-10T12:00:00Z');

interface AuditRow {
  trace_id: string;
  span_id: string;
  started_at: string;
  tenant_id: string | null;
  user_id: string | null;
  session_id: string | null;
  event_type: string;
  status: string;
  provider: string | null;
  request_model: string | null;
  response_model: string | null;
  tool_name: string | null;
  input_tokens: number | null;
  cost_usd: number | null;
  attributes: Record<string, unknown>;
}
type Page = { rows: AuditRow[]; next_cursor: string | null };

describe('GET /v1/audit', () => {
  let db: TestDatabase;
  let api: QueryApiServer;
  let traceOfError: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    const ids = await seedSpans(db.url, [
      { name: 'chat', attributes: chat('acme', 'ann', { 'session.id': 's1' }), startMs: BASE },
      {
        name: 'chat',
        attributes: chat('acme', 'bob', { model: 'claude-sonnet-4', provider: 'anthropic' }),
        startMs: BASE + DAY,
      },
      { name: 'chat', attributes: chat('acme', 'ann'), startMs: BASE + 2 * DAY, error: 'boom' },
      { name: 'tool', attributes: toolCall('acme', 'ann', 'search'), startMs: BASE + 3 * DAY },
      { name: 'chat', attributes: chat('globex', 'gail'), startMs: BASE + DAY },
      { name: 'tool', attributes: toolCall('globex', 'gail', 'search'), startMs: BASE + DAY },
    ]);
    traceOfError = ids[2]!.traceId;
    api = await startTestQueryApi(db.url);
  });
  afterAll(async () => {
    await api.close();
    await db.drop();
  });

  const page = (params: Record<string, string | number | undefined>, token: string = TOKENS.acme) =>
    get<Page>(api, `/v1/audit${qs(params)}`, token);

  it("returns the tenant's rows newest first, and only its own", async () => {
    const reply = await page({});
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(reply.json.rows.map((r) => r.tenant_id)).toEqual(['acme', 'acme', 'acme', 'acme']);
    const times = reply.json.rows.map((r) => Date.parse(r.started_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(reply.json.next_cursor).toBeNull();
    const globex = await page({}, TOKENS.globex);
    expect(globex.json.rows.map((r) => r.tenant_id)).toEqual(['globex', 'globex']);
  });

  it('carries every audit column with real types', async () => {
    const [row] = (await page({ event_type: 'llm_call', user_id: 'bob' })).json.rows;
    expect(row).toMatchObject({
      tenant_id: 'acme',
      user_id: 'bob',
      event_type: 'llm_call',
      status: 'ok',
      provider: 'anthropic',
      request_model: 'claude-sonnet-4',
      input_tokens: 100,
      output_tokens: 20,
    });
    expect(row!.started_at).toMatch(/^2025-06-11T12:00:00(\.0+)?\+00:00$/);
    expect(typeof row!.attributes).toBe('object');
    expect(row!.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('applies each filter', async () => {
    const cases: Array<[Record<string, string>, number]> = [
      [{ from: '2025-06-11' }, 3],
      [{ to: '2025-06-11' }, 2], // a date as `to` includes that whole day
      [{ from: '2025-06-11T12:00:00Z', to: '2025-06-12T12:00:00Z' }, 1], // timestamp `to` is exclusive
      [{ from: '2025-06-11T13:00:00+01:00', to: '2025-06-11T12:00:00.000001Z' }, 1],
      [{ event_type: 'tool_call' }, 1],
      [{ user_id: 'ann' }, 3],
      [{ session_id: 's1' }, 1],
      [{ model: 'claude-sonnet-4' }, 1],
      [{ provider: 'openai' }, 2],
      [{ tool_name: 'search' }, 1],
      [{ status: 'error' }, 1],
      [{ trace_id: traceOfError }, 1],
      [{ trace_id: traceOfError.toUpperCase() }, 1],
      [{ user_id: 'ann', status: 'ok', event_type: 'llm_call' }, 1],
      [{ tenant_id: 'acme' }, 4],
      [{ tenant_id: 'globex' }, 0], // a tenant token asking for another tenant: RLS, nothing
    ];
    for (const [params, expected] of cases) {
      const reply = await page(params);
      expect(reply.status, JSON.stringify(params)).toBe(200);
      expect(reply.json.rows.length, JSON.stringify(params)).toBe(expected);
    }
  });

  it('gives the admin token every tenant, and tenant_id narrows it', async () => {
    const all = await page({}, TOKENS.admin);
    expect(new Set(all.json.rows.map((r) => r.tenant_id))).toEqual(new Set(['acme', 'globex']));
    const globex = await page({ tenant_id: 'globex' }, TOKENS.admin);
    expect(globex.json.rows).toHaveLength(2);
  });

  it('answers 400 naming the parameter, its value and what was expected', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ from: 'yesterday' }, 'from must be a date (2026-11-01) or an RFC 3339 timestamp'],
      [{ to: '2025-02-30' }, 'to must be a date'],
      [{ from: '2025-06-10T25:00:00Z' }, 'from must be a date'],
      [{ from: '2025-06-12', to: '2025-06-10' }, 'from must not be later than to'],
      [
        { event_type: 'llm' },
        'event_type must be one of llm_call, tool_call, mcp_call, agent_call (got "llm")',
      ],
      [{ status: 'failed' }, 'status must be one of ok, error'],
      [{ trace_id: 'xyz' }, 'trace_id must be 32 hex characters (got "xyz")'],
      [{ limit: '0' }, 'limit must be an integer between 1 and 1000 (got "0")'],
      [{ limit: '1001' }, 'limit must be an integer between 1 and 1000'],
      [{ limit: 'ten' }, 'limit must be an integer between 1 and 1000'],
      [{ user_id: '' }, 'user_id must not be empty'],
      [{ user_id: 'x'.repeat(257) }, 'user_id must be at most 256 characters'],
      [{ user_id: 'a\u0000b' }, 'user_id must not contain NUL characters'],
      [{ cursor: 'bm90LWEtY3Vyc29y' }, 'cursor is not a next_cursor returned by this API'],
      [{ usr: 'ann' }, 'unknown parameter "usr" (known: from, to, tenant_id'],
    ];
    for (const [params, message] of cases) {
      const reply = await get(api, `/v1/audit${qs(params)}`, TOKENS.acme);
      expect(reply.status, JSON.stringify(params)).toBe(400);
      expect(reply.json.error).toBe('bad_request');
      expect(reply.json.message).toContain(message);
    }
    const repeated = await get(api, '/v1/audit?user_id=a&user_id=b', TOKENS.acme);
    expect(repeated.status).toBe(400);
    expect(repeated.json.message).toContain('user_id must be given once');
  });

  it('answers 401 without a token or with a wrong one, before looking at parameters', async () => {
    for (const token of [undefined, 'not-a-token-0123456789', `${TOKENS.acme}x`]) {
      const reply = await get(api, '/v1/audit?limit=oops', token);
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe('Bearer');
      expect(reply.json).toEqual({
        error: 'unauthorized',
        message: expect.stringContaining('bearer token'),
      });
    }
    const basic = await fetch(`${api.url}/v1/audit`, {
      headers: { authorization: `Basic ${TOKENS.acme}` },
    });
    expect(basic.status).toBe(401);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const reply = await get(api, '/v1/nothing', TOKENS.acme);
    expect(reply.status).toBe(404);
    expect(reply.json.error).toBe('not_found');
  });
});

describe('keyset pagination', () => {
  let db: TestDatabase;
  let api: QueryApiServer;
  const TOTAL = 2_345;
  beforeAll(async () => {
    db = await createTestDatabase();
    await bulkAuditRows(db.pool, {
      tenant: 'acme',
      count: TOTAL,
      start: '2025-03-01T00:00:00.123456Z',
    });
    await bulkAuditRows(db.pool, { tenant: 'globex', count: 500, start: '2025-03-01T00:00:00Z' });
    api = await startTestQueryApi(db.url);
  });
  afterAll(async () => {
    await api.close();
    await db.drop();
  });

  async function walk(params: Record<string, string | number>, token: string = TOKENS.acme) {
    const seen: AuditRow[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const reply = await get<Page>(api, `/v1/audit${qs({ ...params, cursor })}`, token);
      expect(reply.status, reply.text).toBe(200);
      seen.push(...reply.json.rows);
      cursor = reply.json.next_cursor ?? undefined;
      pages++;
    } while (cursor);
    return { rows: seen, pages };
  }

  it('walks every row exactly once, in order, across pages full of tied timestamps', async () => {
    const { rows, pages } = await walk({ limit: 100 });
    expect(pages).toBe(Math.ceil(TOTAL / 100));
    expect(rows).toHaveLength(TOTAL);
    expect(new Set(rows.map((r) => `${r.trace_id}/${r.span_id}`)).size).toBe(TOTAL);
    expect(rows.every((r) => r.tenant_id === 'acme')).toBe(true);
    // The same order Postgres gives for the whole set at once.
    const { rows: expected } = await db.pool.query<{ k: string }>(
      `SELECT trace_id || '/' || span_id AS k FROM spanledger.audit_log WHERE tenant_id = 'acme'
       ORDER BY started_at DESC, trace_id DESC, span_id DESC`,
    );
    expect(rows.map((r) => `${r.trace_id}/${r.span_id}`)).toEqual(expected.map((r) => r.k));
  });

  it('is stable: the same cursor gives the same page, and new rows do not shift later pages', async () => {
    const first = await get<Page>(api, `/v1/audit${qs({ limit: 50 })}`, TOKENS.acme);
    const cursor = first.json.next_cursor!;
    const second = await get<Page>(api, `/v1/audit${qs({ limit: 50, cursor })}`, TOKENS.acme);
    // A newer row arrives between requests: it belongs before the cursor, not in later pages.
    await bulkAuditRows(db.pool, {
      tenant: 'acme',
      count: 3,
      start: '2030-01-01T00:00:00Z',
      salt: 'late',
    });
    const again = await get<Page>(api, `/v1/audit${qs({ limit: 50, cursor })}`, TOKENS.acme);
    expect(again.json).toEqual(second.json);
  });

  it('pages through filtered rows without gaps', async () => {
    const { rows } = await walk({ limit: 37, status: 'error', user_id: 'user-0' });
    const { rows: count } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM spanledger.audit_log
       WHERE tenant_id = 'acme' AND status = 'error' AND user_id = 'user-0'`,
    );
    expect(rows).toHaveLength(count[0]!.n);
    expect(rows.every((r) => r.status === 'error' && r.user_id === 'user-0')).toBe(true);
  });

  it('refuses a cursor from other filters or another tenant', async () => {
    const first = await get<Page>(api, `/v1/audit${qs({ limit: 10, status: 'ok' })}`, TOKENS.acme);
    const cursor = first.json.next_cursor!;
    const other = await get(
      api,
      `/v1/audit${qs({ limit: 10, status: 'error', cursor })}`,
      TOKENS.acme,
    );
    expect(other.status).toBe(400);
    expect(other.json.message).toContain('cursor belongs to a listing with other filters');
    // Another tenant's token with the cursor: same filters, so accepted, but RLS still decides.
    const globex = await get<Page>(
      api,
      `/v1/audit${qs({ limit: 10, status: 'ok', cursor })}`,
      TOKENS.globex,
    );
    expect(globex.status).toBe(200);
    expect(globex.json.rows.every((r) => r.tenant_id === 'globex')).toBe(true);
  });

  it('refuses a tampered cursor with 400, never a 500', async () => {
    const first = await get<Page>(api, `/v1/audit${qs({ limit: 10 })}`, TOKENS.acme);
    const body = JSON.parse(Buffer.from(first.json.next_cursor!, 'base64url').toString());
    const tampered = [
      [1, "1' OR 1=1 --", body[2], body[3], body[4]],
      [1, body[1], "'; DROP TABLE x; --", body[3], body[4]],
      [1, '99999999999999999999', body[2], body[3], body[4]],
      [1, '999999999999999999', body[2], body[3], body[4]],
      [1, '-999999999999999999', body[2], body[3], body[4]],
      [2, body[1], body[2], body[3], body[4]],
      { a: 1 },
    ];
    for (const t of tampered) {
      const cursor = Buffer.from(JSON.stringify(t)).toString('base64url');
      const reply = await get(api, `/v1/audit${qs({ limit: 10, cursor })}`, TOKENS.acme);
      expect(reply.status, JSON.stringify(t)).toBe(400);
    }
  });
});
