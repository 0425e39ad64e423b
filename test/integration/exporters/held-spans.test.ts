import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCollector } from '../../../collector/index.js';
import { PgSpanExporter, type SpanLike, spanLikeFromReadable } from '../../../exporters/index.js';
import { createLogger } from '../../../shared/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { createTestExporter } from '../../helpers/exporter.js';
import { chatAttributes, createTestTracer } from '../../helpers/spans.js';
import { waitUntil } from '../../helpers/wait.js';
import {
  countAudit,
  otlpJsonRequest,
  otlpProtobufRequest,
  PROTOBUF,
  postTraces,
} from '../collector/harness.js';

/*
 * Once spans are mapped to COPY text, nothing may keep the span objects alive while their write
 * waits for Postgres (hundreds of ms under load). V8 keeps an async function's parameters and
 * locals while it is suspended, used or not, so an `await` in the function that received the
 * spans holds every one of them: they then survive young collections and are copied into the
 * old generation, which the collector paid for on every request (issue 18, part 3).
 */

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function collectGarbage() {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * Holds audit_log so every write waits at its merge until `release()`, which is idempotent: a
 * second call must not run COMMIT on a client already back in the pool.
 */
async function holdAuditLog(pool: pg.Pool) {
  const client = await pool.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE spanledger.audit_log IN ACCESS EXCLUSIVE MODE');
  let released: Promise<void> | undefined;
  return () => {
    released ??= client.query('COMMIT').then(
      () => client.release(),
      (err: Error) => client.release(err),
    );
    return released;
  };
}

/** True once a write is waiting on the lock taken by holdAuditLog. */
async function writeIsWaiting(pool: pg.Pool): Promise<boolean> {
  const { rows } = await pool.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  );
  return rows[0].n > 0;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

describe('spans are not held while their write is pending', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());

  it('exportSpans lets go of the span objects once they are mapped', async () => {
    const { exporter, cleanup } = await createTestExporter(db.url);
    const t = createTestTracer();
    let spans: SpanLike[] | undefined = Array.from({ length: 20 }, () =>
      spanLikeFromReadable(t.span('chat', chatAttributes()).readable),
    );
    const ids = spans.map((s) => s.spanId);
    const held = new WeakRef(spans);
    const release = await holdAuditLog(db.pool);
    try {
      const pending = exporter.exportSpans(spans);
      spans = undefined;
      await waitUntil(() => writeIsWaiting(db.pool), 'the write to wait on the audit_log lock');
      await collectGarbage();
      expect(held.deref()).toBeUndefined();
      await release();
      const outcome = await pending;
      expect(outcome).toMatchObject({ code: 0, accepted: 20, spooled: 0 });
      expect(await countAudit(db.pool, ids)).toBe(20);
    } finally {
      await release();
      await cleanup();
    }
  });

  it('the collector lets go of a request’s decoded spans while they are written', async () => {
    const received: Array<WeakRef<readonly SpanLike[]>> = [];
    // The real exporter; only a note of each array it is handed, kept weakly.
    class Watched extends PgSpanExporter {
      override exportSpans(spans: readonly SpanLike[], meta?: { tenantId?: string }) {
        received.push(new WeakRef(spans));
        return super.exportSpans(spans, meta);
      }
    }
    const spoolDir = await mkdtemp(join(tmpdir(), 'spanledger-held-'));
    const exporter = new Watched({ databaseUrl: db.url, spool: { dir: spoolDir } });
    const app = buildCollector({ pool: db.pool, exporter, logger: createLogger('silent') });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const specs = Array.from({ length: 20 }, () => ({
      traceId: hex(16),
      spanId: hex(8),
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini' },
    }));
    const release = await holdAuditLog(db.pool);
    try {
      const reply = postTraces(url, otlpProtobufRequest(otlpJsonRequest(specs)), PROTOBUF);
      await waitUntil(() => writeIsWaiting(db.pool), 'the write to wait on the audit_log lock');
      await collectGarbage();
      expect(received).toHaveLength(1);
      expect(received[0]!.deref()).toBeUndefined();
      await release();
      expect((await reply).status).toBe(200);
      expect(
        await countAudit(
          db.pool,
          specs.map((s) => s.spanId),
        ),
      ).toBe(20);
    } finally {
      await release();
      await app.close();
      await exporter.shutdown();
      await rm(spoolDir, { recursive: true, force: true });
    }
  });
});
