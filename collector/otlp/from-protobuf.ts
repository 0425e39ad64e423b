import type { Attributes } from '@opentelemetry/api';
import type { SpanLike } from '../../exporters/index.js';
import {
  MAX_VALUE_DEPTH,
  type PlainValue,
  plainObject,
  setAttribute,
  TOO_DEEP,
} from './attributes.js';
import type {
  ProtoAnyValue,
  ProtoEvent,
  ProtoExportRequest,
  ProtoKeyValue,
  ProtoSpan,
} from './internal-types.js';
import { int64ToBigInt, int64ToPlain, nanosToEpochMs } from './nanos.js';
import { otlpKindToApiKind } from './span-kind.js';

function toPlain(value: ProtoAnyValue | null | undefined, depth: number): PlainValue {
  if (!value) return null;
  if (depth > MAX_VALUE_DEPTH) return TOO_DEEP;
  if (value.stringValue != null) return value.stringValue;
  if (value.boolValue != null) return value.boolValue;
  if (value.intValue != null) return int64ToPlain(value.intValue);
  if (value.doubleValue != null) return value.doubleValue;
  if (value.bytesValue != null) return Buffer.from(value.bytesValue).toString('base64');
  if (value.arrayValue != null) {
    return (value.arrayValue.values ?? []).map((v) => toPlain(v, depth + 1));
  }
  if (value.kvlistValue != null) {
    const object = plainObject();
    for (const kv of value.kvlistValue.values ?? []) {
      object[kv.key ?? ''] = toPlain(kv.value, depth + 1);
    }
    return object;
  }
  return null;
}

function attributesOf(list: ProtoKeyValue[] | null | undefined): Attributes {
  const attributes: Attributes = {};
  for (const kv of list ?? []) setAttribute(attributes, kv.key ?? '', toPlain(kv.value, 0));
  return attributes;
}

// Ids are passed on as hex even when the length is wrong: the exporter rejects such a span
// with a reason (dead_letter, partial_success) instead of the whole request failing.
function hex(bytes: Uint8Array | null | undefined): string {
  return bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex') : '';
}

function timeMs(value: ProtoSpan['startTimeUnixNano']): number {
  return nanosToEpochMs(int64ToBigInt(value, true));
}

function eventOf(event: ProtoEvent) {
  return {
    name: event.name ?? '',
    timeMs: timeMs(event.timeUnixNano),
    attributes: attributesOf(event.attributes),
  };
}

function spanOf(span: ProtoSpan, resource: Attributes, scope: SpanLike['scope']): SpanLike {
  const parent = hex(span.parentSpanId);
  return {
    traceId: hex(span.traceId),
    spanId: hex(span.spanId),
    parentSpanId: parent === '' ? undefined : parent,
    name: span.name ?? '',
    kind: otlpKindToApiKind(span.kind ?? 0),
    startTimeMs: timeMs(span.startTimeUnixNano),
    endTimeMs: timeMs(span.endTimeUnixNano),
    attributes: attributesOf(span.attributes),
    status: { code: span.status?.code ?? 0, message: span.status?.message || undefined },
    events: (span.events ?? []).map(eventOf),
    resource,
    scope,
  };
}

/** Every span of a decoded binary ExportTraceServiceRequest, as the exporter's SpanLike. */
export function spansFromProtobuf(request: ProtoExportRequest): SpanLike[] {
  const spans: SpanLike[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    // One object per resource, shared by its spans: a request usually carries one resource.
    const resource = attributesOf(resourceSpans.resource?.attributes);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      const scope = {
        name: scopeSpans.scope?.name ?? '',
        version: scopeSpans.scope?.version || undefined,
      };
      for (const span of scopeSpans.spans ?? []) spans.push(spanOf(span, resource, scope));
    }
  }
  return spans;
}
