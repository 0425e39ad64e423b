// `npm run demo`: a small weather agent that uses OpenAI, Anthropic and an MCP tool through
// spanledger's instrumentation, against a local fake provider (no API keys, nothing billed) and a
// local MCP server, then prints what landed in Postgres. Where the spans go: examples/README.md.
import { DiagConsoleLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { initTelemetry } from '../instrumentation/index.js';
import { maskDatabaseUrl } from '../shared/database/index.js';
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

/** The demo failed in a way the user must act on; printed as it is. */
class NothingLandedError extends Error {}

/** Export problems (database or collector unreachable) are reported through diag, never thrown. */
function countingDiagLogger() {
  const console_ = new DiagConsoleLogger();
  let errors = 0;
  diag.setLogger(
    {
      ...console_,
      error: (message, ...args) => {
        errors++;
        console_.error(message, ...args);
      },
      warn: (message, ...args) => console_.warn(message, ...args),
      info: (message, ...args) => console_.info(message, ...args),
      debug: (message, ...args) => console_.debug(message, ...args),
      verbose: (message, ...args) => console_.verbose(message, ...args),
    },
    DiagLogLevel.WARN,
  );
  return { errors: () => errors };
}

function nothingLanded(exportsTo: string, why: string): NothingLandedError {
  return new NothingLandedError(
    `\n*** NOTHING LANDED *** ${why}.\nSpans went to ${exportsTo}: is the collector running (npm start) and does OTEL_EXPORTER_OTLP_ENDPOINT point at it? Without a collector, unset OTEL_EXPORTER_OTLP_ENDPOINT (the demo then writes to DATABASE_URL or the embedded database).`,
  );
}

async function main(): Promise<void> {
  const exportDiag = countingDiagLogger();
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
    if (exportDiag.errors() > 0 && !target.reportUrl) {
      throw nothingLanded(target.exportsTo, `${exportDiag.errors()} export error(s) above`);
    }
    if (!target.reportUrl) {
      console.log('\nSet DATABASE_URL to the collector’s database to print what landed there.');
      return;
    }
    const report = await readUsageReport(target.reportUrl, traceIds);
    if (report.usage.length === 0 && report.tools.length === 0) {
      throw nothingLanded(
        target.exportsTo,
        `none of this run's ${traceIds.length} requests is in ${maskDatabaseUrl(target.reportUrl)}${exportDiag.errors() > 0 ? ` (${exportDiag.errors()} export error(s) above)` : ''}`,
      );
    }
    console.log(`\nWhat landed in Postgres (${traceIds.length} requests):\n`);
    for (const line of formatUsageReport(report)) console.log(line);
  } finally {
    await target.release();
  }
}

main().catch((error: unknown) => {
  if (error instanceof NothingLandedError) console.error(error.message);
  else console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
