import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spanLikeFromReadable } from '../../../exporters/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { createTestExporter, ExportResultCode, exportVia } from '../../helpers/exporter.js';
import { chatAttributes, createTestTracer } from '../../helpers/spans.js';

async function count(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(sql, params);
  return Number(rows[0]!.n);
}

/** usage_daily must equal the sums of llm_usage, per key. */
async function rollupMismatches(pool: pg.Pool) {
  const { rows } = await pool.query(`
    WITH l AS (
      SELECT (started_at AT TIME ZONE 'UTC')::date AS day, coalesce(tenant_id,'') t, coalesce(user_id,'') u,
             coalesce(provider,'') p, coalesce(model,'') m, count(*) calls,
             coalesce(sum(input_tokens),0) i, coalesce(sum(output_tokens),0) o,
             coalesce(sum(cost_usd),0) c, count(*) FILTER (WHERE cost_usd IS NULL) unpriced
      FROM spanledger.llm_usage GROUP BY 1,2,3,4,5)
    SELECT * FROM l FULL JOIN spanledger.usage_daily d
      ON d.day = l.day AND d.tenant_id = l.t AND d.user_id = l.u AND d.provider = l.p AND d.model = l.m
    WHERE l.calls IS DISTINCT FROM d.calls OR l.i IS DISTINCT FROM d.input_tokens
       OR l.o IS DISTINCT FROM d.output_tokens OR l.c IS DISTINCT FROM d.cost_usd
       OR l.unpriced IS DISTINCT FROM d.unpriced_calls`);
  return rows;
}

