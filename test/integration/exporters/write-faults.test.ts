import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  classifyWriteError,
  createStats,
  emptyOutcome,
  encodeCopyRow,
  mapSpans,
  PgSpanExporter,
  resolveTransformOptions,
  type SpanRow,
  spanLikeFromReadable,
  transformSpan,
  writeRows,
} from '../../../exporters/index.js';
import { releaseSpoolLock, Spool } from '../../../exporters/postgres/spool.js';
import { ConnectionLostError } from '../../../shared/database/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { createTestExporter, ExportResultCode, exportVia } from '../../helpers/exporter.js';
import { chatAttributes, createTestTracer } from '../../helpers/spans.js';
import {
  countAudit,
  JSON_TYPE,
  otlpJsonRequest,
  postTraces,
  startTestCollector,
} from '../collector/harness.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

describe('classifyWriteError', () => {
  it('our own failures on a value are data errors, a lost connection is transient', () => {
    expect(classifyWriteError(new TypeError('x.map is not a function'))).toBe('data');
    expect(classifyWriteError(new RangeError('Invalid string length'))).toBe('data');
    expect(classifyWriteError(new ConnectionLostError(new Error('read ECONNRESET')))).toBe(
      'transient',
    );
    expect(classifyWriteError(Object.assign(new Error('x'), { code: '57P01' }))).toBe('transient');
    expect(classifyWriteError(new Error('Connection terminated unexpectedly'))).toBe('transient');
    expect(classifyWriteError(Object.assign(new Error('x'), { code: '23514' }))).toBe('data');
    expect(classifyWriteError(Object.assign(new Error('x'), { code: '42P01' }))).toBe('systemic');
  });
});

