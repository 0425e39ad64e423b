import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, DiagLogLevel, diag, propagation, trace } from '@opentelemetry/api';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  initTelemetry,
  instrumentOpenAI,
  type TelemetryHandle,
  withAuditContext,
} from '../../../instrumentation/index.js';
import { findFreePort } from '../../../shared/database/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { type FakeProvider, SCENARIOS, startFakeProvider } from '../../helpers/fake-provider.js';
import { startOtlpReceiver } from '../../helpers/otlp-receiver.js';
import { spawnScript } from '../../helpers/spawn-script.js';
import { startTestCollector } from '../collector/harness.js';

// Each test wires telemetry the way an app would, makes one instrumented OpenAI call against
// the fake provider and looks for it where the spans should have gone. Rows are told apart by
// service.name, so all tests share one database.

const APP = 'test/fixtures/init-telemetry-app.ts';
const plain = SCENARIOS.plain;

let db: TestDatabase;
let fake: FakeProvider;
let openai: OpenAI;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startFakeProvider();
  openai = new OpenAI({ apiKey: 'sk-test', baseURL: fake.url, maxRetries: 0 });
  instrumentOpenAI(openai);
});

// Each test starts with no exporter configured by the environment and sets what it needs.
beforeEach(() => {
  for (const name of [
    'DATABASE_URL',
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  ]) {
    vi.stubEnv(name, '');
  }
});

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
  vi.unstubAllEnvs();
  diag.disable();
  trace.disable();
  context.disable();
  propagation.disable();
});

