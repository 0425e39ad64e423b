/** gRPC status codes carried in google.rpc.Status.code (informational for OTLP/HTTP clients). */
const GRPC_CODE_BY_STATUS: Readonly<Record<number, number>> = {
  400: 3, // INVALID_ARGUMENT
  401: 16, // UNAUTHENTICATED
  408: 4, // DEADLINE_EXCEEDED
  413: 8, // RESOURCE_EXHAUSTED
  415: 3, // INVALID_ARGUMENT
  429: 8, // RESOURCE_EXHAUSTED
  431: 8, // RESOURCE_EXHAUSTED
  503: 14, // UNAVAILABLE
};

/**
 * A failed OTLP/HTTP request: the status code, a message for the Status body, for 429/503 how
 * long the client should wait (Retry-After, seconds), and whether the connection must close
 * after the answer (the request body was not read to its end, so the connection cannot carry
 * another request).
 */
export class OtlpHttpError extends Error {
  override name = 'OtlpHttpError';
  constructor(
    readonly statusCode: number,
    message: string,
    readonly retryAfterSeconds?: number,
    readonly closeConnection = false,
  ) {
    super(message);
  }

  /** google.rpc.Status.code for this error. */
  get grpcCode(): number {
    return GRPC_CODE_BY_STATUS[this.statusCode] ?? 2; // UNKNOWN
  }

  /** The same error, answered with `Connection: close`. */
  closingConnection(): OtlpHttpError {
    return new OtlpHttpError(this.statusCode, this.message, this.retryAfterSeconds, true);
  }
}
