import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../../migrations/index.js';
import { findFreePort, startEmbeddedPostgres } from '../../../shared/database/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { createTestExporter, ExportResultCode, exportVia } from '../../helpers/exporter.js';
import { chatAttributes, createTestTracer } from '../../helpers/spans.js';
import { makeWorkDir } from '../../helpers/spawn-cli.js';
import { waitUntil } from '../../helpers/wait.js';

async function countSpans(url: string, ids: string[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT (SELECT count(*) FROM spanledger.audit_log WHERE span_id = ANY($1))::int AS audit,
              (SELECT count(*) FROM spanledger.llm_usage WHERE span_id = ANY($1))::int AS usage,
              (SELECT coalesce(sum(calls), 0) FROM spanledger.usage_daily)::int AS calls`,
      [ids],
    );
    return rows[0] as { audit: number; usage: number; calls: number };
  } finally {
    await client.end();
  }
}

describe('Postgres stopped mid-stream', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeWorkDir('spanledger-outage-');
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('spools while the server is down and stores every span exactly once after it returns', async () => {
    const port = await findFreePort();
    const dataDir = join(dir, 'pg');
    let server = await startEmbeddedPostgres({ dataDir, port });
    await runMigrations({ database: server.url });
    const { exporter, cleanup } = await createTestExporter(server.url, { maxRetries: 2 });
    const t = createTestTracer();
    const batches = Array.from({ length: 6 }, () =>
      Array.from({ length: 25 }, () => t.span('chat', chatAttributes()).readable),
    );
    const ids = batches.flat().map((s) => s.spanContext().spanId);
    try {
      expect(await exportVia(exporter, batches[0]!)).toBe(ExportResultCode.SUCCESS);
      expect(await exportVia(exporter, batches[1]!)).toBe(ExportResultCode.SUCCESS);

      await server.stop();
      // Down: every export still succeeds, because the spans are fsync'd to the spool.
      for (const batch of batches.slice(2, 5)) {
        expect(await exportVia(exporter, batch)).toBe(ExportResultCode.SUCCESS);
      }
      // A batch re-sent during the outage (a client retry) must not duplicate either.
      expect(await exportVia(exporter, batches[2]!)).toBe(ExportResultCode.SUCCESS);
      expect(exporter.stats().spooledSpans).toBeGreaterThanOrEqual(100);

      server = await startEmbeddedPostgres({ dataDir, port });
      expect(await exportVia(exporter, batches[5]!)).toBe(ExportResultCode.SUCCESS);
      await waitUntil(
        async () => (await countSpans(server.url, ids)).audit === 150,
        'replay after restart',
      );
      await exporter.forceFlush();
      expect(await countSpans(server.url, ids)).toEqual({ audit: 150, usage: 150, calls: 150 });
      expect(exporter.stats().droppedSpans).toBe(0);
      expect(exporter.stats().spoolBytes).toBe(0);
    } finally {
      await cleanup();
      await server.stop();
    }
  });
});

describe('the spool', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());

  it('survives a restart of the exporter and is replayed by the next one', async () => {
    const deadPort = await findFreePort();
    const t = createTestTracer();
    const spans = Array.from({ length: 40 }, () => t.span('chat', chatAttributes()).readable);
    const ids = spans.map((s) => s.spanContext().spanId);

    const first = await createTestExporter(`postgres://postgres:x@127.0.0.1:${deadPort}/nowhere`, {
      maxRetries: 1,
    });
    expect(await exportVia(first.exporter, spans.slice(0, 20))).toBe(ExportResultCode.SUCCESS);
    expect(await exportVia(first.exporter, spans.slice(20))).toBe(ExportResultCode.SUCCESS);
    expect(first.exporter.stats().spooledSpans).toBe(40);
    await first.exporter.shutdown();
    const segments = (await readdir(first.spoolDir)).filter((f) => f.endsWith('.spool'));
    expect(segments.length).toBeGreaterThan(0);

    // The next process: same spool directory, a reachable database.
    const second = await createTestExporter(db.url, { spool: { dir: first.spoolDir } });
    try {
      await waitUntil(async () => (await countSpans(db.url, ids)).audit === 40, 'spool replay');
      await second.exporter.forceFlush();
      expect((await countSpans(db.url, ids)).usage).toBe(40);
      expect((await readdir(first.spoolDir)).filter((f) => f.endsWith('.spool'))).toEqual([]);
      expect(second.exporter.stats().replayedSpans).toBe(40);
    } finally {
      await second.cleanup();
    }
  });

  it('when full, reports FAILED and counts what it could not keep', async () => {
    const deadPort = await findFreePort();
    const t = createTestTracer();
    const tiny = await createTestExporter(`postgres://postgres:x@127.0.0.1:${deadPort}/nowhere`, {
      maxRetries: 0,
      spoolMaxBytes: 4096,
    });
    try {
      const batch = Array.from({ length: 30 }, () => t.span('chat', chatAttributes()).readable);
      expect(await exportVia(tiny.exporter, batch)).toBe(ExportResultCode.FAILED);
      expect(tiny.exporter.stats().droppedSpans).toBe(30);
      expect(tiny.exporter.stats().spooledSpans).toBe(0);
    } finally {
      await tiny.cleanup();
    }
  });
});
