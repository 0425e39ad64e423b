import type { Attributes } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/** Export-time figures of one instrumentation scope, µs per span. */
export interface ScopeCost {
  spans: number;
  median: number;
  mean: number;
}

/**
 * A span exporter that does what every encoder does with a span and nothing else: reads its name,
 * ids, times and status, and every attribute of the span, its events and links, key by key
 * (`Object.keys`, as the OTLP transformer does), with each string's UTF-8 length taken, as a
 * protobuf or JSON encoder must. Whatever an instrumentation deferred to export time (spanledger's
 * digests are computed when first read) runs here. Each span's read is timed on its own and kept
 * per instrumentation scope: the median is the figure to compare (a garbage collection that falls
 * inside one read is not that span's cost), the mean is reported beside it.
 */
export class ScopeTimingExporter implements SpanExporter {
  private readonly times = new Map<string, number[]>();
  /** Folded from everything read, so no read can be optimised away. */
  checksum = 0;

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    for (const span of spans) {
      const start = performance.now();
      this.checksum += readSpan(span);
      const micros = (performance.now() - start) * 1000;
      const scope = span.instrumentationScope.name;
      const times = this.times.get(scope);
      if (times) times.push(micros);
      else this.times.set(scope, [micros]);
    }
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  /** Forgets the figures so far (between warm-up and measurement, and between scenarios). */
  reset(): void {
    this.times.clear();
  }

  /** The figures of `scope` since the last reset; undefined if none of its spans came. */
  cost(scope: string): ScopeCost | undefined {
    const times = this.times.get(scope);
    if (!times?.length) return undefined;
    const sorted = Float64Array.from(times).sort();
    const sum = sorted.reduce((total, value) => total + value, 0);
    return { spans: sorted.length, median: sorted[sorted.length >> 1]!, mean: sum / sorted.length };
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

function readSpan(span: ReadableSpan): number {
  const context = span.spanContext();
  let sum = span.name.length + context.traceId.length + context.spanId.length + span.kind;
  sum += span.startTime[1] + span.endTime[1] + span.status.code;
  sum += (span.parentSpanContext?.spanId.length ?? 0) + (span.status.message?.length ?? 0);
  sum += readAttributes(span.attributes);
  for (const event of span.events) {
    sum += event.name.length + event.time[1] + readAttributes(event.attributes);
  }
  for (const link of span.links)
    sum += link.context.spanId.length + readAttributes(link.attributes);
  return sum;
}

function readAttributes(attributes: Attributes | undefined): number {
  if (!attributes) return 0;
  let sum = 0;
  for (const key of Object.keys(attributes)) {
    sum += Buffer.byteLength(key) + readValue(attributes[key]);
  }
  return sum;
}

function readValue(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Number.isInteger(value) ? 1 : 2;
  if (typeof value === 'boolean') return 3;
  if (Array.isArray(value)) {
    let sum = 0;
    for (const item of value) sum += readValue(item);
    return sum;
  }
  return 0;
}
