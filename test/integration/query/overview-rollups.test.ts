import { readdirSync } from 'node:fs';
import type { Attributes } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsDir, runMigrations } from '../../../migrations/index.js';
import { bindValues, overviewRankingsSql } from '../../../query/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { createTestExporter, ExportResultCode, exportVia } from '../../helpers/exporter.js';
import { createTestTracer } from '../../helpers/spans.js';
import { chat, toolCall } from './harness.js';

const DAY = 86_400_000;
const t0 = Date.parse('2026-11-20T10:00:00Z');

/** Spans of two tenants, a tenantless one, errors, a tool and an MCP server, over two days. */
function knownSpans() {
  const tracer = createTestTracer();
  const mcp = (tenant: string) => ({
    'mcp.method.name': 'tools/call',
    'gen_ai.tool.name': 'get_weather',
    'server.address': 'weather-mcp',
    'spanledger.tenant_id': tenant,
  });
  const spans: [string, Attributes, number, string?][] = [
    ['chat', chat('acme', 'alice', { input: 100, output: 10 }), t0],
    ['chat', chat('acme', 'bob', { input: 200, output: 20 }), t0 + 1000],
    ['chat', chat('acme', 'bob', { model: 'gpt-4o', input: 50, output: 5 }), t0 + DAY],
    ['chat', chat('acme', 'carol', { input: 7, output: 1 }), t0 + 2000, 'RateLimitError'],
    ['chat', chat('globex', 'dave', { provider: 'anthropic', model: 'claude-haiku-4-5' }), t0],
    ['chat', { ...chat('', 'erin'), 'spanledger.tenant_id': '' }, t0],
    ['tool', toolCall('acme', 'alice', 'get_weather'), t0 + 3000],
    ['tool', toolCall('acme', 'bob', 'get_weather'), t0 + DAY, 'ToolError'],
    ['tool', toolCall('globex', 'dave', 'search'), t0],
    ['tools/call get_weather', mcp('acme'), t0 + 4000],
  ];
  return spans.map(
    ([name, attributes, startMs, error]) =>
      tracer.span(name, attributes, { startMs, durationMs: 250, ...(error ? { error } : {}) })
        .readable,
  );
}

// What each rollup must hold, computed from its source by a plain GROUP BY.
const MODELS_FROM_USAGE_DAILY = `
SELECT day, tenant_id, provider, model, sum(calls)::int AS calls, sum(error_calls)::int AS error_calls,
  sum(input_tokens)::int AS input_tokens, sum(output_tokens)::int AS output_tokens,
  sum(cache_read_tokens)::int AS cache_read_tokens, sum(reasoning_tokens)::int AS reasoning_tokens,
  sum(cost_usd)::text AS cost_usd, sum(unpriced_calls)::int AS unpriced_calls
FROM spanledger.usage_daily GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`;
const MODELS = `
SELECT day, tenant_id, provider, model, calls::int, error_calls::int, input_tokens::int,
  output_tokens::int, cache_read_tokens::int, reasoning_tokens::int, cost_usd::text,
  unpriced_calls::int
FROM spanledger.usage_daily_models ORDER BY 1, 2, 3, 4`;
const CALLS_FROM_AUDIT = `
SELECT (started_at AT TIME ZONE 'UTC')::date AS day, coalesce(tenant_id, '') AS tenant_id, kind,
  name, count(*)::int AS calls, (count(*) FILTER (WHERE status = 'error'))::int AS error_calls
FROM spanledger.audit_log
CROSS JOIN LATERAL (VALUES ('tool', tool_name), ('mcp_server', mcp_server)) AS k(kind, name)
WHERE name IS NOT NULL GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`;
const CALLS = `
SELECT day, tenant_id, kind, name, calls::int, error_calls::int
FROM spanledger.calls_daily ORDER BY 1, 2, 3, 4`;

