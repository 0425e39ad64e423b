import { ConnectionLostError } from '../../shared/database/index.js';

/**
 * How a failed write should be handled:
 * - 'transient': the database is unavailable or busy (connection lost, restarting, serialization
 *   failure, deadlock): retry with backoff, then spool.
 * - 'data': something in the batch itself was rejected (a check, a bad value), or a row could not
 *   even be encoded (a bug meeting an unexpected value): split the batch to find the row and
 *   dead-letter it; the rest commits.
 * - 'systemic': the database refuses every batch (missing schema, permissions): spool and retry
 *   later; dead-lettering would wrongly blame the data.
 */
export type WriteErrorKind = 'transient' | 'data' | 'systemic';

const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const TRANSIENT_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '57014', // query_canceled (statement timeout)
  '58000', // system_error
  '58030', // io_error
  '53100', // disk_full: spooling keeps the data until space returns
  '53200', // out_of_memory
]);

/** A row could not be turned into COPY text: its span is dead-lettered with this message. */
export class RowEncodingError extends Error {
  override name = 'RowEncodingError';
  constructor(override readonly cause: unknown) {
    super(`the row could not be encoded: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

// pg and pg-copy-streams report a dead connection with these messages and no code.
const CONNECTION_MESSAGE =
  /terminat|timeout|timed out|connect|ECONN|socket|closed|not queryable|premature close|EPIPE/i;

/** Classifies an error thrown by pg / pg-copy-streams / our encoder during a batch write. */
export function classifyWriteError(err: unknown): WriteErrorKind {
  if (err instanceof ConnectionLostError) return 'transient';
  // Our own code failing on a value (a TypeError while encoding) is about that row, not the
  // database: spooling it would replay it forever and stall every later batch.
  if (err instanceof RowEncodingError || err instanceof TypeError || err instanceof RangeError) {
    return 'data';
  }
  const e = err as { code?: string; message?: string } | undefined;
  const code = e?.code;
  if (code && TRANSIENT_NODE_CODES.has(code)) return 'transient';
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    if (TRANSIENT_SQLSTATES.has(code) || code.startsWith('08')) return 'transient';
    // 22: data exception, 23: integrity violation, 54: program limit (e.g. index row too big)
    if (code.startsWith('22') || code.startsWith('23') || code.startsWith('54')) return 'data';
    return 'systemic';
  }
  if (CONNECTION_MESSAGE.test(e?.message ?? '')) return 'transient';
  return 'systemic';
}