describe('PgSpanExporter', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());

  it('the same batch exported 5 times leaves one row per span and consistent rollups', async () => {
    const { span } = createTestTracer();
    const spans = Array.from(
      { length: 50 },
      (_, i) =>
        span('chat gpt-4o-mini', chatAttributes({ 'enduser.id': `user-${i % 3}` })).readable,
    );
    const { exporter, cleanup } = await createTestExporter(db.url);
    try {
      for (let i = 0; i < 5; i++)
        expect(await exportVia(exporter, spans)).toBe(ExportResultCode.SUCCESS);
      const ids = spans.map((s) => s.spanContext().spanId);
      expect(
        await count(
          db.pool,
          'SELECT count(*) n FROM spanledger.audit_log WHERE span_id = ANY($1)',
          [ids],
        ),
      ).toBe(50);
      expect(
        await count(
          db.pool,
          'SELECT count(*) n FROM spanledger.llm_usage WHERE span_id = ANY($1)',
          [ids],
        ),
      ).toBe(50);
      expect(await rollupMismatches(db.pool)).toEqual([]);
      const stats = exporter.stats();
      expect(stats.rowsInserted).toBe(50);
      expect(stats.duplicatesSkipped).toBe(200);
    } finally {
      await cleanup();
    }
  });

  it('concurrent exporters sending the same spans store each once', async () => {
    const { span } = createTestTracer();
    const spans = Array.from({ length: 200 }, () => span('chat', chatAttributes()).readable);
    const exporters = await Promise.all([1, 2, 3].map(() => createTestExporter(db.url)));
    try {
      const codes = await Promise.all(exporters.map((e) => exportVia(e.exporter, spans)));
      expect(codes).toEqual([0, 0, 0]);
      const ids = spans.map((s) => s.spanContext().spanId);
      expect(
        await count(
          db.pool,
          'SELECT count(*) n FROM spanledger.audit_log WHERE span_id = ANY($1)',
          [ids],
        ),
      ).toBe(200);
      expect(
        await count(
          db.pool,
          'SELECT count(*) n FROM spanledger.llm_usage WHERE span_id = ANY($1)',
          [ids],
        ),
      ).toBe(200);
      expect(await rollupMismatches(db.pool)).toEqual([]);
    } finally {
      await Promise.all(exporters.map((e) => e.cleanup()));
    }
  });

  it('a poison row goes to dead_letter with the reason and the rest of the batch commits', async () => {
    // A constraint only this test database has: Postgres itself rejects the row.
    await db.pool.query(
      `ALTER TABLE spanledger.audit_log ADD CONSTRAINT test_no_poison CHECK (span_name IS DISTINCT FROM 'poison')`,
    );
    const { span } = createTestTracer();
    const good = Array.from({ length: 9 }, () => span('chat', chatAttributes()).readable);
    const poison = span('poison', chatAttributes()).readable;
    const batch = [...good.slice(0, 4), poison, ...good.slice(4)];
    const { exporter, cleanup } = await createTestExporter(db.url);
    try {
      expect(await exportVia(exporter, batch)).toBe(ExportResultCode.SUCCESS);
      const ids = good.map((s) => s.spanContext().spanId);
      expect(
        await count(
          db.pool,
          'SELECT count(*) n FROM spanledger.audit_log WHERE span_id = ANY($1)',
          [ids],
        ),
      ).toBe(9);
      const { rows } = await db.pool.query(
        'SELECT reason, span_id, payload FROM spanledger.dead_letter WHERE span_id = $1',
        [poison.spanContext().spanId],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].reason).toContain('test_no_poison');
      expect(rows[0].payload.span_name).toBe('poison');
      // Exported again: still one dead letter, still no duplicate rows.
      expect(await exportVia(exporter, batch)).toBe(ExportResultCode.SUCCESS);
      expect(
        await count(db.pool, 'SELECT count(*) n FROM spanledger.dead_letter WHERE span_id = $1', [
          poison.spanContext().spanId,
        ]),
      ).toBe(1);
      expect(exporter.stats().deadLettered).toBe(2);
    } finally {
      await db.pool.query('ALTER TABLE spanledger.audit_log DROP CONSTRAINT test_no_poison');
      await cleanup();
    }
  });

  it('a span with an invalid id is dead-lettered with a reason naming it; the rest lands', async () => {
    const { exporter, cleanup } = await createTestExporter(db.url);
    const { span } = createTestTracer();
    const good = span('chat', chatAttributes()).readable;
    const base = span('chat', chatAttributes()).readable;
    const badId = {
      ...base,
      spanContext: () => ({ ...base.spanContext(), spanId: 'not-hex!' }),
    } as typeof base;
    try {
      const outcome = await exporter.exportSpans([
        spanLikeFromReadable(good),
        spanLikeFromReadable(badId),
      ]);
      expect(outcome.code).toBe(ExportResultCode.SUCCESS);
      expect(outcome.rejected).toHaveLength(1);
      expect(outcome.rejected[0]!.reason).toMatch(/span.?id/i);
      expect(
        await count(db.pool, 'SELECT count(*) n FROM spanledger.audit_log WHERE span_id = $1', [
          good.spanContext().spanId,
        ]),
      ).toBe(1);
      expect(
        await count(
          db.pool,
          `SELECT count(*) n FROM spanledger.dead_letter WHERE span_id = 'not-hex!'`,
        ),
      ).toBe(1);
    } finally {
      await cleanup();
    }
  });

  it('hostile attribute values never fail a batch', async () => {
    const nasty = [
      'tab\there',
      'new\nline',
      'cr\rhere',
      'back\\slash',
      '\\N',
      '\\.',
      'nul\u0000byte',
      'lone \ud800 surrogate',
      'trail \udc00',
      'x'.repeat(1024 * 1024),
      '{"json": "\\u0000"}',
      'quote " and \' and {braces}',
    ];
    const { span } = createTestTracer();
    const spans = nasty.map(
      (value, i) =>
        span(
          `chat ${value.slice(0, 40)}`,
          chatAttributes({
            'custom.value': value,
            'gen_ai.request.model': i === 0 ? value : 'gpt-4o-mini',
            'enduser.id': value,
            'gen_ai.response.finish_reasons': [value, 'stop'],
          }),
        ).readable,
    );
    const { exporter, cleanup } = await createTestExporter(db.url);
    try {
      expect(await exportVia(exporter, spans)).toBe(ExportResultCode.SUCCESS);
      const ids = spans.map((s) => s.spanContext().spanId);
      expect(
        await count(
          db.pool,
          'SELECT count(*) n FROM spanledger.audit_log WHERE span_id = ANY($1)',
          [ids],
        ),
      ).toBe(nasty.length);
      expect(
        await count(
          db.pool,
          'SELECT count(*) n FROM spanledger.dead_letter WHERE span_id = ANY($1)',
          [ids],
        ),
      ).toBe(0);
      // Values that survive byte-exact do; the rest are flagged.
      const { rows } = await db.pool.query<{ user_id: string; flags: string[] }>(
        'SELECT user_id, flags FROM spanledger.audit_log WHERE span_id = ANY($1)',
        [ids],
      );
      for (const row of rows) {
        const original = nasty.find((v) => v === row.user_id);
        if (!original) expect(row.flags.length).toBeGreaterThan(0);
      }
      expect(rows.map((r) => r.user_id)).toContain('tab\there');
      expect(rows.map((r) => r.user_id)).toContain('\\N');
    } finally {
      await cleanup();
    }
  });

  it('an unknown model is stored with NULL cost and counted as unpriced, never 0', async () => {
    const { span } = createTestTracer();
    const s = span(
      'chat',
      chatAttributes({
        'gen_ai.request.model': 'totally-new-model-9000',
        'gen_ai.response.model': 'totally-new-model-9000',
        'gen_ai.provider.name': 'acme',
        'enduser.id': 'unpriced-user',
      }),
    ).readable;
    const { exporter, cleanup } = await createTestExporter(db.url);
    try {
      expect(await exportVia(exporter, [s])).toBe(ExportResultCode.SUCCESS);
      const { rows } = await db.pool.query(
        'SELECT cost_usd, price_ref FROM spanledger.llm_usage WHERE span_id = $1',
        [s.spanContext().spanId],
      );
      expect(rows).toEqual([{ cost_usd: null, price_ref: null }]);
      const daily = await db.pool.query(
        `SELECT calls, unpriced_calls, cost_usd FROM spanledger.usage_daily WHERE user_id = 'unpriced-user'`,
      );
      expect(daily.rows).toEqual([{ calls: '1', unpriced_calls: '1', cost_usd: '0.0000000000' }]);
      expect(exporter.stats().unpriced).toBe(1);
    } finally {
      await cleanup();
    }
  });

  it('a known model gets a cost and a price_ref', async () => {
    const { span } = createTestTracer();
    const s = span(
      'chat',
      chatAttributes({
        'gen_ai.usage.input_tokens': 1_000_000,
        'gen_ai.usage.output_tokens': 1_000_000,
      }),
    ).readable;
    const { exporter, cleanup } = await createTestExporter(db.url);
    try {
      await exportVia(exporter, [s]);
      const { rows } = await db.pool.query(
        'SELECT cost_usd, price_ref FROM spanledger.llm_usage WHERE span_id = $1',
        [s.spanContext().spanId],
      );
      expect(Number(rows[0].cost_usd)).toBeGreaterThan(0);
      expect(rows[0].price_ref).toMatch(/^openai\/gpt-4o-mini@\d{4}-\d{2}-\d{2}$/);
    } finally {
      await cleanup();
    }
  });

  it('works as the least-privilege writer role', async () => {
    const { span } = createTestTracer();
    const s = span('chat', chatAttributes()).readable;
    const { exporter, cleanup } = await createTestExporter(db.url, { role: 'spanledger_writer' });
    try {
      expect(await exportVia(exporter, [s, s])).toBe(ExportResultCode.SUCCESS);
      expect(
        await count(db.pool, 'SELECT count(*) n FROM spanledger.llm_usage WHERE span_id = $1', [
          s.spanContext().spanId,
        ]),
      ).toBe(1);
    } finally {
      await cleanup();
    }
  });

  it('after shutdown, export fails and shutdown is idempotent', async () => {
    const { exporter, cleanup } = await createTestExporter(db.url);
    await exporter.shutdown();
    await exporter.shutdown();
    const { span } = createTestTracer();
    expect(await exportVia(exporter, [span('chat', chatAttributes()).readable])).toBe(
      ExportResultCode.FAILED,
    );
    await cleanup();
  });
});
