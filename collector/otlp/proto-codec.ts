import { OtlpDecodeError } from './decode-error.js';
import type { ProtoExportRequest } from './internal-types.js';
import otlp from './proto/generated/otlp.js';
import { describeProtobufError } from './proto-error.js';

// Static code that protobufjs-cli generates from the .proto files in ./proto (npm run
// generate:proto): the OTLP trace messages of opentelemetry-proto and google.rpc.Status. It is
// CommonJS (protobufjs-cli 1.x writes no Node-loadable ESM), hence the default import.
const traceService = otlp.opentelemetry.proto.collector.trace.v1;
const status = otlp.google.rpc.Status;

/**
 * Decodes a binary ExportTraceServiceRequest. Malformed input throws OtlpDecodeError naming the
 * field where decoding failed (OTLP/JSON field names, e.g. `resourceSpans[0].scopeSpans[0]
 * .spans[3].startTimeUnixNano`).
 */
export function decodeProtobufRequest(body: Uint8Array): ProtoExportRequest {
  try {
    return traceService.ExportTraceServiceRequest.decode(body);
  } catch (err) {
    throw new OtlpDecodeError(
      `the body is not a binary protobuf ExportTraceServiceRequest: ${describeProtobufError(body, err)}`,
    );
  }
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

/** A binary google.rpc.Status (no `details`: the receiver never sends any). */
export function encodeProtobufStatus(code: number, message: string): Uint8Array {
  return status.encode({ code, message }).finish();
}
