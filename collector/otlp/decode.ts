import type { SpanLike } from '../../exporters/index.js';
import { OtlpDecodeError } from './decode-error.js';
import { spansFromJson } from './from-json.js';
import { spansFromProtobuf } from './from-protobuf.js';
import { spansFromWire } from './from-wire.js';
import type { OtlpEncoding } from './internal-types.js';
import { decodeProtobufRequest } from './proto-codec.js';

/**
 * The direct decoder for plainly well-formed bodies (nearly all), the generated protobufjs code
 * for the rest: it returns the same spans, or the error that names the field.
 */
function decodeProtobuf(body: Buffer): SpanLike[] {
  try {
    return spansFromWire(body);
  } catch {
    return spansFromProtobuf(decodeProtobufRequest(body));
  }
}

/**
 * Decodes an ExportTraceServiceRequest body into the exporter's SpanLike. Any failure, from a
 * truncated varint to a stack overflow on absurd nesting, becomes an OtlpDecodeError (400): bad
 * input must never surface as a 500.
 */
export function decodeTraceRequest(body: Buffer, encoding: OtlpEncoding): SpanLike[] {
  try {
    if (encoding === 'protobuf') return decodeProtobuf(body);
    return spansFromJson(JSON.parse(body.toString('utf8')));
  } catch (err) {
    if (err instanceof OtlpDecodeError) throw err;
    const what = encoding === 'protobuf' ? 'binary protobuf' : 'JSON';
    throw new OtlpDecodeError(
      `the body is not a ${what} ExportTraceServiceRequest: ${(err as Error).message}`,
    );
  }
}
