/**
 * npm run bench:instrumentation — the cost spanledger's OpenAI instrumentation adds to each call,
 * beside the OpenAI instrumentations a user would otherwise install, against the uninstrumented
 * call to the same local fake provider, all measured in one run.
 *
 * Contestants, each on its own copy of the `openai` package loaded side by side
 * (bench/lib/module-copies.ts), each attached the way its docs allow (bench/lib/peers.ts):
 * - `uninstrumented`: the baseline; `control`: a second uninstrumented copy, whose difference to
 *   the baseline is the method's noise floor;
 * - `spanledger` (instrumentOpenAI, digests on);
 * - `otel_contrib` (@opentelemetry/instrumentation-openai), `openllmetry`
 *   (@traceloop/instrumentation-openai, with and without its default content capture),
 *   `openinference` (@arizeai/openinference-instrumentation-openai);
 * - `bare_otel` (bench/lib/bare-otel.ts, plain calls only): the OTel SDK's own span cost here.
 *
 * Call path: each contestant is compared with the baseline call by call (bench/lib/pairwise.ts);
 * reported is the median of the pairwise differences with its 95% interval. Call times here are
 * bimodal, so a difference of two medians jumps between modes; the median of pair differences is
 * the shift itself.
 *
 * Export time: every span goes through one BatchSpanProcessor into an exporter that reads every
 * attribute as an encoder would, timed per instrumentation scope (bench/lib/scope-timing-exporter.ts).
 * Work an instrumentation defers until its span is read (spanledger's digests) lands there.
 * Total CPU per call = call-path µs + export µs per span (one span per call).
 *
 * BENCH_CALLS (default 4000) pairs per comparison and scenario; BENCH_CONTESTANTS (a comma list
 * of names) runs only those beside the control. The npm script compiles the
 * benchmark with the package (tsconfig.bench.json) and runs plain JavaScript, as users run it.
 * Last line is machine-readable: RESULT overhead_us=...
 */