async function exportTwice(url: string) {
  const spans = knownSpans();
  const { exporter, cleanup } = await createTestExporter(url);
  try {
    // The second export re-sends every span: ON CONFLICT skips them, and so must the rollups.
    for (let i = 0; i < 2; i++) {
      expect(await exportVia(exporter, spans)).toBe(ExportResultCode.SUCCESS);
    }
  } finally {
    await cleanup();
  }
}

describe('overview rollups', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await exportTwice(db.url);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('usage_daily_models is usage_daily summed over users, once per call however often re-sent', async () => {
    const models = (await db.pool.query(MODELS)).rows;
    expect(models).toEqual((await db.pool.query(MODELS_FROM_USAGE_DAILY)).rows);
    const acme = models.filter((r) => r.tenant_id === 'acme' && r.model === 'gpt-4o-mini');
    expect(acme).toHaveLength(1);
    // alice 100 + bob 200 + carol's failed call 7, on 2026-11-20.
    expect(acme[0]).toMatchObject({ calls: 3, error_calls: 1, input_tokens: 307 });
    expect(models.map((r) => r.tenant_id)).toContain('');
  });

  it('calls_daily counts every audit row naming a tool or an MCP server, once', async () => {
    const calls = (await db.pool.query(CALLS)).rows;
    expect(calls).toEqual((await db.pool.query(CALLS_FROM_AUDIT)).rows);
    const named = (kind: string, name: string) =>
      calls
        .filter((r) => r.tenant_id === 'acme' && r.kind === kind && r.name === name)
        .reduce((n, r) => ({ calls: n.calls + r.calls, errors: n.errors + r.error_calls }), {
          calls: 0,
          errors: 0,
        });
    // Two tool calls and the MCP tools/call (which names the tool too), one of them failed.
    expect(named('tool', 'get_weather')).toEqual({ calls: 3, errors: 1 });
    expect(named('mcp_server', 'weather-mcp')).toEqual({ calls: 1, errors: 0 });
  });
});

describe('overview rollups under concurrent writers', () => {
  it('two exporters merging the same tenant, day and models at once never deadlock', async () => {
    // A inserts a usage row of model X (new user) and updates one of model Y (known user); B the
    // other way round. Rollup rows keyed without the user are then wanted by both in opposite
    // orders unless every rollup is written in one ordered pass per statement.
    const db = await createTestDatabase();
    const a = await createTestExporter(db.url, { retryBaseMs: 1 });
    const b = await createTestExporter(db.url, { retryBaseMs: 1 });
    try {
      const tracer = createTestTracer();
      const span = (user: string, model: string, startMs: number) =>
        tracer.span('chat', chat('acme', user, { model }), { startMs, durationMs: 100 }).readable;
      const ROUNDS = 40;
      for (let r = 0; r < ROUNDS; r++) {
        const at = t0 + r * 10;
        await Promise.all([
          exportVia(a.exporter, [span(`a${r}`, 'model-x', at), span('known-a', 'model-y', at)]),
          exportVia(b.exporter, [span(`b${r}`, 'model-y', at), span('known-b', 'model-x', at)]),
        ]);
      }
      const retries = a.exporter.stats().retries + b.exporter.stats().retries;
      const models = (await db.pool.query(MODELS)).rows;
      expect(models).toEqual((await db.pool.query(MODELS_FROM_USAGE_DAILY)).rows);
      expect(models.reduce((n, r) => n + r.calls, 0)).toBe(ROUNDS * 4);
      // A deadlock is retried by the exporter (nothing is lost), but each is a transaction
      // thrown away and an error in Postgres' log: there must be none.
      expect(retries).toBe(0);
    } finally {
      await a.cleanup();
      await b.cleanup();
      await db.drop();
    }
  });
});

