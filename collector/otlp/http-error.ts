/** gRPC status codes carried in google.rpc.Status.code (informational for OTLP/HTTP clients). */
const GRPC_CODE_BY_STATUS: Readonly<Record<number, number>> = {
  400: 3, // INVALID_ARGUMENT
  401: 16, // UNAUTHENTICATED
  413: 8, // RESOURCE_EXHAUSTED
  415: 3, // INVALID_ARGUMENT
  429: 8, // RESOURCE_EXHAUSTED
  503: 14, // UNAVAILABLE
};

/**
 * A failed OTLP/HTTP request: the status code, a message for the Status body, and for 429/503
 * how long the client should wait (Retry-After, seconds).
 */
export class OtlpHttpError extends Error {
  override name = 'OtlpHttpError';
  constructor(
    readonly statusCode: number,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  /** google.rpc.Status.code for this error. */
  get grpcCode(): number {
    return GRPC_CODE_BY_STATUS[this.statusCode] ?? 2; // UNKNOWN
  }
}
