import type { Logger } from '../../shared/index.js';
import type { OtlpHttpExporterConfig } from '../config/index.js';
import type { OtlpEncoding } from '../otlp/index.js';
import { OtlpForwarder } from './otlp-forwarder.js';

/** The forward targets named in service.pipelines.traces.exporters. */
export interface ForwardSet {
  readonly targets: readonly OtlpForwarder[];
  /** Hands one accepted body to every target's queue; returns at once. */
  enqueue(body: Buffer, encoding: OtlpEncoding, spans: number): void;
  shutdown(graceMs: number): Promise<void>;
}

/**
 * Creates a forwarder for every `otlphttp` exporter that the traces pipeline names; exporters
 * defined but not in the pipeline stay off, as in the OpenTelemetry Collector.
 */
export function createForwardSet(
  exporters: Readonly<Record<string, OtlpHttpExporterConfig>>,
  pipeline: readonly string[],
  logger: Logger,
): ForwardSet {
  const log = logger.child({ component: 'forward' });
  const targets = pipeline
    .filter((name) => exporters[name] !== undefined)
    .map((name) => new OtlpForwarder(name, exporters[name]!, log));
  return {
    targets,
    enqueue(body, encoding, spans) {
      for (const target of targets) target.enqueue({ body, encoding, spans });
    },
    async shutdown(graceMs) {
      await Promise.all(targets.map((t) => t.shutdown(graceMs)));
    },
  };
}
