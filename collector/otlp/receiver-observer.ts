/**
 * What the receiver reports about its traffic; collector/metrics.ts implements it with
 * Prometheus counters, tests may leave it out.
 */
export interface ReceiverObserver {
  /** One finished request: its HTTP status code and how long it took. */
  request(statusCode: number, durationMs: number): void;
  /** Body bytes as sent (possibly gzip) and after decompression. */
  bytes(wire: number, decoded: number): void;
  spansReceived(count: number): void;
  spansRejected(count: number): void;
  /** Requests currently being read, decoded or written. */
  inFlight(count: number): void;
}
