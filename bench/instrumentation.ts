/**
 * npm run bench:instrumentation — the cost spanledger's OpenAI instrumentation adds to each call,
 * against the uninstrumented call to the same local fake provider, measured in one run.
 *
 * Method: four copies of the `openai` package are loaded side by side (bench/lib/module-copies.ts):
 * - `uninstrumented`: the baseline;
 * - `control`: a second uninstrumented copy: its difference to the baseline is what the method
 *   reads when there is nothing to find, i.e. its noise floor;
 * - `spanledger`: instrumented with instrumentOpenAI;
 * - `bare OTel`: a minimal OpenTelemetry wrapper (bench/lib/bare-otel.ts), for plain calls only:
 *   what the OTel SDK's own span costs on this machine, so spanledger's share can be read off.
 * Every call is timed on its own, and the copies take turns call by call in rotating order, so
 * drift, other load and garbage collection fall on all of them alike. Reported: the difference of
 * the medians (and of the 1%-trimmed means, which keep most GC pauses in). Spans are recorded
 * (sampled, attributes set, ended) but not exported: export is the exporter's benchmark.
 *
 * BENCH_CALLS (default 4000) calls per copy and scenario. The npm script compiles the benchmark
 * with the package (tsconfig.bench.json) and runs plain JavaScript, as users run it.
 * Last line is machine-readable: RESULT overhead_us=...
 */
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type OpenAI from 'openai';
import {
  AuditContextSpanProcessor,
  configureInstrumentation,
  instrumentOpenAI,
  withAuditContext,
} from '../instrumentation/index.js';
import { SCENARIOS, startFakeProvider } from '../test/helpers/fake-provider.js';
import { instrumentBareOtel } from './lib/bare-otel.js';
import { moduleCopies } from './lib/module-copies.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 4000);
const WARMUP = Math.min(1000, CALLS);

type OpenAIModule = { OpenAI: typeof OpenAI };

interface Copy {
  name: 'uninstrumented' | 'control' | 'spanledger' | 'bare OTel';
  client: OpenAI;
}

const messages = [{ role: 'user' as const, content: 'benchmark prompt' }];

async function call(client: OpenAI, streaming: boolean): Promise<void> {
  await withAuditContext({ tenantId: 'bench', userId: 'u' }, async () => {
    if (streaming) {
      const stream = await client.chat.completions.create({
        model: SCENARIOS.stream.model,
        messages,
        stream: true,
      });
      for await (const _ of stream) {
      }
    } else {
      await client.chat.completions.create({ model: SCENARIOS.plain.model, messages });
    }
  });
}

/** Per-call wall times (µs) of each copy, the copies taking turns call by call. */
async function measure(copies: Copy[], streaming: boolean): Promise<Float64Array[]> {
  for (let i = 0; i < WARMUP; i++) for (const copy of copies) await call(copy.client, streaming);
  const times = copies.map(() => new Float64Array(CALLS));
  for (let i = 0; i < CALLS; i++) {
    for (let j = 0; j < copies.length; j++) {
      const k = (i + j) % copies.length;
      const start = performance.now();
      await call(copies[k]!.client, streaming);
      times[k]![i] = (performance.now() - start) * 1000;
    }
  }
  return times;
}

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[sorted.length >> 1] ?? Number.NaN;
}

/** Mean without the slowest 1%: keeps most GC pauses in, drops the outliers of a shared VM. */
function trimmedMean(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const kept = Math.max(1, Math.floor(sorted.length * 0.99));
  let sum = 0;
  for (let i = 0; i < kept; i++) sum += sorted[i]!;
  return sum / kept;
}

const fmt = (value: number, width: number, digits = 1) => value.toFixed(digits).padStart(width);

async function main() {
  const fake = await startFakeProvider();
  new NodeTracerProvider({ spanProcessors: [new AuditContextSpanProcessor()] }).register();
  configureInstrumentation({ hashKey: 'bench' });
  const modules = moduleCopies<OpenAIModule>('openai', 4);
  const clientOf = (module: OpenAIModule) =>
    new module.OpenAI({ apiKey: 'sk-bench', baseURL: fake.url, maxRetries: 0 });
  const copies: Copy[] = [
    { name: 'uninstrumented', client: clientOf(modules[0]!) },
    { name: 'control', client: clientOf(modules[1]!) },
    { name: 'spanledger', client: clientOf(modules[2]!) },
    { name: 'bare OTel', client: clientOf(modules[3]!) },
  ];
  instrumentOpenAI(copies[2]!.client);
  instrumentBareOtel(Object.getPrototypeOf(copies[3]!.client.chat.completions));

  console.log(
    `${CALLS} calls per copy and scenario, each timed; copies take turns call by call.\n` +
      'Differences to the uninstrumented copy: median (1%-trimmed mean in brackets), µs per call.',
  );
  console.log(
    'scenario  uninstrumented_us  control_us      spanledger_us   ratio  bare_otel_us    spanledger_above_bare_us',
  );
  let result = '';
  for (const streaming of [false, true]) {
    // The bare wrapper reads parsed results only; a stream would end its span at once.
    const used = streaming ? copies.slice(0, 3) : copies;
    const times = await measure(used, streaming);
    const base = median(times[0]!);
    const baseMean = trimmedMean(times[0]!);
    const diff = (k: number) => [median(times[k]!) - base, trimmedMean(times[k]!) - baseMean];
    const [control, controlMean] = diff(1) as [number, number];
    const [overhead, overheadMean] = diff(2) as [number, number];
    const [bare, bareMean] = streaming ? [Number.NaN, Number.NaN] : (diff(3) as [number, number]);
    const name = streaming ? 'stream' : 'plain';
    console.log(
      `${name.padEnd(9)} ${fmt(base, 17)} ${fmt(control, 6)} (${fmt(controlMean, 5)}) ${fmt(overhead, 7)} (${fmt(overheadMean, 5)}) ${fmt((base + overhead) / base, 6, 3)} ${streaming ? '           -' : `${fmt(bare, 6)} (${fmt(bareMean, 5)})`} ${streaming ? '    -' : fmt(overhead - bare, 8)}`,
    );
    if (!streaming) {
      result =
        `RESULT overhead_us=${overhead.toFixed(1)} ratio=${((base + overhead) / base).toFixed(3)} ` +
        `control_us=${control.toFixed(1)} bare_otel_us=${bare.toFixed(1)} ` +
        `above_bare_otel_us=${(overhead - bare).toFixed(1)}`;
    }
  }
  await fake.close();
  console.log(result);
}

await main();
