import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../../shared/database/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { chatAttributes } from '../../helpers/spans.js';
import {
  JSON_TYPE,
  otlpJsonRequest,
  otlpProtobufRequest,
  PROTOBUF,
  postTraces,
  startTestCollector,
  type TestCollector,
} from './harness.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const MiB = 1024 * 1024;

/**
 * A gzip bomb: `members` gzip members of 1 MiB of zeros each, concatenated (valid gzip: a
 * decoder must read every member). 1024 members inflate to 1 GiB from about 1 MiB.
 */
function gzipBomb(members: number): Buffer {
  const member = gzipSync(Buffer.alloc(MiB), { level: 9 });
  return Buffer.concat(Array.from({ length: members }, () => member));
}

describe('body limits', () => {
  let db: TestDatabase;
  let collector: TestCollector;
  beforeAll(async () => {
    db = await createTestDatabase();
    collector = await startTestCollector(db.url, db.pool); // default limit: 20 MiB
  });
  afterAll(async () => {
    await collector.stop();
    await db.drop();
  });

  it('answers 413 with a Status body to a 30 MiB body', async () => {
    const reply = await postTraces(collector.url, Buffer.alloc(30 * MiB, 1), PROTOBUF);
    expect(reply.status).toBe(413);
    expect(reply.headers.get('content-type')).toBe('application/x-protobuf');
    expect(reply.body.toString()).toContain('max_request_body_size');
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
  });

  it('answers 413 to a gzip bomb (1 GiB of zeros) without inflating it in memory', async () => {
    const bomb = gzipBomb(1024);
    expect(bomb.length).toBeLessThan(2 * MiB);
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    try {
      const reply = await postTraces(collector.url, bomb, {
        ...JSON_TYPE,
        'content-encoding': 'gzip',
      });
      expect(reply.status).toBe(413);
      expect(JSON.parse(reply.body.toString()).message).toContain('after decompression');
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    // The limit is 20 MiB; inflating the bomb would take 1024 MiB.
    expect((peak - before) / MiB).toBeLessThan(200);
  });

  it('still accepts a gzip body that inflates to just under the limit', async () => {
    const spanId = hex(8);
    const json = otlpJsonRequest([
      {
        traceId: hex(16),
        spanId,
        attributes: chatAttributes({ 'app.padding': 'x'.repeat(10 * MiB) }),
      },
    ]);
    const reply = await postTraces(collector.url, gzipSync(otlpProtobufRequest(json)), {
      ...PROTOBUF,
      'content-encoding': 'gzip',
    });
    expect(reply.status).toBe(200);
  });
});

describe('back-pressure', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());

  it('answers 429 with Retry-After once max_concurrent_requests are in flight', async () => {
    const collector = await startTestCollector(db.url, db.pool, { maxConcurrentRequests: 1 });
    const { port } = new URL(collector.url);
    // A request whose body is still arriving holds the only slot.
    const slow = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/traces',
      headers: { ...JSON_TYPE, 'content-length': '2' },
    });
    const slowReply = new Promise<number>((resolve) =>
      slow.on('response', (r) => resolve(r.statusCode!)),
    );
    slow.write('{');
    try {
      let busy: Awaited<ReturnType<typeof postTraces>> | undefined;
      for (let i = 0; i < 100 && busy?.status !== 429; i++) {
        busy = await postTraces(collector.url, '{}', JSON_TYPE);
      }
      expect(busy!.status).toBe(429);
      expect(busy!.headers.get('retry-after')).toBe('1');
      expect(JSON.parse(busy!.body.toString()).message).toContain('max_concurrent_requests');
    } finally {
      slow.end('}');
    }
    expect(await slowReply).toBe(200);
    // The slot is free again.
    expect((await postTraces(collector.url, '{}', JSON_TYPE)).status).toBe(200);
    await collector.stop();
  });

  it('answers 503 with Retry-After when Postgres is unreachable and nothing can be spooled', async () => {
    const deadPort = await findFreePort();
    const collector = await startTestCollector(
      `postgres://postgres:x@127.0.0.1:${deadPort}/nowhere`,
      db.pool,
      {
        exporterOptions: { spool: false, maxRetries: 0 },
      },
    );
    try {
      const json = otlpJsonRequest([
        { traceId: hex(16), spanId: hex(8), attributes: chatAttributes() },
      ]);
      const reply = await postTraces(collector.url, otlpProtobufRequest(json), PROTOBUF);
      expect(reply.status).toBe(503);
      expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(reply.headers.get('content-type')).toBe('application/x-protobuf');
    } finally {
      await collector.stop();
    }
  });
});
