import generated from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import protobuf from 'protobufjs';
import type { ProtoExportRequest } from './internal-types.js';

interface GeneratedMessage<T> {
  decode(buffer: Uint8Array): T;
  encode(message: object): { finish(): Uint8Array };
}

interface GeneratedTraceService {
  ExportTraceServiceRequest: GeneratedMessage<ProtoExportRequest>;
  ExportTraceServiceResponse: GeneratedMessage<object>;
}

// The OpenTelemetry JS project generates this module with protobufjs from the official
// opentelemetry-proto definitions; it ships without message typings, hence the cast.
const traceService = (
  generated as unknown as {
    opentelemetry: { proto: { collector: { trace: { v1: GeneratedTraceService } } } };
  }
).opentelemetry.proto.collector.trace.v1;

// google.rpc.Status (googleapis google/rpc/status.proto), the body of every OTLP/HTTP 4xx/5xx.
// `details` (field 3) is left out: the receiver never sends any.
const statusType = new protobuf.Type('Status')
  .add(new protobuf.Field('code', 1, 'int32'))
  .add(new protobuf.Field('message', 2, 'string'));
new protobuf.Root().define('google.rpc').add(statusType);

/** Decodes a binary ExportTraceServiceRequest; throws on malformed input. */
export function decodeProtobufRequest(body: Uint8Array): ProtoExportRequest {
  return traceService.ExportTraceServiceRequest.decode(body);
}

/** A binary ExportTraceServiceResponse; `partialSuccess` only when some spans were rejected. */
export function encodeProtobufResponse(partialSuccess?: {
  rejectedSpans: number;
  errorMessage: string;
}): Uint8Array {
  return traceService.ExportTraceServiceResponse.encode(
    partialSuccess ? { partialSuccess } : {},
  ).finish();
}

/** A binary google.rpc.Status. */
export function encodeProtobufStatus(code: number, message: string): Uint8Array {
  return statusType.encode(statusType.fromObject({ code, message })).finish();
}
