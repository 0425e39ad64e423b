// Shapes of an ExportTraceServiceRequest as protobufjs decodes it (the generated code ships
// without message typings). Absent proto3 fields read as null; only what the mapping reads is
// listed.

/** A 64-bit integer as protobufjs returns it (a `long` Long, or a number without it). */
export interface LongBits {
  low: number;
  high: number;
  unsigned?: boolean;
}

export type ProtoInt64 = LongBits | number | null | undefined;

export interface ProtoAnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: ProtoInt64;
  doubleValue?: number | null;
  arrayValue?: { values?: ProtoAnyValue[] | null } | null;
  kvlistValue?: { values?: ProtoKeyValue[] | null } | null;
  bytesValue?: Uint8Array | null;
}

export interface ProtoKeyValue {
  key?: string | null;
  value?: ProtoAnyValue | null;
}

export interface ProtoEvent {
  timeUnixNano?: ProtoInt64;
  name?: string | null;
  attributes?: ProtoKeyValue[] | null;
}

export interface ProtoSpan {
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
  parentSpanId?: Uint8Array | null;
  name?: string | null;
  kind?: number | null;
  startTimeUnixNano?: ProtoInt64;
  endTimeUnixNano?: ProtoInt64;
  attributes?: ProtoKeyValue[] | null;
  events?: ProtoEvent[] | null;
  status?: { code?: number | null; message?: string | null } | null;
}

export interface ProtoScopeSpans {
  scope?: { name?: string | null; version?: string | null } | null;
  spans?: ProtoSpan[] | null;
}

export interface ProtoResourceSpans {
  resource?: { attributes?: ProtoKeyValue[] | null } | null;
  scopeSpans?: ProtoScopeSpans[] | null;
}

export interface ProtoExportRequest {
  resourceSpans?: ProtoResourceSpans[] | null;
}

/** The two encodings OTLP/HTTP carries; the response uses the request's. */
export type OtlpEncoding = 'protobuf' | 'json';
