// Added cost of spanledger's OpenAI instrumentation per call, against the uninstrumented call to
// the same local fake provider, measured in one run. Rounds alternate uninstrumented and
// instrumented (and which goes first), and the result is the median of the per-round
// differences, so drift and other load on the machine hit both sides alike.
// Spans are recorded (sampled, attributes set, ended) but not exported: export is the
// exporter's benchmark. `npm run bench:instrumentation` compiles the benchmark with the package
// (tsconfig.bench.json) and runs plain JavaScript, as users run it, not TypeScript through tsx.
// Last line is machine-readable: RESULT overhead_us=...
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import OpenAI from 'openai';
import {
  AuditContextSpanProcessor,
  configureInstrumentation,
  instrumentOpenAI,
  withAuditContext,
} from '../instrumentation/index.js';
import { SCENARIOS, startFakeProvider } from '../test/helpers/fake-provider.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 21);

interface Cost {
  wallUs: number;
  cpuUs: number;
}

async function perCall(client: OpenAI, streaming: boolean): Promise<Cost> {
  const messages = [{ role: 'user' as const, content: 'benchmark prompt' }];
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) {
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
  const wallUs = Number(process.hrtime.bigint() - start) / 1000 / CALLS;
  const used = process.cpuUsage(cpu);
  return { wallUs, cpuUs: (used.user + used.system) / CALLS };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function main() {
  const fake = await startFakeProvider();
  new NodeTracerProvider({ spanProcessors: [new AuditContextSpanProcessor()] }).register();
  configureInstrumentation({ hashKey: 'bench' });
  const client = new OpenAI({ apiKey: 'sk-bench', baseURL: fake.url, maxRetries: 0 });
  const scenarios = { plain: false, stream: true } as const;
  const results = Object.fromEntries(
    Object.keys(scenarios).map((name) => [
      name,
      { base: [] as Cost[], inst: [] as Cost[], wallDiff: [] as number[], cpuDiff: [] as number[] },
    ]),
  );
  // Warm-up of both paths: JIT, sockets.
  for (const streaming of Object.values(scenarios)) {
    await perCall(client, streaming);
    const undo = instrumentOpenAI(client);
    await perCall(client, streaming);
    undo();
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, streaming] of Object.entries(scenarios)) {
      const r = results[name]!;
      const measure = async (instrumented: boolean) => {
        const undo = instrumented ? instrumentOpenAI(client) : () => {};
        const cost = await perCall(client, streaming);
        undo();
        return cost;
      };
      const instFirst = round % 2 === 1;
      const first = await measure(instFirst);
      const second = await measure(!instFirst);
      const [base, inst] = instFirst ? [second, first] : [first, second];
      r.base.push(base);
      r.inst.push(inst);
      r.wallDiff.push(inst.wallUs - base.wallUs);
      r.cpuDiff.push(inst.cpuUs - base.cpuUs);
    }
  }
  await fake.close();
  let overhead = Number.NaN;
  let cpuOverhead = Number.NaN;
  console.log(
    `calls per round ${CALLS}, rounds ${ROUNDS} (medians; overhead = median of per-round differences)`,
  );
  console.log('scenario  uninstrumented_us  instrumented_us  overhead_us  ratio  cpu_overhead_us');
  for (const [name, r] of Object.entries(results)) {
    const base = median(r.base.map((c) => c.wallUs));
    const diff = median(r.wallDiff);
    const cpuDiff = median(r.cpuDiff);
    if (name === 'plain') {
      overhead = diff;
      cpuOverhead = cpuDiff;
    }
    console.log(
      `${name.padEnd(9)} ${base.toFixed(1).padStart(17)} ${(base + diff).toFixed(1).padStart(16)} ${diff.toFixed(1).padStart(12)} ${((base + diff) / base).toFixed(3).padStart(6)} ${cpuDiff.toFixed(1).padStart(16)}`,
    );
  }
  console.log(
    `RESULT overhead_us=${overhead.toFixed(1)} cpu_overhead_us=${cpuOverhead.toFixed(1)}`,
  );
}

await main();
