import type { Attributes } from '@opentelemetry/api';
import type { SpanLike } from '../../exporters/index.js';
import {
  MAX_VALUE_DEPTH,
  type PlainValue,
  plainObject,
  setAttribute,
  TOO_DEEP,
} from './attributes.js';
import {
  asArray,
  asBoolean,
  asDouble,
  asEnum,
  asInt64,
  asObject,
  asString,
  field,
  type JsonObject,
} from './json-reader.js';
import { nanosToEpochMs } from './nanos.js';
import { otlpKindToApiKind, SPAN_KIND_NAMES, STATUS_CODE_NAMES } from './span-kind.js';

function int64Plain(value: bigint): number | string {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value.toString();
}

function keyValuesToPlain(values: unknown, path: string, depth: number) {
  const object = plainObject();
  asArray(values, path).forEach((entry, i) => {
    const kv = asObject(entry, `${path}[${i}]`) ?? {};
    object[asString(field(kv, 'key'), `${path}[${i}].key`) ?? ''] = anyValue(
      field(kv, 'value'),
      `${path}[${i}].value`,
      depth + 1,
    );
  });
  return object;
}

function anyValue(raw: unknown, path: string, depth: number): PlainValue {
  const v = asObject(raw, path);
  if (v === undefined) return null;
  if (depth > MAX_VALUE_DEPTH) return TOO_DEEP;
  const s = field(v, 'stringValue', 'string_value');
  if (s !== undefined) return asString(s, `${path}.stringValue`)!;
  const b = field(v, 'boolValue', 'bool_value');
  if (b !== undefined) return asBoolean(b, `${path}.boolValue`)!;
  const i = field(v, 'intValue', 'int_value');
  if (i !== undefined) return int64Plain(asInt64(i, `${path}.intValue`, false)!);
  const d = field(v, 'doubleValue', 'double_value');
  if (d !== undefined) return asDouble(d, `${path}.doubleValue`)!;
  // bytes are base64 in proto3 JSON; the attribute keeps that text.
  const bytes = field(v, 'bytesValue', 'bytes_value');
  if (bytes !== undefined) return asString(bytes, `${path}.bytesValue`)!;
  const array = asObject(field(v, 'arrayValue', 'array_value'), `${path}.arrayValue`);
  if (array !== undefined) {
    const values = asArray(field(array, 'values'), `${path}.arrayValue.values`);
    return values.map((item, n) => anyValue(item, `${path}.arrayValue.values[${n}]`, depth + 1));
  }
  const kvlist = asObject(field(v, 'kvlistValue', 'kvlist_value'), `${path}.kvlistValue`);
  if (kvlist !== undefined) {
    return keyValuesToPlain(field(kvlist, 'values'), `${path}.kvlistValue.values`, depth);
  }
  return null;
}

function attributesOf(raw: unknown, path: string): Attributes {
  const attributes: Attributes = {};
  asArray(raw, path).forEach((entry, i) => {
    const kv = asObject(entry, `${path}[${i}]`) ?? {};
    const key = asString(field(kv, 'key'), `${path}[${i}].key`) ?? '';
    setAttribute(attributes, key, anyValue(field(kv, 'value'), `${path}[${i}].value`, 0));
  });
  return attributes;
}

function timeMs(raw: unknown, path: string): number {
  return nanosToEpochMs(asInt64(raw, path, true) ?? 0n);
}

// Ids are hex in OTLP/JSON. A malformed one is passed on: the exporter rejects that span with a
// reason (dead_letter, partial_success) rather than the whole request failing.
function id(raw: unknown, path: string): string {
  return (asString(raw, path) ?? '').toLowerCase();
}

