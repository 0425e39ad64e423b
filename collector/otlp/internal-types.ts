import type { opentelemetry } from './proto/generated/otlp.js';

// The decoded message shapes, as the generated code types them. Absent proto3 fields are
// absent (or null); 64-bit integers are `long` Longs (numbers only if Long is unavailable).

/** A 64-bit integer as protobufjs returns it: a Long's two 32-bit halves, or a number. */
export interface LongBits {
  low: number;
  high: number;
  unsigned?: boolean;
}

export type ProtoInt64 = LongBits | number | null | undefined;

export type ProtoAnyValue = opentelemetry.proto.common.v1.AnyValue.$Properties;
export type ProtoKeyValue = opentelemetry.proto.common.v1.KeyValue.$Properties;
export type ProtoEvent = opentelemetry.proto.trace.v1.Span.Event.$Properties;
export type ProtoSpan = opentelemetry.proto.trace.v1.Span.$Properties;
export type ProtoExportRequest =
  opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.$Properties;

/** The two encodings OTLP/HTTP carries; the response uses the request's. */
export type OtlpEncoding = 'protobuf' | 'json';