describe('the overview-rollups migration', () => {
  it('backfills both rollups from a ledger written before it', async () => {
    const db = await createTestDatabase({ migrate: false });
    try {
      const files = readdirSync(migrationsDir())
        .filter((f) => f.endsWith('.sql'))
        .sort();
      const index = files.findIndex((f) => f.includes('overview-rollups'));
      expect(index).toBeGreaterThan(0);
      await runMigrations({ database: db.url, count: index });
      await exportTwice(db.url);
      const before = await db.pool.query(`SELECT to_regclass('spanledger.calls_daily') AS t`);
      expect(before.rows[0].t).toBeNull();
      await runMigrations({ database: db.url });
      const models = (await db.pool.query(MODELS)).rows;
      expect(models.length).toBeGreaterThan(3);
      expect(models).toEqual((await db.pool.query(MODELS_FROM_USAGE_DAILY)).rows);
      const calls = (await db.pool.query(CALLS)).rows;
      expect(calls.length).toBeGreaterThan(3);
      expect(calls).toEqual((await db.pool.query(CALLS_FROM_AUDIT)).rows);
    } finally {
      await db.drop();
    }
  });
});

describe('overviewRankingsSql', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    // 3 tenants and tenantless rows over 40 days, distinct durations and costs, some NULL.
    await db.pool.query(
      `INSERT INTO spanledger.audit_log (trace_id, span_id, started_at, tenant_id, event_type,
         status, duration_ms, cost_usd, tool_name)
       SELECT md5('r' || i), left(md5('s' || i), 16),
              timestamptz '2026-11-30T12:00:00Z' - (i % 40) * interval '1 day' - i * interval '1 second',
              (ARRAY['acme', 'globex', 'initech', NULL])[1 + i % 4], 'llm_call', 'ok',
              CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 7919) % 100003 END,
              CASE WHEN i % 13 = 0 THEN NULL ELSE ((i * 104729) % 99991) / 1000.0 END,
              CASE WHEN i % 5 = 0 THEN 'tool-' || (i % 3) END
       FROM generate_series(1, 4000) AS i`,
    );
  });
  afterAll(async () => {
    await db.drop();
  });

  const naive = async (column: string, tenant: string | undefined, from: string) =>
    (
      await db.pool.query(
        `SELECT trace_id FROM spanledger.audit_log
         WHERE started_at >= $1::date AND ${column} IS NOT NULL
           AND ($2::text IS NULL OR tenant_id = $2)
         ORDER BY ${column} DESC, started_at DESC LIMIT 10`,
        [from, tenant ?? null],
      )
    ).rows.map((r) => r.trace_id);

  it.each([
    ['one tenant', 'globex'],
    ['every tenant', undefined],
  ])('ranks %s exactly as a full scan would', async (_label, tenant) => {
    await db.pool.query(`SET TIME ZONE 'UTC'`);
    for (const from of ['2026-11-01', '2026-11-25']) {
      const values = bindValues();
      const sql = overviewRankingsSql({ from, tenant }, 10, values);
      const { rows } = await db.pool.query(sql, values.values);
      const ids = (json: string) =>
        (JSON.parse(json) as { trace_id: string }[]).map((r) => r.trace_id);
      const slowest = ids(rows[0].slowest);
      expect(slowest).toHaveLength(10);
      expect(slowest).toEqual(await naive('duration_ms', tenant, from));
      expect(ids(rows[0].costliest)).toEqual(await naive('cost_usd', tenant, from));
      const tools = JSON.parse(rows[0].tools) as { name: string; calls: number }[];
      const expected = await db.pool.query(
        `SELECT tool_name AS name, count(*)::int AS calls, 0 AS errors FROM spanledger.audit_log
         WHERE tool_name IS NOT NULL AND started_at >= $1::date AND ($2::text IS NULL OR tenant_id = $2)
         GROUP BY 1 ORDER BY calls DESC, name`,
        [from, tenant ?? null],
      );
      expect(tools).toEqual(expected.rows);
    }
  });

  it('binds the tenant as a parameter', () => {
    const evil = "x') OR true; DROP TABLE spanledger.audit_log; --";
    const values = bindValues();
    const sql = overviewRankingsSql({ from: '2026-11-01', tenant: evil }, 10, values);
    expect(sql).not.toContain('DROP TABLE');
    expect(values.values).toContain(evil);
  });
});
