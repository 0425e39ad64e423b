import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ConnectionLostError, describeDatabaseError } from '../shared/database/index.js';

/** The `error` codes the API answers with, beside a human-readable `message`. */
export type QueryErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'too_many_requests'
  | 'unavailable'
  | 'internal';

/** A request the API refuses: the HTTP status, a stable code and a message naming the problem. */
export class QueryApiError extends Error {
  override name = 'QueryApiError';
  constructor(
    readonly statusCode: number,
    readonly code: QueryErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** 400 with a message that names the parameter. */
export const badRequest = (message: string) => new QueryApiError(400, 'bad_request', message);

// Postgres errors that mean "try again later" rather than "the API is broken".
const UNAVAILABLE_SQLSTATES = new Set([
  '57014',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08006',
  '08001',
  '08003',
  '08004',
]);
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// pg's own words for a connection that died or never came, when the error carries no code.
const CONNECTION_GONE =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|connection timeout/i;

function classify(error: FastifyError): QueryApiError {
  if (error instanceof QueryApiError) return error;
  const status = error.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // fastify's own refusals (malformed URL, body on GET, ...).
    return new QueryApiError(status, status === 404 ? 'not_found' : 'bad_request', error.message);
  }
  const sqlstate = (error as { code?: unknown }).code;
  if (typeof sqlstate === 'string' && UNAVAILABLE_SQLSTATES.has(sqlstate)) {
    return new QueryApiError(
      503,
      'unavailable',
      sqlstate === '57014'
        ? 'the query took longer than extensions.query_api.query_timeout; narrow it with from/to or filters'
        : 'Postgres is unavailable; retry later',
    );
  }
  if (
    error instanceof ConnectionLostError ||
    (typeof sqlstate === 'string' && UNAVAILABLE_ERRNO.has(sqlstate)) ||
    CONNECTION_GONE.test(error.message)
  ) {
    return new QueryApiError(503, 'unavailable', 'Postgres is unavailable; retry later');
  }
  return new QueryApiError(500, 'internal', 'internal error');
}

/**
 * Every failure as `{ error, message }` JSON. Database errors never reach the client verbatim:
 * bad input is refused before any SQL runs, so anything else is logged and answered 5xx.
 */
export function queryErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const refused = classify(error);
  if (refused.statusCode === 503) {
    request.log.warn(
      { reason: describeDatabaseError(error) },
      'query API request: database unavailable',
    );
  } else if (refused.statusCode >= 500) {
    request.log.error({ err: error }, 'query API request failed');
  }
  if (refused.statusCode === 401) reply.header('www-authenticate', 'Bearer');
  if (refused.statusCode === 429 || refused.statusCode === 503) reply.header('retry-after', '1');
  return reply
    .code(refused.statusCode)
    .type('application/json; charset=utf-8')
    .send({ error: refused.code, message: refused.message });
}
