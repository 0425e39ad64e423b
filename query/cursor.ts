import { createHash } from 'node:crypto';
import { badRequest } from './errors.js';

/**
 * Where a page of audit rows ended, in the order of the page query: started_at (microseconds
 * since the epoch, so no precision is lost to JavaScript dates), trace_id, span_id. Pages walk
 * (started_at DESC, trace_id DESC, span_id DESC); the primary key makes the triple unique.
 */
export interface AuditPosition {
  startedUs: string;
  traceId: string;
  spanId: string;
}

const VERSION = 1;
const MICROS = /^-?\d{1,18}$/;
// Years 1 through 9999, the range the exporter stores: anything else is not one of our cursors
// (and would overflow timestamptz in the page query).
const MIN_MICROS = -62_135_596_800_000_000n;
const MAX_MICROS = 253_402_300_800_000_000n;
const TRACE = /^[0-9a-f]{32}$/;
const SPAN = /^[0-9a-f]{16}$/;

/** A short digest of the filters: a cursor only continues the listing it came from. */
export function filterFingerprint(filters: object): string {
  const normal = JSON.stringify(filters, (_key, value) =>
    value && typeof value === 'object' && 'text' in value && 'ms' in value ? value.text : value,
  );
  return createHash('sha256').update(normal).digest('base64url').slice(0, 12);
}

/** The opaque cursor for the page after `position` (base64url JSON). */
export function encodeCursor(position: AuditPosition, fingerprint: string): string {
  const body = [VERSION, position.startedUs, position.traceId, position.spanId, fingerprint];
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

const INVALID = 'cursor is not a next_cursor returned by this API';

/**
 * Reads a cursor back; a 400 when it is malformed or belongs to other filters. Every part is
 * checked against the shape the page query binds, so nothing from the client reaches SQL
 * unvalidated.
 */
export function decodeCursor(cursor: string, fingerprint: string): AuditPosition {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badRequest(INVALID);
  }
  if (!Array.isArray(body) || body.length !== 5 || body[0] !== VERSION) throw badRequest(INVALID);
  const [, startedUs, traceId, spanId, print] = body as unknown[];
  if (
    typeof startedUs !== 'string' ||
    !MICROS.test(startedUs) ||
    BigInt(startedUs) < MIN_MICROS ||
    BigInt(startedUs) >= MAX_MICROS ||
    typeof traceId !== 'string' ||
    !TRACE.test(traceId) ||
    typeof spanId !== 'string' ||
    !SPAN.test(spanId)
  ) {
    throw badRequest(INVALID);
  }
  if (print !== fingerprint) {
    throw badRequest('cursor belongs to a listing with other filters; start again without cursor');
  }
  return { startedUs, traceId, spanId };
}