import type { Context } from '@opentelemetry/api';
import {
  BatchSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type OpenAI from 'openai';
import {
  AuditContextSpanProcessor,
  configureInstrumentation,
  INSTRUMENTATION_SCOPE,
  instrumentOpenAI,
  withAuditContext,
} from '../instrumentation/index.js';
import { SCENARIOS, startFakeProvider } from '../test/helpers/fake-provider.js';
import { BARE_OTEL_SCOPE, instrumentBareOtel } from './lib/bare-otel.js';
import { moduleCopies } from './lib/module-copies.js';
import { measurePairwise, medianWithInterval } from './lib/pairwise.js';
import {
  instrumentOpenInference,
  instrumentOpenLLMetry,
  instrumentOtelContrib,
  type OpenAIModule,
  PEER_SCOPES,
} from './lib/peers.js';
import { type ScopeCost, ScopeTimingExporter } from './lib/scope-timing-exporter.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 4000);
const PLAN = { calls: CALLS, warmup: Math.min(1000, CALLS), slices: 8 };
/** BENCH_CONTESTANTS=spanledger,otel_contrib runs only those (and the control): for quick looks. */
const ONLY = process.env.BENCH_CONTESTANTS?.split(',').map((name) => name.trim());
const SELECTED = (name: string) => !ONLY || name === 'control' || ONLY.includes(name);

interface Contestant {
  /** Name in the table and, with `_us`, in the RESULT line. */
  name: string;
  /** Instrumentation scope of its spans; none for the uninstrumented copies. */
  scope?: string;
  attach?: (module: OpenAIModule, client: OpenAI) => void;
  plainOnly?: boolean;
}

// Index 0 is the baseline every other contestant is compared with.
const CONTESTANTS: Contestant[] = [
  { name: 'uninstrumented' },
  { name: 'control' },
  {
    name: 'spanledger',
    scope: INSTRUMENTATION_SCOPE,
    attach: (_module, client) => instrumentOpenAI(client),
  },
  { name: 'otel_contrib', scope: PEER_SCOPES.otelContrib, attach: instrumentOtelContrib },
  { name: 'openllmetry', scope: PEER_SCOPES.openllmetry, attach: (m) => instrumentOpenLLMetry(m) },
  {
    name: 'openllmetry_no_content',
    scope: PEER_SCOPES.openllmetryNoContent,
    attach: (m) => instrumentOpenLLMetry(m, false),
  },
  { name: 'openinference', scope: PEER_SCOPES.openinference, attach: instrumentOpenInference },
  {
    name: 'bare_otel',
    scope: BARE_OTEL_SCOPE,
    attach: (_module, client) => instrumentBareOtel(Object.getPrototypeOf(client.chat.completions)),
    plainOnly: true,
  },
];

/**
 * spanledger's audit-context processor for spanledger's spans only: a user of another
 * instrumentation would not have it, so the peers' figures must not carry its cost.
 */
class OnlyScope implements SpanProcessor {
  constructor(
    private readonly inner: SpanProcessor,
    private readonly scope: string,
  ) {}
  onStart(span: Span, parentContext: Context): void {
    if (span.instrumentationScope.name === this.scope) this.inner.onStart(span, parentContext);
  }
  onEnd(_span: ReadableSpan): void {}
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

const messages = [{ role: 'user' as const, content: 'benchmark prompt' }];

/** A kind of call, and the prefix of its RESULT fields. */
interface Scenario {
  name: string;
  prefix: string;
  stream: boolean;
  /** The app asks for the usage chunk itself (stream_options.include_usage). */
  appAsksUsage?: boolean;
}

const SCENARIO_LIST: Scenario[] = [
  { name: 'plain', prefix: '', stream: false },
  // The app does not ask for usage: spanledger asks for it (one more chunk) to record tokens.
  { name: 'stream', prefix: 'stream_', stream: true },
  // The app asks for usage: every contestant sees the same chunks.
  { name: 'stream_app_usage', prefix: 'stream_app_usage_', stream: true, appAsksUsage: true },
];
/** BENCH_SCENARIOS=plain,stream runs only those. */
const ONLY_SCENARIOS = process.env.BENCH_SCENARIOS?.split(',').map((name) => name.trim());
const SCENARIOS_RUN = SCENARIO_LIST.filter(
  (s) => !ONLY_SCENARIOS || ONLY_SCENARIOS.includes(s.name),
);

function caller(client: OpenAI, scenario: Scenario): () => Promise<void> {
  const streamOptions = scenario.appAsksUsage ? { include_usage: true } : undefined;
  return () =>
    withAuditContext({ tenantId: 'bench', userId: 'u' }, async () => {
      if (scenario.stream) {
        const stream = await client.chat.completions.create({
          model: SCENARIOS.stream.model,
          messages,
          stream: true,
          stream_options: streamOptions,
        });
        for await (const _ of stream) {
        }
      } else {
        await client.chat.completions.create({ model: SCENARIOS.plain.model, messages });
      }
    });
}

/** One contestant's figures in one scenario, µs. */
interface Row {
  contestant: Contestant;
  call: number;
  low: number;
  high: number;
  /** Export-time figures of its spans (median per span is the one added to the total). */
  exported?: ScopeCost;
}

const fmt = (value: number, width: number, digits = 1) => value.toFixed(digits).padStart(width);

async function runScenario(
  clients: OpenAI[],
  scenario: Scenario,
  exporter: ScopeTimingExporter,
  provider: NodeTracerProvider,
): Promise<{ base: number; rows: Row[] }> {
  const others = CONTESTANTS.map((_, i) => i).filter(
    (i) =>
      i > 0 && SELECTED(CONTESTANTS[i]!.name) && !(scenario.stream && CONTESTANTS[i]!.plainOnly),
  );
  const calls = clients.map((client) => caller(client, scenario));
  const comparisons = await measurePairwise(calls, others, PLAN, async () => {
    await provider.forceFlush();
    exporter.reset();
  });
  await provider.forceFlush();
  const rows = comparisons.map((comparison): Row => {
    const [call, low, high] = medianWithInterval(comparison.diffs);
    const contestant = CONTESTANTS[comparison.other]!;
    const exported = contestant.scope ? exporter.cost(contestant.scope) : undefined;
    return { contestant, call, low, high, exported };
  });
  const base = medianWithInterval(comparisons.flatMap((comparison) => comparison.base))[0];
  return { base, rows };
}

const totalOf = (row: Row | undefined) =>
  row?.exported === undefined ? undefined : row.call + row.exported.median;

function printScenario(name: string, base: number, rows: Row[]): void {
  console.log(`\n${name}: uninstrumented call ${fmt(base, 0)} µs (median)`);
  console.log(
    'contestant                call_us [95% interval]    export_us median   mean   spans  total_cpu_us',
  );
  for (const row of rows) {
    const { exported } = row;
    const exportCells = exported
      ? `${fmt(exported.median, 16)} ${fmt(exported.mean, 6)} ${String(exported.spans).padStart(7)}`
      : `${'-'.padStart(16)} ${'-'.padStart(6)} ${'-'.padStart(7)}`;
    const total = totalOf(row);
    console.log(
      `${row.contestant.name.padEnd(24)} ${fmt(row.call, 7)} [${fmt(row.low, 6)},${fmt(row.high, 6)}]  ${exportCells} ${total === undefined ? '-'.padStart(13) : fmt(total, 13)}`,
    );
  }
}

/** RESULT fields of one scenario; `prefix` is '' for plain calls and 'stream_' for streams. */
function resultFields(prefix: string, rows: Row[]): string[] {
  const byName = new Map(rows.map((row) => [row.contestant.name, row]));
  const fields: string[] = [];
  const add = (key: string, value: number | undefined) => {
    if (value !== undefined) fields.push(`${prefix}${key}=${value.toFixed(1)}`);
  };
  const spanledger = byName.get('spanledger');
  add('overhead_us', spanledger?.call);
  for (const row of rows) {
    if (row !== spanledger) add(`${row.contestant.name}_us`, row.call);
  }
  add('export_us', spanledger?.exported?.median);
  add('total_cpu_us', totalOf(spanledger));
  for (const name of ['otel_contrib', 'openllmetry', 'openllmetry_no_content', 'openinference']) {
    add(`${name}_export_us`, byName.get(name)?.exported?.median);
    add(`${name}_total_cpu_us`, totalOf(byName.get(name)));
  }
  // The goal of issue 18: at or under the lighter of OTel contrib and OpenLLMetry (defaults).
  const peers = ['otel_contrib', 'openllmetry'].map((name) => byName.get(name));
  if (spanledger && peers.every((peer) => peer !== undefined)) {
    const lighterCall = Math.min(...peers.map((peer) => peer!.call));
    const lighterTotal = Math.min(
      ...peers.map((peer) => totalOf(peer) ?? Number.POSITIVE_INFINITY),
    );
    add('above_lighter_peer_us', spanledger.call - lighterCall);
    add('total_above_lighter_peer_us', (totalOf(spanledger) ?? 0) - lighterTotal);
  }
  return fields;
}

async function main() {
  const fake = await startFakeProvider();
  const exporter = new ScopeTimingExporter();
  const provider = new NodeTracerProvider({
    spanProcessors: [
      new OnlyScope(new AuditContextSpanProcessor(), INSTRUMENTATION_SCOPE),
      new BatchSpanProcessor(exporter),
    ],
  });
  provider.register();
  configureInstrumentation({ hashKey: 'bench' });
  // Every copy is loaded before any instrumentation is made: the peers hook `require` as soon as
  // they are enabled and would patch a copy loaded after.
  const modules = moduleCopies<OpenAIModule>('openai', CONTESTANTS.length);
  const clients = modules.map(
    (module) => new module.OpenAI({ apiKey: 'sk-bench', baseURL: fake.url, maxRetries: 0 }),
  );
  for (const [i, contestant] of CONTESTANTS.entries())
    contestant.attach?.(modules[i]!, clients[i]!);

  console.log(
    `${CALLS} pairs per comparison; in each, the contestant and the uninstrumented copy take turns\n` +
      'call by call. call_us: added µs per call, median of the pairwise differences, 95% interval\n' +
      'in brackets. export_us: median µs the exporter spent reading one span of that\n' +
      'instrumentation (deferred work included; mean beside it). total_cpu_us = call_us + export_us.',
  );
  const fields: string[] = [];
  for (const scenario of SCENARIOS_RUN) {
    const { base, rows } = await runScenario(clients, scenario, exporter, provider);
    printScenario(scenario.name, base, rows);
    fields.push(...resultFields(scenario.prefix, rows));
  }
  await provider.shutdown();
  await fake.close();
  console.log(`RESULT ${fields.join(' ')}`);
}

await main();