describe('write failures that are about one row', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());

  it('a row whose encoding throws is dead-lettered; the rest commits; nothing is spooled', async () => {
    const { exporter, cleanup } = await createTestExporter(db.url);
    const t = createTestTracer();
    const spans = Array.from({ length: 8 }, () => t.span('chat', chatAttributes()).readable);
    // Map through the exporter's own mapping, with an encoder that fails on one row.
    const poison = spans[5]!.spanContext().spanId;
    const outcome = emptyOutcome();
    const { lanes, count, dead } = mapSpans(
      spans.map(spanLikeFromReadable),
      {
        transform: resolveTransformOptions({}),
        source: 'exporter',
        encode: (row: SpanRow) => {
          if (row.span_id === poison) throw new TypeError('cannot read properties of undefined');
          return encodeCopyRow(row);
        },
      },
      outcome,
      createStats(),
    );
    expect(count).toBe(7);
    const [rows] = lanes;
    expect(outcome.rejected).toEqual([
      expect.objectContaining({
        spanId: poison,
        reason: expect.stringMatching(/could not be encoded/),
      }),
    ]);
    try {
      const report = await writeRows(rows!, dead, { pool: db.pool, chain: 'write-faults/0' });
      expect(report.inserted).toBe(7);
      expect(report.deadLettered).toBe(1);
      const { rows: stored } = await db.pool.query(
        'SELECT span_id, reason FROM spanledger.dead_letter WHERE span_id = $1',
        [poison],
      );
      expect(stored).toEqual([
        { span_id: poison, reason: expect.stringMatching(/could not be encoded: cannot read/) },
      ]);
      expect(exporter.stats().spooledSpans).toBe(0);
    } finally {
      await cleanup();
    }
  });

  it('a spool written by the version before encoded rows (row objects) replays into Postgres', async () => {
    // Written as that version wrote it: one framed JSON record { rows: SpanRow[], dead }.
    const dir = await mkdtemp(join(tmpdir(), 'spanledger-spool-v1-'));
    const t = createTestTracer();
    const spans = Array.from({ length: 3 }, () => t.span('chat', chatAttributes()).readable);
    const options = resolveTransformOptions({});
    const rows = spans.map((s) => {
      const r = transformSpan(spanLikeFromReadable(s), options);
      if (r.kind !== 'row') throw new Error('expected a row');
      return r.row;
    });
    const spool = await Spool.open({ dir, maxBytes: 1 << 20 });
    expect(spool.append({ rows, dead: [] })).toBe('ok');
    spool.close();
    await releaseSpoolLock(dir);
    const exporter = new PgSpanExporter({ databaseUrl: db.url, spool: { dir, maxBytes: 1 << 20 } });
    try {
      await expect.poll(() => exporter.stats().replayedSpans, { timeout: 10_000 }).toBe(3);
      const { rows: stored } = await db.pool.query(
        'SELECT span_id, request_model, input_tokens FROM spanledger.audit_log WHERE span_id = ANY($1) ORDER BY span_id',
        [rows.map((r) => r.span_id)],
      );
      expect(stored).toEqual(
        rows
          .map((r) => ({
            span_id: r.span_id,
            request_model: r.request_model,
            input_tokens: String(r.input_tokens),
          }))
          .sort((a, b) => a.span_id.localeCompare(b.span_id)),
      );
    } finally {
      await exporter.shutdown();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('start times that cannot be real are stored, flagged implausible_start_time', async () => {
    const { exporter, cleanup } = await createTestExporter(db.url);
    const t = createTestTracer();
    const old = t.span('chat', chatAttributes(), { startMs: Date.parse('1999-12-31T23:00:00Z') });
    const future = t.span('chat', chatAttributes(), { startMs: Date.now() + 3 * 86_400_000 });
    const now = t.span('chat', chatAttributes());
    try {
      expect(await exportVia(exporter, [old.readable, future.readable, now.readable])).toBe(
        ExportResultCode.SUCCESS,
      );
      const { rows } = await db.pool.query<{ span_id: string; flags: string[] }>(
        'SELECT span_id, flags FROM spanledger.audit_log WHERE span_id = ANY($1)',
        [[old, future, now].map((s) => s.readable.spanContext().spanId)],
      );
      const flags = new Map(rows.map((r) => [r.span_id, r.flags]));
      expect(flags.get(old.readable.spanContext().spanId)).toContain('implausible_start_time');
      expect(flags.get(future.readable.spanContext().spanId)).toContain('implausible_start_time');
      expect(flags.get(now.readable.spanContext().spanId)).not.toContain('implausible_start_time');
    } finally {
      await cleanup();
    }
  });

  it('a span Postgres itself rejects is counted in partialSuccess with the reason', async () => {
    // Postgres refusing one row, as a constraint added by an operator would.
    await db.pool.query(`
      CREATE FUNCTION public.refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.tool_name = 'poison' THEN
          RAISE EXCEPTION 'tool "poison" is not allowed' USING ERRCODE = '23514';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_poison BEFORE INSERT ON spanledger.audit_log
        FOR EACH ROW EXECUTE FUNCTION public.refuse_poison();`);
    const collector = await startTestCollector(db.url, db.pool);
    try {
      const good = Array.from({ length: 3 }, () => ({
        traceId: hex(16),
        spanId: hex(8),
        attributes: chatAttributes(),
      }));
      const poison = {
        traceId: hex(16),
        spanId: hex(8),
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'poison',
          'spanledger.tenant_id': 'tenant-a',
        },
      };
      const reply = await postTraces(
        collector.url,
        JSON.stringify(otlpJsonRequest([...good, poison])),
        JSON_TYPE,
      );
      expect(reply.status).toBe(200);
      const body = JSON.parse(reply.body.toString()) as {
        partialSuccess?: { rejectedSpans: string; errorMessage: string };
      };
      expect(body.partialSuccess?.rejectedSpans).toBe('1');
      expect(body.partialSuccess?.errorMessage).toContain(`span ${poison.spanId}`);
      expect(body.partialSuccess?.errorMessage).toContain('tool "poison" is not allowed');
      expect(
        await countAudit(
          db.pool,
          good.map((g) => g.spanId),
        ),
      ).toBe(3);
    } finally {
      await collector.stop();
      await db.pool.query('DROP TRIGGER refuse_poison ON spanledger.audit_log');
    }
  });
});
