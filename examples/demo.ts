// `npm run demo`: a small weather agent that uses OpenAI, Anthropic and an MCP tool through
// spanledger's instrumentation, against a local fake provider (no API keys, nothing billed) and a
// local MCP server, then prints what landed in Postgres. Where the spans go: examples/README.md.
import { DiagConsoleLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { initTelemetry } from '../instrumentation/index.js';
import { startFakeProvider } from '../test/helpers/fake-provider.js';
import { openDemoTarget } from './demo-target.js';
import { formatUsageReport, readUsageReport } from './usage-report.js';
import { type Asker, createWeatherService } from './weather-service.js';

const ASKERS: Asker[] = [
  { tenantId: 'acme', userId: 'ann', question: 'What is the weather in Paris?' },
  { tenantId: 'globex', userId: 'bob', question: 'Do I need an umbrella in Paris today?' },
];

/** Answers every question; returns the trace id of each request. */
async function runService(apiUrl: string): Promise<string[]> {
  const service = await createWeatherService(apiUrl);
  const traceIds: string[] = [];
  try {
    for (const asker of ASKERS) {
      const { traceId, text } = await service.answer(asker);
      console.log(`${asker.userId}@${asker.tenantId}: ${asker.question} → ${text}`);
      console.log(`  trace ${traceId}`);
      traceIds.push(traceId);
    }
  } finally {
    await service.close();
  }
  return traceIds;
}

async function main(): Promise<void> {
  // Export problems (database or collector unreachable) are reported here, never thrown.
  diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);
  const target = await openDemoTarget(process.env);
  try {
    console.log(`spanledger demo: spans go to ${target.exportsTo}\n`);
    const fake = await startFakeProvider();
    const telemetry = initTelemetry({ serviceName: 'spanledger-demo', ...target.telemetry });
    let traceIds: string[];
    try {
      traceIds = await runService(fake.url);
    } finally {
      // Resolves once every span is committed (direct) or accepted by the collector, which
      // answers only when its rows are durable: the report below sees them all.
      await telemetry.shutdown();
      await fake.close();
    }
    if (!target.reportUrl) {
      console.log('\nSet DATABASE_URL to the collector’s database to print what landed there.');
      return;
    }
    const report = await readUsageReport(target.reportUrl, traceIds);
    console.log(`\nWhat landed in Postgres (${traceIds.length} requests):\n`);
    for (const line of formatUsageReport(report)) console.log(line);
  } finally {
    await target.release();
  }
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
