import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { PgSpanExporter, type PgSpanExporterOptions } from '../../exporters/index.js';

/** Exports through the SDK contract and resolves with the result code. */
export function exportVia(
  exporter: PgSpanExporter,
  spans: ReadableSpan[],
): Promise<ExportResultCode> {
  return new Promise((resolve) => exporter.export(spans, (r) => resolve(r.code)));
}

export { ExportResultCode };

/** A PgSpanExporter on `url` with a spool dir of its own; `cleanup()` shuts down and removes it. */
export async function createTestExporter(
  url: string,
  options: Partial<PgSpanExporterOptions> & { spoolMaxBytes?: number } = {},
) {
  const dir = await mkdtemp(join(tmpdir(), 'spanledger-spool-'));
  const exporter = new PgSpanExporter({
    databaseUrl: url,
    spool: { dir, maxBytes: options.spoolMaxBytes ?? 64 * 1024 * 1024 },
    retryBaseMs: 20,
    replayIntervalMs: 100,
    ...options,
  });
  return {
    exporter,
    spoolDir: dir,
    async cleanup() {
      await exporter.shutdown();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
