import type { opentelemetry } from './proto/generated/otlp.js';

// The decoded message shapes, as the generated code types them. Absent proto3 fields are
// null; 64-bit integers are `long` Longs (numbers only if Long is unavailable).

/** A 64-bit integer as protobufjs returns it: a Long's two 32-bit halves, or a number. */
export interface LongBits {
  low: number;
  high: number;
  unsigned?: boolean;
}

export type ProtoInt64 = LongBits | number | null | undefined;

export type ProtoAnyValue = opentelemetry.proto.common.v1.IAnyValue;
export type ProtoKeyValue = opentelemetry.proto.common.v1.IKeyValue;
export type ProtoEvent = opentelemetry.proto.trace.v1.Span.IEvent;
export type ProtoSpan = opentelemetry.proto.trace.v1.ISpan;
export type ProtoExportRequest = opentelemetry.proto.collector.trace.v1.IExportTraceServiceRequest;

/** The two encodings OTLP/HTTP carries; the response uses the request's. */
export type OtlpEncoding = 'protobuf' | 'json';
