import type { HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { SpanLike } from './rows.js';

/** HrTime [seconds, nanoseconds] as fractional epoch milliseconds. */
function hrTimeToMs(time: HrTime): number {
  return time[0] * 1e3 + time[1] / 1e6;
}

/**
 * Adapts an SDK (v2) ReadableSpan to the SpanLike the mapping takes. SDK v2 moved the parent to
 * `parentSpanContext` and the scope to `instrumentationScope`.
 */
export function spanLikeFromReadable(span: ReadableSpan): SpanLike {
  const context = span.spanContext();
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    kind: span.kind,
    startTimeMs: hrTimeToMs(span.startTime),
    endTimeMs: hrTimeToMs(span.endTime),
    attributes: span.attributes,
    status: { code: span.status.code, message: span.status.message },
    events: span.events.map((event) => ({
      name: event.name,
      timeMs: hrTimeToMs(event.time),
      attributes: event.attributes,
    })),
    resource: span.resource.attributes,
    scope: { name: span.instrumentationScope.name, version: span.instrumentationScope.version },
  };
}
