// Added cost of spanledger's OpenAI instrumentation per call, against the uninstrumented call to
// the same local fake provider, measured in one run (alternating rounds, so drift hits both).
// Spans are recorded (sampled, attributes set, ended) but not exported: export is the
// exporter's benchmark. Last line is machine-readable: RESULT overhead_us=...
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import OpenAI from 'openai';
import {
  AuditContextSpanProcessor,
  configureInstrumentation,
  instrumentOpenAI,
  withAuditContext,
} from '../instrumentation/index.js';
import { SCENARIOS, startFakeProvider } from '../test/helpers/fake-provider.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);

async function perCallUs(client: OpenAI, streaming: boolean): Promise<number> {
  const messages = [{ role: 'user' as const, content: 'benchmark prompt' }];
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
  return Number(process.hrtime.bigint() - start) / 1000 / CALLS;
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
  const results: Record<string, { base: number[]; inst: number[] }> = {
    plain: { base: [], inst: [] },
    stream: { base: [], inst: [] },
  };
  await perCallUs(client, false); // warm-up: JIT, sockets
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, streaming] of [
      ['plain', false],
      ['stream', true],
    ] as const) {
      results[name]!.base.push(await perCallUs(client, streaming));
      const undo = instrumentOpenAI(client);
      results[name]!.inst.push(await perCallUs(client, streaming));
      undo();
    }
  }
  await fake.close();
  let overhead = 0;
  console.log(`calls per round ${CALLS}, rounds ${ROUNDS} (medians)`);
  console.log('scenario  uninstrumented_us  instrumented_us  overhead_us  ratio');
  for (const [name, r] of Object.entries(results)) {
    const base = median(r.base);
    const inst = median(r.inst);
    const diff = inst - base;
    if (name === 'plain') overhead = diff;
    console.log(
      `${name.padEnd(9)} ${base.toFixed(1).padStart(17)} ${inst.toFixed(1).padStart(16)} ${diff.toFixed(1).padStart(12)} ${(inst / base).toFixed(3).padStart(6)}`,
    );
  }
  console.log(`RESULT overhead_us=${overhead.toFixed(1)}`);
}

await main();