function eventsOf(raw: unknown, path: string): NonNullable<SpanLike['events']> {
  return asArray(raw, path).map((entry, i) => {
    const at = `${path}[${i}]`;
    const event = asObject(entry, at) ?? {};
    return {
      name: asString(field(event, 'name'), `${at}.name`) ?? '',
      timeMs: timeMs(field(event, 'timeUnixNano', 'time_unix_nano'), `${at}.timeUnixNano`),
      attributes: attributesOf(field(event, 'attributes'), `${at}.attributes`),
    };
  });
}

function statusOf(raw: unknown, path: string): SpanLike['status'] {
  const status = asObject(raw, path) ?? {};
  return {
    code: asEnum(field(status, 'code'), `${path}.code`, STATUS_CODE_NAMES) ?? 0,
    message: asString(field(status, 'message'), `${path}.message`) || undefined,
  };
}

function spanOf(span: JsonObject, at: string, resource: Attributes, scope: SpanLike['scope']) {
  const parent = id(field(span, 'parentSpanId', 'parent_span_id'), `${at}.parentSpanId`);
  const kind = asEnum(field(span, 'kind'), `${at}.kind`, SPAN_KIND_NAMES) ?? 0;
  return {
    traceId: id(field(span, 'traceId', 'trace_id'), `${at}.traceId`),
    spanId: id(field(span, 'spanId', 'span_id'), `${at}.spanId`),
    parentSpanId: parent === '' ? undefined : parent,
    name: asString(field(span, 'name'), `${at}.name`) ?? '',
    kind: otlpKindToApiKind(kind),
    startTimeMs: timeMs(
      field(span, 'startTimeUnixNano', 'start_time_unix_nano'),
      `${at}.startTimeUnixNano`,
    ),
    endTimeMs: timeMs(
      field(span, 'endTimeUnixNano', 'end_time_unix_nano'),
      `${at}.endTimeUnixNano`,
    ),
    attributes: attributesOf(field(span, 'attributes'), `${at}.attributes`),
    status: statusOf(field(span, 'status'), `${at}.status`),
    events: eventsOf(field(span, 'events'), `${at}.events`),
    resource,
    scope,
  } satisfies SpanLike;
}

function scopeOf(raw: unknown, path: string): SpanLike['scope'] {
  const scope = asObject(raw, path) ?? {};
  return {
    name: asString(field(scope, 'name'), `${path}.name`) ?? '',
    version: asString(field(scope, 'version'), `${path}.version`) || undefined,
  };
}

/**
 * Every span of an ExportTraceServiceRequest in the OTLP/JSON mapping (hex ids, integer enums,
 * int64 as number or text, unknown fields ignored). Throws OtlpDecodeError naming the path of
 * the first value of the wrong type.
 */
export function spansFromJson(request: unknown): SpanLike[] {
  const root = asObject(request, '') ?? {};
  const spans: SpanLike[] = [];
  asArray(field(root, 'resourceSpans', 'resource_spans'), 'resourceSpans').forEach((rs, r) => {
    const rsPath = `resourceSpans[${r}]`;
    const resourceSpans = asObject(rs, rsPath) ?? {};
    const resourceObject = asObject(field(resourceSpans, 'resource'), `${rsPath}.resource`) ?? {};
    const resource = attributesOf(
      field(resourceObject, 'attributes'),
      `${rsPath}.resource.attributes`,
    );
    const scopeList = field(resourceSpans, 'scopeSpans', 'scope_spans');
    asArray(scopeList, `${rsPath}.scopeSpans`).forEach((ss, s) => {
      const ssPath = `${rsPath}.scopeSpans[${s}]`;
      const scopeSpans = asObject(ss, ssPath) ?? {};
      const scope = scopeOf(field(scopeSpans, 'scope'), `${ssPath}.scope`);
      asArray(field(scopeSpans, 'spans'), `${ssPath}.spans`).forEach((sp, n) => {
        const at = `${ssPath}.spans[${n}]`;
        spans.push(spanOf(asObject(sp, at) ?? {}, at, resource, scope));
      });
    });
  });
  return spans;
}