afterAll(async () => {
  await fake?.close();
  await db?.drop();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'spanledger-init-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** initTelemetry with a spool of its own; shut down after the test if the test did not. */
async function init(options: Parameters<typeof initTelemetry>[0]): Promise<TelemetryHandle> {
  const handle = initTelemetry({
    handleSignals: false,
    ...options,
    postgres: { spool: { dir: await tempDir() }, ...options?.postgres },
  });
  cleanups.push(() => handle.shutdown());
  return handle;
}

/** The app's own call; its answer shows the app got what it asked for. */
async function appCall(): Promise<string | null | undefined> {
  const completion = await withAuditContext({ tenantId: 'acme' }, () =>
    openai.chat.completions.create({
      model: plain.model,
      messages: [{ role: 'user', content: 'hello' }],
    }),
  );
  return completion.choices[0]?.message.content;
}

/** Collects what the instrumentation reports through the OTel diag logger (warn and error). */
function captureDiag(): string[] {
  const seen: string[] = [];
  const log = (message: string, ...args: unknown[]) =>
    seen.push(
      [message, ...args.map((a) => (a instanceof Error ? a.message : String(a)))].join(' '),
    );
  diag.setLogger({ error: log, warn: log, info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);
  return seen;
}

/** A traces URL where nothing listens. */
async function unreachableOtlp(): Promise<string> {
  // The OTLP exporter retries until this timeout (default 10 s) before it reports the failure.
  vi.stubEnv('OTEL_EXPORTER_OTLP_TIMEOUT', '2000');
  return `http://127.0.0.1:${await findFreePort()}/v1/traces`;
}

async function rowsOf(service: string) {
  const { rows } = await db.pool.query(
    `SELECT a.span_id, a.provider, a.request_model, a.tenant_id, a.input_tokens::int,
            a.output_tokens::int, (u.span_id IS NOT NULL) AS in_llm_usage
       FROM spanledger.audit_log a
       LEFT JOIN spanledger.llm_usage u USING (trace_id, span_id, started_at)
      WHERE a.service_name = $1`,
    [service],
  );
  return rows;
}

const expectedRow = {
  provider: 'openai',
  request_model: plain.model,
  tenant_id: 'acme',
  input_tokens: plain.input,
  output_tokens: plain.output,
  in_llm_usage: true,
};

describe('initTelemetry in the app process', () => {
  it('direct mode (DATABASE_URL): the row is in Postgres once shutdown() resolves', async () => {
    vi.stubEnv('DATABASE_URL', db.url);
    const handle = await init({ serviceName: 'direct-app' });
    expect(handle.exporters).toEqual(['postgres']);
    expect(await appCall()).toBe('Hello from the fake provider.');
    await handle.shutdown();
    expect(await rowsOf('direct-app')).toEqual([{ ...expectedRow, span_id: expect.any(String) }]);
    await expect(handle.shutdown()).resolves.toBeUndefined();
  });

  it('OTLP mode (OTEL_EXPORTER_OTLP_ENDPOINT): a spanledger collector writes the row', async () => {
    const collector = await startTestCollector(db.url, db.pool);
    cleanups.push(() => collector.stop());
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', collector.url);
    const handle = await init({ serviceName: 'otlp-app' });
    expect(handle.exporters).toEqual(['otlp']);
    await appCall();
    // The collector answers only once the rows are durable, so shutdown() is enough here too.
    await handle.shutdown();
    expect(await rowsOf('otlp-app')).toEqual([{ ...expectedRow, span_id: expect.any(String) }]);
    expect(collector.exporter.stats().rowsInserted).toBeGreaterThanOrEqual(1);
  });

  it('both at once: Postgres and an OTLP backend get the same span', async () => {
    const receiver = await startOtlpReceiver();
    cleanups.push(() => receiver.close());
    const handle = await init({
      serviceName: 'both-app',
      databaseUrl: db.url,
      otlp: receiver.url,
    });
    expect(handle.exporters).toEqual(['postgres', 'otlp']);
    await appCall();
    await handle.shutdown();
    const rows = await rowsOf('both-app');
    expect(rows).toEqual([{ ...expectedRow, span_id: expect.any(String) }]);
    const sent = receiver.spans.filter((s) => s.name === `chat ${plain.model}`);
    expect(sent.map((s) => s.spanId)).toEqual([rows[0].span_id]);
    expect(sent[0]?.resource['service.name']).toBe('both-app');
    expect(sent[0]?.attributes['gen_ai.usage.input_tokens']).toBe(plain.input);
  });

  it('an unreachable database never reaches the app: the span waits in the spool', async () => {
    const problems = captureDiag();
    const spool = await tempDir();
    const handle = await init({
      serviceName: 'db-down-app',
      databaseUrl: `postgres://nobody:pw-never-logged@127.0.0.1:${await findFreePort()}/nothing`,
      otlp: false,
      postgres: { spool: { dir: spool }, retryBaseMs: 10, maxRetries: 1 },
    });
    expect(await appCall()).toBe('Hello from the fake provider.');
    await expect(handle.forceFlush()).resolves.toBeUndefined();
    await expect(handle.shutdown()).resolves.toBeUndefined();
    expect(problems.join('\n')).toMatch(/spooled/);
    expect(problems.join('\n')).not.toContain('pw-never-logged');
    const files = (await readdir(spool)).filter((f) => f !== 'LOCK');
    const sizes = await Promise.all(files.map(async (f) => (await stat(join(spool, f))).size));
    expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('an unreachable collector never reaches the app: shutdown() reports it through diag', async () => {
    const problems = captureDiag();
    const handle = await init({
      serviceName: 'collector-down-app',
      databaseUrl: false,
      otlp: await unreachableOtlp(),
    });
    expect(await appCall()).toBe('Hello from the fake provider.');
    await expect(handle.shutdown()).resolves.toBeUndefined();
    expect(problems.join('\n')).toMatch(/ECONNREFUSED/);
  });

  // An app that flushes per request (serverless) must not get the exporter's error thrown at it.
  it('an unreachable collector: forceFlush() resolves too', async () => {
    captureDiag();
    const handle = await init({
      serviceName: 'collector-down-flush-app',
      databaseUrl: false,
      otlp: await unreachableOtlp(),
    });
    await appCall();
    await expect(handle.forceFlush()).resolves.toBeUndefined();
  });

  it('without any exporter it warns through diag and the app still runs', async () => {
    const problems = captureDiag();
    const handle = await init({ databaseUrl: false, otlp: false });
    expect(handle.exporters).toEqual([]);
    expect(problems.join('\n')).toMatch(/no exporter.*DATABASE_URL.*OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(await appCall()).toBe('Hello from the fake provider.');
  });
});

describe('short-lived processes', () => {
  // The fixture app makes its call outside any audit context.
  const childRow = { ...expectedRow, tenant_id: null, span_id: expect.any(String) };

  /** Runs the fixture app; only initTelemetry's exit hooks can export (the timer is 10 min). */
  function runApp(service: string, mode: 'return' | 'serve', extra: Record<string, string> = {}) {
    return tempDir().then((spool) =>
      spawnScript(APP, [mode], {
        DATABASE_URL: db.url,
        OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
        OTEL_SERVICE_NAME: service,
        OTEL_BSP_SCHEDULE_DELAY: '600000',
        FAKE_PROVIDER_URL: fake.url,
        SPANLEDGER_SPOOL_DIR: spool,
        ...extra,
      }),
    );
  }

  it('a process that just ends: beforeExit flushes its span to Postgres', async () => {
    const app = await runApp('return-app', 'return');
    const exit = await app.exit();
    expect(app.output()).toContain('answer: Hello from the fake provider.');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await rowsOf('return-app')).toEqual([childRow]);
  });

  it('the control: the same process without the exit hooks loses its span', async () => {
    const app = await runApp('no-hooks-app', 'return', { HANDLE_SIGNALS: 'false' });
    expect(await app.exit()).toEqual({ code: 0, signal: null });
    expect(app.output()).toContain('answer: Hello from the fake provider.');
    expect(await rowsOf('no-hooks-app')).toEqual([]);
  });

  it('a server stopped by SIGTERM flushes, then still ends by SIGTERM', async () => {
    const app = await runApp('serve-app', 'serve');
    await app.waitFor(/answer: /);
    app.kill('SIGTERM');
    expect(await app.exit()).toEqual({ code: null, signal: 'SIGTERM' });
    expect(await rowsOf('serve-app')).toEqual([childRow]);
  });
});
