import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../../migrations/index.js';
import { createPool, findFreePort, startEmbeddedPostgres } from '../../../shared/database/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { chatAttributes } from '../../helpers/spans.js';
import { makeWorkDir } from '../../helpers/spawn-cli.js';
import { waitUntil } from '../../helpers/wait.js';
import {
  countAudit,
  otlpJsonRequest,
  otlpProtobufRequest,
  PROTOBUF,
  postTraces,
  startTestCollector,
} from './harness.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

function chatRequest(count: number) {
  const specs = Array.from({ length: count }, () => ({
    traceId: hex(16),
    spanId: hex(8),
    attributes: chatAttributes(),
  }));
  return { body: otlpProtobufRequest(otlpJsonRequest(specs)), ids: specs.map((s) => s.spanId) };
}

describe('Postgres unreachable: the receiver spools and answers 200', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await makeWorkDir('spanledger-collector-spool-');
  });
  afterAll(async () => {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('spools while the database is down; the next collector replays each span exactly once', async () => {
    const spoolDir = join(dir, 'spool');
    const deadPort = await findFreePort();
    const requests = [chatRequest(10), chatRequest(10), chatRequest(10)];
    const ids = requests.flatMap((r) => r.ids);

    const down = await startTestCollector(
      `postgres://postgres:x@127.0.0.1:${deadPort}/nowhere`,
      db.pool,
      {
        spoolDir,
        exporterOptions: { maxRetries: 0 },
      },
    );
    for (const r of requests) {
      expect((await postTraces(down.url, r.body, PROTOBUF)).status).toBe(200);
    }
    // A client retry of the same request during the outage.
    expect((await postTraces(down.url, requests[0]!.body, PROTOBUF)).status).toBe(200);
    expect(down.exporter.stats().spooledSpans).toBe(40);
    await down.stop();
    expect(await countAudit(db.pool, ids)).toBe(0);

    const up = await startTestCollector(db.url, db.pool, { spoolDir });
    try {
      await waitUntil(async () => (await countAudit(db.pool, ids)) === 30, 'spool replay');
      // And the sender retries once more after the database came back.
      expect((await postTraces(up.url, requests[1]!.body, PROTOBUF)).status).toBe(200);
      await up.exporter.forceFlush();
      expect(await countAudit(db.pool, ids)).toBe(30);
      const { rows } = await db.pool.query(
        'SELECT span_id, count(*)::int AS n FROM spanledger.audit_log WHERE span_id = ANY($1) GROUP BY span_id HAVING count(*) > 1',
        [ids],
      );
      expect(rows).toEqual([]);
    } finally {
      await up.stop();
    }
  });
});

describe('Postgres stopped and restarted under the collector', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeWorkDir('spanledger-collector-outage-');
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('answers 200 during the outage and stores every span once after the restart', async () => {
    const port = await findFreePort();
    const dataDir = join(dir, 'pg');
    let server = await startEmbeddedPostgres({ dataDir, port });
    await runMigrations({ database: server.url });
    const pool = createPool({ url: server.url, applicationName: 'test-readiness', max: 1 });
    const collector = await startTestCollector(server.url, pool, {
      exporterOptions: { maxRetries: 1 },
    });
    const before = chatRequest(5);
    const during = [chatRequest(5), chatRequest(5)];
    const ids = [before, ...during].flatMap((r) => r.ids);
    try {
      expect((await postTraces(collector.url, before.body, PROTOBUF)).status).toBe(200);
      await server.stop();
      for (const r of during) {
        expect((await postTraces(collector.url, r.body, PROTOBUF)).status).toBe(200);
      }
      expect((await fetch(`${collector.url}/readyz`)).status).toBe(503);
      expect(collector.exporter.stats().spooledSpans).toBe(10);

      server = await startEmbeddedPostgres({ dataDir, port });
      await waitUntil(
        async () => (await countAudit(pool, ids).catch(() => 0)) === 15,
        'replay after the restart',
      );
      await collector.exporter.forceFlush();
      expect(await countAudit(pool, ids)).toBe(15);
      expect(collector.exporter.stats().droppedSpans).toBe(0);
      await waitUntil(
        async () => (await fetch(`${collector.url}/readyz`)).status === 200,
        'ready again',
      );
    } finally {
      await collector.stop();
      await pool.end();
      await server.stop();
    }
  });
});
