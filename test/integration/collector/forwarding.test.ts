import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectorHandle, resolveConfig, startCollector } from '../../../collector/index.js';
import { findFreePort } from '../../../shared/database/index.js';
import { createLogger } from '../../../shared/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { chatAttributes, createTestTracer } from '../../helpers/spans.js';
import { makeWorkDir } from '../../helpers/spawn-cli.js';
import { waitUntil } from '../../helpers/wait.js';
import { type FakeTarget, startFakeTarget } from './fake-targets.js';
import { countAudit, sendWithSdk } from './harness.js';

const fastRetry = { initial_interval: '20ms', max_interval: '100ms', max_elapsed_time: '0s' };

describe('forwarding to OTLP/HTTP targets', () => {
  let db: TestDatabase;
  let dir: string;
  let healthy: FakeTarget;
  let hanging: FakeTarget;
  let flaky: FakeTarget;
  let unused: FakeTarget;
  let collector: CollectorHandle;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await makeWorkDir('spanledger-forward-');
    healthy = await startFakeTarget();
    hanging = await startFakeTarget(() => 'hang');
    // The first attempt is throttled: the retry must honour Retry-After.
    flaky = await startFakeTarget((attempt) =>
      attempt === 0 ? { status: 503, headers: { 'retry-after': '0' } } : { status: 200 },
    );
    unused = await startFakeTarget();
    const deadPort = await findFreePort();
    const config = resolveConfig({
      receivers: { otlp: { protocols: { http: { endpoint: '127.0.0.1:0' } } } },
      // The console (on by default) on an ephemeral port, not 4319 shared with other tests.
      extensions: { query_api: { endpoint: '127.0.0.1:0' } },
      exporters: {
        postgres: { url: db.url, spool: { dir: join(dir, 'spool') } },
        'otlphttp/healthy': {
          endpoint: healthy.url,
          headers: { 'X-Scope-OrgID': 'team-a' },
          retry_on_failure: fastRetry,
        },
        'otlphttp/hanging': {
          endpoint: `${hanging.url}/v1/traces`,
          timeout: '200ms',
          compression: 'none',
          retry_on_failure: fastRetry,
        },
        'otlphttp/down': {
          endpoint: `http://127.0.0.1:${deadPort}`,
          retry_on_failure: fastRetry,
        },
        'otlphttp/flaky': { endpoint: flaky.url, retry_on_failure: fastRetry },
        'otlphttp/unused': { endpoint: unused.url },
      },
      service: {
        pipelines: {
          traces: {
            exporters: [
              'postgres',
              'otlphttp/healthy',
              'otlphttp/hanging',
              'otlphttp/down',
              'otlphttp/flaky',
            ],
          },
        },
      },
    });
    collector = await startCollector({ config, logger: createLogger('silent'), print: () => {} });
  });

  afterAll(async () => {
    await collector.stop();
    await Promise.all([healthy, hanging, flaky, unused].map((t) => t.close()));
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores GenAI spans and forwards every span, while other targets hang or are down', async () => {
    const t = createTestTracer({ 'service.name': 'checkout' });
    const batches = Array.from({ length: 3 }, () => [
      ...Array.from({ length: 4 }, () => t.span('chat', chatAttributes()).readable),
      t.span('SELECT orders', { 'db.system.name': 'postgresql' }).readable,
    ]);
    for (const spans of batches) {
      const result = await sendWithSdk('proto', collector.otlpUrl, spans);
      expect(result.error).toBeUndefined();
      expect(result.code).toBe(0);
    }
    // The Postgres path answered while the hanging target still holds a request open.
    expect(hanging.pending).toBeGreaterThan(0);

    const all = batches.flat().map((s) => s.spanContext().spanId);
    const genai = batches.flatMap((b) => b.slice(0, 4)).map((s) => s.spanContext().spanId);
    expect(await countAudit(db.pool, genai)).toBe(12);
    expect(await countAudit(db.pool, all)).toBe(12);

    await waitUntil(
      () => healthy.spanIds.length === 15,
      'the healthy target to receive every span',
    );
    expect(new Set(healthy.spanIds)).toEqual(new Set(all));
    expect(healthy.requests[0]!.headers['x-scope-orgid']).toBe('team-a');
    expect(healthy.requests[0]!.headers['content-encoding']).toBe('gzip');
    expect(healthy.requests[0]!.headers['content-type']).toBe('application/x-protobuf');

    await waitUntil(() => flaky.spanIds.length === 15, 'the throttled target after its retry');
    expect(flaky.requests[0]!.status).toBe(503);
    expect(unused.requests).toEqual([]);

    const stats = Object.fromEntries(collector.forward.targets.map((f) => [f.name, f.stats()]));
    await waitUntil(
      () => collector.forward.targets.find((f) => f.name === 'otlphttp/down')!.stats().retries > 0,
      'retries against the down target',
    );
    expect(stats['otlphttp/healthy']!.sentSpans).toBe(15);
    expect(stats['otlphttp/down']!.sentSpans).toBe(0);

    const metrics = await (await fetch(`${collector.otlpUrl}/metrics`)).text();
    expect(metrics).toContain('spanledger_forward_spans_sent_total{target="otlphttp/healthy"} 15');
  });
});

describe('a forward queue that overflows', () => {
  it('drops the oldest batches, counts them, and keeps the newest', async () => {
    const { OtlpForwarder } = await import('../../../collector/forward/index.js');
    const target = await startFakeTarget(() => 'hang');
    const config = resolveConfig({
      exporters: {
        'otlphttp/slow': {
          endpoint: target.url,
          timeout: '10s',
          sending_queue: { queue_size: 3, num_consumers: 1 },
        },
      },
    }).exporters.otlphttp['otlphttp/slow']!;
    const forwarder = new OtlpForwarder('otlphttp/slow', config, createLogger('silent'));
    try {
      for (let i = 0; i < 10; i++) {
        forwarder.enqueue({ body: Buffer.from([i]), encoding: 'protobuf', spans: 2 });
      }
      // One batch in flight (hanging), three queued, six dropped.
      const stats = forwarder.stats();
      expect(stats.queuedBatches).toBe(3);
      expect(stats.droppedBatches).toBe(6);
      expect(stats.droppedSpans).toBe(12);
    } finally {
      await forwarder.shutdown(50);
      await target.close();
    }
    expect(forwarder.stats().queuedBatches).toBe(0);
  });
});
