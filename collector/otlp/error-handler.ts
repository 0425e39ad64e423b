import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { encodingOf, unsupportedMediaType } from './content-type.js';
import { OtlpDecodeError } from './decode-error.js';
import { OtlpHttpError } from './http-error.js';
import { statusResponse } from './responses.js';

/** google.rpc.Code INTERNAL, for the (never expected) 5xx. */
const GRPC_INTERNAL = 13;
/** google.rpc.Code INVALID_ARGUMENT, for fastify's own 4xx body errors. */
const GRPC_INVALID_ARGUMENT = 3;

function statusOfError(error: Error): number {
  if (error instanceof OtlpHttpError) return error.statusCode;
  if (error instanceof OtlpDecodeError) return 400;
  const code = (error as FastifyError).statusCode;
  // Fastify's own body errors (bad Content-Length, unknown media type) carry a 4xx.
  return typeof code === 'number' && code >= 400 && code < 500 ? code : 500;
}

/**
 * Every failure of the OTLP route as OTLP/HTTP wants it: the right status, a google.rpc.Status
 * body in the request's encoding (JSON when the type was not one we speak), Retry-After when
 * the client should come back. Bad input is a 4xx; only a bug here can make a 500.
 */
export function otlpErrorHandler(
  fastifyError: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  // Fastify refuses a body of a type no parser speaks before the route runs; say what we speak.
  const error =
    fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
      ? unsupportedMediaType(request.headers['content-type'])
      : fastifyError;
  const status = statusOfError(error);
  const encoding = encodingOf(request.headers['content-type']) ?? 'json';
  const expected = error instanceof OtlpHttpError;
  if (status >= 500 && !expected) {
    request.log.error({ err: error }, 'OTLP request failed unexpectedly');
  } else {
    request.log.debug({ status, reason: error.message }, 'OTLP request refused');
  }
  if (error instanceof OtlpHttpError && error.retryAfterSeconds !== undefined) {
    reply.header('retry-after', String(error.retryAfterSeconds));
  }
  if (error instanceof OtlpHttpError && error.closeConnection) reply.header('connection', 'close');
  // Internal details of a bug stay in the log; the client learns only that it may retry. Our
  // own refusals (503 UNAVAILABLE included) carry their code and a message meant for senders.
  const message =
    expected || status < 500 ? error.message : 'internal error; the request may be retried';
  const grpcCode = expected
    ? (error as OtlpHttpError).grpcCode
    : status >= 500
      ? GRPC_INTERNAL
      : GRPC_INVALID_ARGUMENT;
  const body = statusResponse(encoding, grpcCode, message);
  return reply.code(status).type(body.contentType).send(body.payload);
}
