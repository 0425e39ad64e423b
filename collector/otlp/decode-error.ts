/** The request body is not a valid ExportTraceServiceRequest: answered with 400, never retried. */
export class OtlpDecodeError extends Error {
  override name = 'OtlpDecodeError';
}
