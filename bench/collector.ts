/**
 * npm run bench:collector — end-to-end spans/s through the collector: OTLP/protobuf requests of
 * 512 spans from several concurrent clients on loopback, each answered 200 only once its spans
 * are committed, beside the exporter's direct rate (exportSpans on the same spans, the same
 * concurrency) measured in the same run on the same Postgres. Reports request latency p50/p99.
 * The clients run in a worker thread, so they do not share the collector's event loop.
 * The two paths run in the order direct, http, http, direct (each on a fresh database, after a
 * CHECKPOINT) and each rate is the mean of its runs, so neither profits from going second.
 *
 * Both paths start from the same encoded bodies: a direct run decodes them (untimed) into the
 * very spans the collector would hand its exporter, and lets go of them when it ends. The
 * process holds no decoded spans while the collector runs: 100k spans are ~150 MB of live heap
 * that every full collection during the HTTP runs had to mark again, a cost of the benchmark's
 * own data (~10 µs of CPU per span) that a real collector does not have.
 *
 * Before the HTTP runs it times decoding alone (decodeTraceRequest on the same bodies, no I/O),
 * reported in µs per span and as a share of the HTTP path's time per span.
 *
 * The main thread's CPU per span is reported for both paths (on the HTTP path it is the
 * collector's, exporter included) and the client worker's for the HTTP path, each over the
 * measured requests only (bench/lib/thread-cpu.ts).
 *
 * `npm run bench:collector` runs the tsc output (.bench-build/), as `spanledger start` runs dist/:
 * under tsx every closure made on a hot path also paid esbuild's keepNames helper (`__name`, a
 * defineProperty per closure), which the shipped code does not.
 *
 * BENCH_SPANS (default 102400), BENCH_CLIENTS (default 8) scale the run; BENCH_ROUNDS (default
 * 2) repeats the direct-http-http-direct sequence, each rate then the mean of 2 × rounds runs:
 * on this class of machine one vCPU is markedly slower than the other, and a run that lands on
 * it moves a single round's ratio by ±0.1 (docs/benchmarks.md). BENCH_CLIENT=fetch sends with
 * fetch instead of node:http (the client before issue 18 part 3). BENCH_SPLIT_CORES=1 puts
 * Postgres on core 0 and the benchmark on the others, as the collector and its database on
 * separate hosts: on shared cores every µs the HTTP path adds is taken from Postgres.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import pg from 'pg';
import { buildCollector, decodeTraceRequest } from '../collector/index.js';
import otlp from '../collector/otlp/proto/generated/otlp.js';
import { PgSpanExporter, type SpanLike } from '../exporters/index.js';
import { createLogger } from '../shared/index.js';
import { genaiSpan } from './lib/genai-spans.js';
import { fetchSender, httpSender } from './lib/otlp-client.js';
import { benchServer, freshDatabase, rssSampler } from './lib/postgres.js';
import { splitCores } from './lib/split-cores.js';
import { microsPerItem, type ThreadCost, threadCost } from './lib/thread-cpu.js';

const SPANS_PER_REQUEST = 512;
const TOTAL =
  Math.ceil(Number(process.env.BENCH_SPANS ?? 102_400) / SPANS_PER_REQUEST) * SPANS_PER_REQUEST;
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2));
/** Postgres on a core of its own, as on a separate host (bench/lib/split-cores.ts). */
const SPLIT_CORES = process.env.BENCH_SPLIT_CORES === '1';
const ROUND: readonly ('direct' | 'http')[] = ['direct', 'http', 'http', 'direct'];
/** `http` (node:http, as OTel's OTLP/HTTP exporter sends) or `fetch` (the client before 18.3). */
const CLIENT = process.env.BENCH_CLIENT === 'fetch' ? 'fetch' : 'http';
const WARMUP_REQUESTS = 8;

// The exporter exactly as `spanledger start` configures it with the default otel-config.yaml.
const exporterOptions = (databaseUrl: string, spoolDir: string) => ({
  databaseUrl,
  maxConnections: 4,
  maxRowsPerWrite: 2_000,
  applicationName: 'spanledger-bench',
  spool: { dir: spoolDir },
  source: 'collector',
});

