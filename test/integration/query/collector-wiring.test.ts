import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, startCollector } from '../../../collector/index.js';
import { queryApiSchema, startQueryApi } from '../../../query/index.js';
import { findFreePort } from '../../../shared/database/index.js';
import { createLogger } from '../../../shared/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { chatAttributes, createTestTracer } from '../../helpers/spans.js';
import { sendWithSdk } from '../collector/harness.js';
import { type Body, get, TOKENS } from './harness.js';

describe('the collector serves the query API', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'spanledger-query-'));
  });
  afterAll(async () => {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('starts it on its own port, prints it, answers with rows received over OTLP, stops it', async () => {
    const queryPort = await findFreePort();
    const config = resolveConfig({
      receivers: {
        otlp: { protocols: { http: { endpoint: `127.0.0.1:${await findFreePort()}` } } },
      },
      exporters: { postgres: { url: db.url, spool: { dir: join(dir, 'spool') } } },
      extensions: {
        mcp_health: { enabled: false },
        query_api: {
          enabled: true,
          endpoint: `127.0.0.1:${queryPort}`,
          auth: { tokens: [{ token: TOKENS.acme, tenant: 'acme' }], admin_tokens: [TOKENS.admin] },
        },
      },
    });
    const lines: string[] = [];
    const collector = await startCollector({
      config,
      env: {},
      logger: createLogger('silent'),
      print: (l) => lines.push(l),
    });
    try {
      expect(collector.queryUrl).toBe(`http://127.0.0.1:${queryPort}`);
      expect(lines.join('\n')).toContain(
        `query API           http://127.0.0.1:${queryPort}/v1/audit  http://127.0.0.1:${queryPort}/v1/openapi.json (1 tenant(s), 1 admin token(s))`,
      );
      const t = createTestTracer();
      const span = t.span('chat', chatAttributes({ 'spanledger.tenant_id': 'acme' })).readable;
      expect((await sendWithSdk('proto', collector.otlpUrl, [span])).code).toBe(0);
      const page = await get(
        { url: collector.queryUrl! },
        `/v1/audit?trace_id=${span.spanContext().traceId}`,
        TOKENS.acme,
      );
      expect(page.status).toBe(200);
      expect(page.json.rows).toEqual([
        expect.objectContaining({ span_id: span.spanContext().spanId, tenant_id: 'acme' }),
      ]);
    } finally {
      await collector.stop();
    }
    await expect(fetch(`http://127.0.0.1:${queryPort}/healthz`)).rejects.toThrow();
  });

  it('refuses a query endpoint equal to the OTLP endpoint', () => {
    expect(() =>
      resolveConfig(
        {
          receivers: { otlp: { protocols: { http: { endpoint: '127.0.0.1:4400' } } } },
          extensions: {
            query_api: {
              enabled: true,
              endpoint: '127.0.0.1:4400',
              auth: { admin_tokens: [TOKENS.admin] },
            },
          },
        },
        'c.yaml',
      ),
    ).toThrow(
      'c.yaml: extensions.query_api.endpoint must differ from receivers.otlp.protocols.http.endpoint',
    );
  });
});

describe('a login role that is not a superuser', () => {
  let db: TestDatabase;
  const role = `sl_api_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  let url: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    const u = new URL(db.url);
    u.username = role;
    u.password = password;
    url = u.toString();
    await db.pool.query(
      `INSERT INTO spanledger.audit_log (trace_id, span_id, started_at, tenant_id, event_type, status)
       VALUES (md5('a'), left(md5('b'), 16), now(), 'acme', 'llm_call', 'ok'),
              (md5('c'), left(md5('d'), 16), now(), 'globex', 'llm_call', 'ok')`,
    );
  });
  afterAll(async () => {
    await db.drop();
    const admin = new pg.Client({ connectionString: db.url.replace(/\/[^/]+$/, '/postgres') });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`).finally(() => admin.end());
  });

  const start = () =>
    startQueryApi({
      config: queryApiSchema.parse({
        enabled: true,
        auth: { tokens: [{ token: TOKENS.acme, tenant: 'acme' }], admin_tokens: [TOKENS.admin] },
      }),
      databaseUrl: url,
      host: '127.0.0.1',
      port: 0,
      logger: createLogger('silent'),
    });

  it('cannot start without membership in the reader roles, and says which GRANT fixes it', async () => {
    await expect(start()).rejects.toThrow(
      `the database login role "${role}" cannot SET ROLE spanledger_reader`,
    );
    await expect(start()).rejects.toThrow(
      `run: GRANT spanledger_reader, spanledger_admin_reader TO "${role}";`,
    );
  });

  it('with the GRANT, serves tenant and admin tokens through row-level security', async () => {
    await db.pool.query(`GRANT spanledger_reader, spanledger_admin_reader TO ${role}`);
    const api = await start();
    try {
      const acme = await get(api, '/v1/audit', TOKENS.acme);
      expect(acme.json.rows.map((r: Body) => r.tenant_id)).toEqual(['acme']);
      const admin = await get(api, '/v1/audit', TOKENS.admin);
      expect(admin.json.rows.map((r: Body) => r.tenant_id).sort()).toEqual(['acme', 'globex']);
    } finally {
      await api.close();
    }
  });
});
