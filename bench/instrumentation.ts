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
 * Each copy is compared with the uninstrumented one in slices: within a slice the two copies take
 * turns call by call (alternating which goes first), every call timed on its own, so drift, other
 * load and garbage collection fall on both alike, and only those two copies' code runs meanwhile,
 * as in an app with one client. The comparisons' slices are interleaved (8 rounds), so a slow
 * spell of the machine falls on all of them. Reported: the median of the pairwise differences
 * (each call minus the uninstrumented call next to it), with its 95% confidence interval. Call times here are bimodal (~0.7 and ~1.1 ms: whether the
 * loopback reply lands in the same event-loop turn), so a difference of two medians jumps between
 * the modes; the difference of two calls from the same distribution is symmetric around zero
 * whatever its shape, so its median is the shift itself. Spans are recorded
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
const CHUNKS = 8;

type OpenAIModule = { OpenAI: typeof OpenAI };

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

/** One comparison: the uninstrumented copy's call times, µs, and the other copy's minus it, pair by pair. */
interface Comparison {
  other: number;
  base: number[];
  diffs: number[];
}

/**
 * Runs the comparisons in CHUNKS interleaved slices, so a slow or fast spell of the machine falls
 * on all of them alike. Within a slice only the two copies compared run, taking turns call by call
 * (alternating which goes first): only their code fills the caches meanwhile, as in an app with
 * one client.
 */
async function measure(clients: OpenAI[], others: number[], streaming: boolean) {
  for (const k of [0, ...others]) {
    for (let i = 0; i < WARMUP; i++) await call(clients[k]!, streaming);
  }
  const comparisons: Comparison[] = others.map((other) => ({ other, base: [], diffs: [] }));
  const perChunk = Math.ceil(CALLS / CHUNKS);
  for (let chunk = 0; chunk < CHUNKS; chunk++) {
    for (const comparison of comparisons) {
      const pair = [clients[0]!, clients[comparison.other]!];
      for (let i = 0; i < perChunk; i++) {
        const took = [0, 0];
        for (let j = 0; j < 2; j++) {
          const k = (i + j) % 2;
          const start = performance.now();
          await call(pair[k]!, streaming);
          took[k] = (performance.now() - start) * 1000;
        }
        comparison.base.push(took[0]!);
        comparison.diffs.push(took[1]! - took[0]!);
      }
    }
  }
  return comparisons;
}

/**
 * The median and its 95% confidence interval from order statistics (no assumption about the
 * distribution's shape): ranks n/2 ± 1.96·√n/2.
 */
function medianWithInterval(values: number[]): [number, number, number] {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const half = Math.ceil((1.96 * Math.sqrt(n)) / 2);
  const at = (rank: number) => sorted[Math.min(n - 1, Math.max(0, rank))]!;
  return [at(n >> 1), at((n >> 1) - half), at((n >> 1) + half)];
}

interface Summary {
  base: number;
  diff: number;
  low: number;
  high: number;
}

const fmt = (value: number, width: number, digits = 1) => value.toFixed(digits).padStart(width);

async function main() {
  const fake = await startFakeProvider();
  new NodeTracerProvider({ spanProcessors: [new AuditContextSpanProcessor()] }).register();
  configureInstrumentation({ hashKey: 'bench' });
  const modules = moduleCopies<OpenAIModule>('openai', 4);
  const clientOf = (module: OpenAIModule) =>
    new module.OpenAI({ apiKey: 'sk-bench', baseURL: fake.url, maxRetries: 0 });
  // In this order: uninstrumented (the baseline), control, spanledger, bare OTel.
  const clients = modules.map(clientOf);
  instrumentOpenAI(clients[2]!);
  instrumentBareOtel(Object.getPrototypeOf(clients[3]!.chat.completions));

  console.log(
    `${CALLS} calls per copy, each timed; per comparison, the two copies take turns call by call.\n` +
      'Added µs per call against the uninstrumented copy: median of the pairwise differences,\n' +
      'its 95% confidence interval in brackets.',
  );
  console.log(
    'scenario  uninstrumented_us  control_us              spanledger_us           ratio  bare_otel_us            above_bare_us',
  );
  let result = '';
  for (const streaming of [false, true]) {
    // The bare wrapper reads parsed results only; a stream would end its span at once.
    const comparisons = await measure(clients, streaming ? [1, 2] : [1, 2, 3], streaming);
    const summary = comparisons.map((comparison): Summary => {
      const [diff, low, high] = medianWithInterval(comparison.diffs);
      return { base: medianWithInterval(comparison.base)[0], diff, low, high };
    });
    const [control, inst, bare] = summary as [Summary, Summary, Summary | undefined];
    const base = inst.base;
    const ratio = (base + inst.diff) / base;
    const name = streaming ? 'stream' : 'plain';
    const cell = (x: Summary) => `${fmt(x.diff, 6)} [${fmt(x.low, 5)},${fmt(x.high, 6)}]`;
    console.log(
      `${name.padEnd(9)} ${fmt(base, 17)}  ${cell(control)}  ${cell(inst)} ${fmt(ratio, 6, 3)}  ${bare ? cell(bare) : '-'.padStart(21)} ${bare ? fmt(inst.diff - bare.diff, 8) : '       -'}`,
    );
    if (bare) {
      result =
        `RESULT overhead_us=${inst.diff.toFixed(1)} ratio=${ratio.toFixed(3)} ` +
        `control_us=${control.diff.toFixed(1)} bare_otel_us=${bare.diff.toFixed(1)} ` +
        `above_bare_otel_us=${(inst.diff - bare.diff).toFixed(1)}`;
    }
  }
  await fake.close();
  console.log(result);
}

await main();
