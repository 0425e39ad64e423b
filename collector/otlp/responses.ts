import { MEDIA_TYPES } from './content-type.js';
import type { OtlpEncoding } from './internal-types.js';
import { encodeProtobufResponse, encodeProtobufStatus } from './proto-codec.js';

/** A response body and the Content-Type it goes with (always the request's encoding). */
export interface OtlpBody {
  contentType: string;
  payload: Buffer | string;
}

/** What the receiver reports back when some spans could not be stored. */
export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

/**
 * ExportTraceServiceResponse: empty on full success; with partial_success when spans were
 * rejected (OTLP: the client must then not retry).
 */
export function exportResponse(encoding: OtlpEncoding, partial?: PartialSuccess): OtlpBody {
  if (encoding === 'protobuf') {
    return {
      contentType: MEDIA_TYPES.protobuf,
      payload: Buffer.from(encodeProtobufResponse(partial)),
    };
  }
  // proto3 JSON writes int64 as a decimal string.
  const body = partial
    ? {
        partialSuccess: {
          rejectedSpans: String(partial.rejectedSpans),
          errorMessage: partial.errorMessage,
        },
      }
    : {};
  return { contentType: MEDIA_TYPES.json, payload: JSON.stringify(body) };
}

/** google.rpc.Status, the body of every OTLP/HTTP failure. */
export function statusResponse(encoding: OtlpEncoding, code: number, message: string): OtlpBody {
  if (encoding === 'protobuf') {
    return {
      contentType: MEDIA_TYPES.protobuf,
      payload: Buffer.from(encodeProtobufStatus(code, message)),
    };
  }
  return { contentType: MEDIA_TYPES.json, payload: JSON.stringify({ code, message }) };
}