const requestCodec = otlp.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

function anyValue(value: AttributeValue | undefined): object {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { intValue: value } : { doubleValue: value };
  }
  if (Array.isArray(value))
    return { arrayValue: { values: value.map((v) => anyValue(v ?? undefined)) } };
  return {};
}

const keyValues = (attributes: Attributes) =>
  Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));

const nanos = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

/** One binary ExportTraceServiceRequest for these spans (one resource, one scope). */
function encodeRequest(spans: SpanLike[]): Uint8Array {
  const first = spans[0]!;
  const request = {
    resourceSpans: [
      {
        resource: { attributes: keyValues(first.resource) },
        scopeSpans: [
          {
            scope: first.scope,
            spans: spans.map((s) => ({
              traceId: Buffer.from(s.traceId, 'hex'),
              spanId: Buffer.from(s.spanId, 'hex'),
              parentSpanId: s.parentSpanId ? Buffer.from(s.parentSpanId, 'hex') : undefined,
              name: s.name,
              kind: s.kind + 1,
              startTimeUnixNano: nanos(s.startTimeMs),
              endTimeUnixNano: nanos(s.endTimeMs),
              attributes: keyValues(s.attributes),
              status: { code: s.status.code },
            })),
          },
        ],
      },
    ],
  };
  return requestCodec.encode(requestCodec.fromObject(request)).finish();
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let at = 0; at < items.length; at += size) out.push(items.slice(at, at + size));
  return out;
}

/** Runs `work` over the items with `clients` concurrent workers; returns wall-clock ms. */
async function concurrently<T>(items: T[], clients: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
  return performance.now() - started;
}

// Starts each run from a clean WAL position, so no run pays for the previous one's checkpoint.
async function checkpoint(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('CHECKPOINT');
  await client.end();
}

async function countRows(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query('SELECT count(*)::int AS n FROM spanledger.audit_log');
  await client.end();
  return rows[0].n as number;
}

async function directRun(
  serverUrl: string,
  db: string,
  bodies: readonly Uint8Array[],
  warmupBodies: readonly Uint8Array[],
) {
  const decode = (body: Uint8Array) => decodeTraceRequest(Buffer.from(body), 'protobuf');
  const batches = bodies.map(decode);
  const warmup = warmupBodies.map(decode);
  const url = await freshDatabase(serverUrl, db);
  await checkpoint(serverUrl);
  const spoolDir = await mkdtemp(join(tmpdir(), 'spanledger-bench-spool-'));
  const exporter = new PgSpanExporter(exporterOptions(url, spoolDir));
  const run = async (batch: SpanLike[]) => {
    const outcome = await exporter.exportSpans(batch);
    if (outcome.code !== 0 || outcome.spooled > 0)
      throw new Error(`export failed: ${outcome.error?.message}`);
  };
  await concurrently(warmup, CLIENTS, run);
  const cost = threadCost();
  const ms = await concurrently(batches, CLIENTS, run);
  const cpu = cost.stop();
  await exporter.shutdown();
  await rm(spoolDir, { recursive: true, force: true });
  const rows = await countRows(url);
  if (rows !== TOTAL + warmup.flat().length)
    throw new Error(`direct: expected ${TOTAL} rows, got ${rows}`);
  return { rate: TOTAL / (ms / 1000), cpuUs: microsPerItem(cpu, TOTAL) };
}

/** What the client worker reports back once it has sent every body. */
interface ClientResult {
  ms: number;
  latencies: number[];
  /** The worker thread's own cost while it sent the measured bodies (not the warm-up). */
  cost: ThreadCost;
}

/** The worker's messages: `measuring` once warmed up, then its result. */
type ClientMessage = { measuring: true } | ClientResult;

/**
 * The clients run in a worker thread: in production they are other processes, so their HTTP and
 * body handling must not take turns on the collector's event loop (they still share the cores).
 */
