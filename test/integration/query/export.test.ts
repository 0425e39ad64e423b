import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryApiServer } from '../../../query/index.js';
import { AUDIT_COLUMNS } from '../../../query/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { waitUntil } from '../../helpers/wait.js';
import { bulkAuditRows, chat, get, qs, seedSpans, startTestQueryApi, TOKENS } from './harness.js';

/** Splits CSV text into records (RFC 4180: quoted fields may hold commas, quotes, newlines). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += ch;
  }
  return records;
}

const TRICKY = 'line one\nline "two", with\ttab and back\\slash; \u0001 ctrl ünïcødé';

describe('GET /v1/audit/export', () => {
  let db: TestDatabase;
  let api: QueryApiServer;
  const BULK = 20_000;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedSpans(db.url, [
      {
        name: 'chat',
        attributes: chat('acme', 'ann', { 'session.id': TRICKY }),
        startMs: Date.parse('2025-05-01T10:00:00.123Z'),
        error: TRICKY,
      },
    ]);
    await bulkAuditRows(db.pool, { tenant: 'acme', count: BULK, start: '2025-05-02T00:00:00Z' });
    await bulkAuditRows(db.pool, { tenant: 'globex', count: 1_000, start: '2025-05-02T00:00:00Z' });
    // 64 MB of CSV: more than socket buffers hold, so a client that stops reading stalls COPY.
    await bulkAuditRows(db.pool, {
      tenant: 'initech',
      count: 8_000,
      start: '2025-05-02T00:00:00Z',
      contentChars: 8_000,
    });
    api = await startTestQueryApi(db.url, { max_concurrent_exports: 1 });
  });
  afterAll(async () => {
    await api.close();
    await db.drop();
  });

  it('streams CSV with a header and every matching row, oldest first', async () => {
    const reply = await get(api, '/v1/audit/export?format=csv', TOKENS.acme);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(reply.headers.get('content-disposition')).toBe('attachment; filename="audit.csv"');
    const records = parseCsv(reply.text);
    expect(records[0]).toEqual([...AUDIT_COLUMNS]);
    expect(records).toHaveLength(BULK + 2);
    const tenant = AUDIT_COLUMNS.indexOf('tenant_id');
    expect(records.slice(1).every((r) => r[tenant] === 'acme')).toBe(true);
    // The tricky row survives quoting exactly.
    const first = records[1]!;
    expect(first[AUDIT_COLUMNS.indexOf('session_id')]).toBe(TRICKY);
    expect(first[AUDIT_COLUMNS.indexOf('started_at')]).toBe('2025-05-01 10:00:00.123+00');
    const started = records.slice(1).map((r) => r[AUDIT_COLUMNS.indexOf('started_at')]!);
    expect(started).toEqual([...started].sort());
  });

  it('streams JSONL whose lines are the objects /v1/audit returns', async () => {
    const reply = await get(
      api,
      `/v1/audit/export${qs({ format: 'jsonl', to: '2025-05-01' })}`,
      TOKENS.acme,
    );
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = reply.text.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const row = JSON.parse(lines[0]!);
    expect(row.session_id).toBe(TRICKY);
    expect(row.error_message).toBe(TRICKY);
    const page = await get(api, `/v1/audit${qs({ to: '2025-05-01' })}`, TOKENS.acme);
    expect(page.json.rows).toEqual([row]);
  });

  it('counts the same rows as a page walk would, with filters', async () => {
    const reply = await get(
      api,
      `/v1/audit/export${qs({ format: 'jsonl', status: 'error', user_id: 'user-0' })}`,
      TOKENS.acme,
    );
    const rows = reply.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    const { rows: expected } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM spanledger.audit_log
       WHERE tenant_id = 'acme' AND status = 'error' AND user_id = 'user-0'`,
    );
    expect(rows).toHaveLength(expected[0]!.n);
    expect(rows.every((r) => r.status === 'error' && r.user_id === 'user-0')).toBe(true);
  });

  it('exports nothing of another tenant, and everything for the admin token', async () => {
    const globex = await get(api, '/v1/audit/export?format=jsonl', TOKENS.globex);
    const tenants = new Set(
      globex.text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).tenant_id),
    );
    expect(tenants).toEqual(new Set(['globex']));
    const admin = await get(api, '/v1/audit/export?format=jsonl&tenant_id=globex', TOKENS.admin);
    expect(admin.text.trimEnd().split('\n')).toHaveLength(1_000);
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM spanledger.audit_log WHERE user_id = 'user-1'`,
    );
    const all = await get(api, '/v1/audit/export?format=jsonl&user_id=user-1', TOKENS.admin);
    const exported = all.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(exported).toHaveLength(rows[0]!.n);
    expect(new Set(exported.map((r) => r.tenant_id))).toEqual(
      new Set(['acme', 'globex', 'initech']),
    );
  });

  it('refuses a bad format or filter with 400 before streaming', async () => {
    const reply = await get(api, '/v1/audit/export?format=xml', TOKENS.acme);
    expect(reply.status).toBe(400);
    expect(reply.json.message).toContain('format must be one of csv, jsonl (got "xml")');
    const limit = await get(api, '/v1/audit/export?limit=10', TOKENS.acme);
    expect(limit.status).toBe(400);
    expect(limit.json.message).toContain('unknown parameter "limit"');
  });

  it('a client that stops reading releases its connection; a second export waits its turn', async () => {
    const controller = new AbortController();
    const response = await fetch(`${api.url}/v1/audit/export?format=csv`, {
      headers: { authorization: `Bearer ${TOKENS.initech}` },
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    // Only one export at a time here (max_concurrent_exports: 1).
    const busy = await get(api, '/v1/audit/export?format=csv', TOKENS.acme);
    expect(busy.status).toBe(429);
    expect(busy.json.error).toBe('too_many_requests');
    controller.abort();
    await reader.cancel().catch(() => {});
    await waitUntil(
      async () =>
        (await get(api, '/v1/audit/export?format=jsonl&to=2025-05-01', TOKENS.acme)).status === 200,
      'the aborted export to release its slot',
    );
    // The pool is whole: every connection idle or reusable, none stuck in COPY.
    await waitUntil(async () => {
      const { rows } = await db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE application_name = 'spanledger-query-api' AND query LIKE 'COPY%' AND state = 'active'`,
      );
      return rows[0]!.n === 0;
    }, 'no COPY left running');
    const page = await get(api, '/v1/audit?limit=1', TOKENS.acme);
    expect(page.status).toBe(200);
  });
});