function runClients(
  endpoint: string,
  bodies: Uint8Array[],
  warmup: Uint8Array[],
  onMeasuring: () => void,
) {
  return new Promise<ClientResult>((resolve, reject) => {
    const workerData = { endpoint, bodies, warmup, clients: CLIENTS };
    // Run from source (`node --import tsx bench/collector.ts`), the worker needs tsx's loader
    // hooks, which do not reach worker threads by themselves: register them first.
    const worker = import.meta.url.endsWith('.ts')
      ? new Worker(
          `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`,
          { eval: true, workerData },
        )
      : new Worker(new URL(import.meta.url), { workerData });
    worker.on('message', (message: ClientMessage) => {
      if ('measuring' in message) onMeasuring();
      else resolve(message);
    });
    worker.once('error', reject);
  });
}

/** The worker's side: warm up, then send every body with CLIENTS concurrent loops. */
async function clientWorker() {
  const { endpoint, bodies, warmup, clients } = workerData as {
    endpoint: string;
    bodies: Uint8Array[];
    warmup: Uint8Array[];
    clients: number;
  };
  const post = CLIENT === 'fetch' ? fetchSender(endpoint) : httpSender(endpoint, clients);
  const latencies: number[] = [];
  const send = async (body: Uint8Array, record: boolean) => {
    const t0 = performance.now();
    await post(body);
    if (record) latencies.push(performance.now() - t0);
  };
  await concurrently(warmup, clients, (b) => send(b, false));
  parentPort!.postMessage({ measuring: true } satisfies ClientMessage);
  const measured = threadCost();
  const ms = await concurrently(bodies, clients, (b) => send(b, true));
  const cost = measured.stop();
  parentPort!.postMessage({ ms, latencies, cost } satisfies ClientMessage);
}

async function httpRun(serverUrl: string, db: string, bodies: Uint8Array[], warmup: Uint8Array[]) {
  const url = await freshDatabase(serverUrl, db);
  await checkpoint(serverUrl);
  const spoolDir = await mkdtemp(join(tmpdir(), 'spanledger-bench-spool-'));
  const exporter = new PgSpanExporter(exporterOptions(url, spoolDir));
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const app = buildCollector({ pool, exporter, logger: createLogger('warn') });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const endpoint = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/v1/traces`;
  const rss = rssSampler();
  let server: ReturnType<typeof threadCost> | undefined;
  const { ms, latencies, cost } = await runClients(endpoint, bodies, warmup, () => {
    server = threadCost();
  });
  const serverCost = server!.stop();
  rss.stop();
  const stats = exporter.stats();
  await app.close();
  await exporter.shutdown();
  await pool.end();
  await rm(spoolDir, { recursive: true, force: true });
  const rows = await countRows(url);
  if (rows !== TOTAL + warmup.length * SPANS_PER_REQUEST || stats.spooledSpans > 0) {
    throw new Error(
      `http: expected ${TOTAL} committed rows, got ${rows} (spooled ${stats.spooledSpans})`,
    );
  }
  return {
    rate: TOTAL / (ms / 1000),
    latencies,
    rssMb: rss.peakMb(),
    cpuUs: microsPerItem(serverCost, TOTAL),
    clientCpuUs: microsPerItem(cost, TOTAL),
    clientBusy: cost.utilization,
  };
}

const DECODE_PASSES = 5;
const DECODE_BODIES = 40;

/**
 * Decoding alone, in µs per span: the median of several passes over the first bodies, so one
 * slow spell of the shared machine does not decide the figure.
 */
function decodeMicrosPerSpan(bodies: Uint8Array[]): number {
  const sample = bodies.slice(0, DECODE_BODIES).map((b) => Buffer.from(b));
  let spans = 0;
  for (const body of sample) spans += decodeTraceRequest(body, 'protobuf').length; // warm-up
  const passes: number[] = [];
  for (let pass = 0; pass < DECODE_PASSES; pass++) {
    const started = performance.now();
    for (const body of sample) decodeTraceRequest(body, 'protobuf');
    passes.push(performance.now() - started);
  }
  passes.sort((a, b) => a - b);
  return (passes[Math.floor(DECODE_PASSES / 2)]! * 1000) / spans;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function main() {
  const server = await benchServer();
  try {
    const split = SPLIT_CORES ? `; ${splitCores(server.dataDir)}` : '';
    // Only the encoded bodies outlive this line (see the header: no decoded spans held).
    const bodiesOf = (count: number) =>
      chunks(
        Array.from({ length: count }, () => genaiSpan()),
        SPANS_PER_REQUEST,
      ).map(encodeRequest);
    const bodies = bodiesOf(TOTAL);
    const warmupBodies = bodiesOf(WARMUP_REQUESTS * SPANS_PER_REQUEST);
    const mb = bodies.reduce((n, b) => n + b.length, 0) / 1024 / 1024;
    console.log(
      `${TOTAL} GenAI spans, ${bodies.length} requests of ${SPANS_PER_REQUEST} (${(mb / bodies.length).toFixed(2)} MiB each), ${CLIENTS} clients (${CLIENT})${split}`,
    );

    const decodeUs = decodeMicrosPerSpan(bodies);
    console.log(`decode  decodeTraceRequest (no I/O)     ${decodeUs.toFixed(1)} µs/span`);

    const directRates: number[] = [];
    const httpRates: number[] = [];
    const directCpu: number[] = [];
    const httpCpu: number[] = [];
    const clientCpu: number[] = [];
    const latencies: number[] = [];
    let rssMb = 0;
    const sequence = Array.from({ length: ROUNDS }, () => ROUND).flat();
    for (const [i, path] of sequence.entries()) {
      // Four names, reused: freshDatabase drops the old one, so the disk holds four at most.
      const db = `bench_collector_${i % ROUND.length}`;
      if (path === 'direct') {
        const run = await directRun(server.url, db, bodies, warmupBodies);
        directRates.push(run.rate);
        directCpu.push(run.cpuUs);
        console.log(
          `direct  exporter.exportSpans           ${Math.round(run.rate)} spans/s; main thread ${run.cpuUs.toFixed(1)} µs CPU/span`,
        );
      } else {
        const run = await httpRun(server.url, db, bodies, warmupBodies);
        httpRates.push(run.rate);
        httpCpu.push(run.cpuUs);
        clientCpu.push(run.clientCpuUs);
        latencies.push(...run.latencies);
        rssMb = Math.max(rssMb, run.rssMb);
        console.log(
          `http    OTLP/protobuf → committed rows ${Math.round(run.rate)} spans/s; main thread ${run.cpuUs.toFixed(1)} µs CPU/span; client worker ${run.clientCpuUs.toFixed(1)} µs CPU/span (${(run.clientBusy * 100).toFixed(0)}% busy)`,
        );
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const direct = mean(directRates);
    const http = mean(httpRates);
    latencies.sort((a, b) => a - b);
    const p50 = percentile(latencies, 0.5);
    const p99 = percentile(latencies, 0.99);
    const ratio = http / direct;
    // The HTTP path's wall-clock time per span; decoding's share of it.
    const decodeShare = decodeUs / (1e6 / http);
    console.log(
      `mean of ${directRates.length} runs each: direct ${Math.round(direct)} spans/s, http ${Math.round(http)} spans/s (${ratio.toFixed(2)}); request latency p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; peak RSS ${rssMb} MB (clients in a worker thread of the same process)`,
    );
    console.log(
      `RESULT spans_per_s=${Math.round(http)} vs_direct=${ratio.toFixed(2)} p50_ms=${p50.toFixed(1)} p99_ms=${p99.toFixed(1)} decode_us=${decodeUs.toFixed(1)} decode_share=${decodeShare.toFixed(2)} direct_cpu_us_per_span=${mean(directCpu).toFixed(1)} server_cpu_us_per_span=${mean(httpCpu).toFixed(1)} client_cpu_us_per_span=${mean(clientCpu).toFixed(1)} split_cores=${SPLIT_CORES ? 1 : 0}`,
    );
  } finally {
    await server.stop();
  }
}

if (isMainThread) await main();
else await clientWorker();
