import type { ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import { OtlpHttpError } from './http-error.js';
import { statusResponse } from './responses.js';

/** How long a connection may take over each part of a request (otel-config.yaml durations). */
export interface ReceiverTimeouts {
  /** The request line and headers (read_header_timeout); a silent connection counts too. */
  headerTimeoutMs: number;
  /** The body, once the request is admitted (read_timeout, enforced in read-body.ts). */
  readTimeoutMs: number;
  /** A keep-alive connection between requests (idle_timeout). */
  idleTimeoutMs: number;
}

/** Options for Fastify() that bound how long a connection may hold the receiver. */
export interface ReceiverServerOptions {
  http: ServerOptions;
  requestTimeout: number;
  keepAliveTimeout: number;
  clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => void;
}

/** Node's requestTimeout backstops read-body's own deadline by this much. */
const BACKSTOP_MARGIN_MS = 1_000;

/** How often Node checks header and request deadlines (its default, 30 s, would blur them). */
function checkInterval(t: ReceiverTimeouts): number {
  return Math.min(
    1_000,
    Math.max(100, Math.floor(Math.min(t.headerTimeoutMs, t.readTimeoutMs) / 4)),
  );
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

function failureOf(error: Error & { code?: string }): OtlpHttpError {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new OtlpHttpError(
      408,
      'the request did not arrive in time (receivers.otlp.protocols.http.read_header_timeout, read_timeout)',
    );
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return new OtlpHttpError(431, 'the request headers are too large');
  }
  return new OtlpHttpError(400, 'the request is not valid HTTP/1.1');
}

/**
 * Answers what Node refuses before a request reaches fastify (headers too slow or too large,
 * broken HTTP) with a google.rpc.Status body like every other receiver failure, then closes.
 */
function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const failure = failureOf(error);
  const body = statusResponse('json', failure.grpcCode, failure.message);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${failure.statusCode} ${REASONS[failure.statusCode]}\r\n` +
        `Content-Type: ${body.contentType}\r\nContent-Length: ${Buffer.byteLength(body.payload)}\r\n` +
        `Connection: close\r\n\r\n${body.payload}`,
    );
  }
  socket.destroy();
}

/**
 * The receiver's server options: Node's headersTimeout bounds the headers (and a connection
 * that sends nothing), read-body.ts bounds the body with a 408 in the request's encoding and
 * Node's requestTimeout backstops it, keepAliveTimeout bounds idle connections. No socket
 * inactivity timeout (fastify's connectionTimeout): a request waiting for Postgres to commit is
 * silent on the wire and must not be cut.
 */
export function receiverServerOptions(t: ReceiverTimeouts): ReceiverServerOptions {
  const requestTimeout = t.headerTimeoutMs + t.readTimeoutMs + BACKSTOP_MARGIN_MS;
  return {
    http: {
      headersTimeout: t.headerTimeoutMs,
      requestTimeout,
      connectionsCheckingInterval: checkInterval(t),
    },
    requestTimeout,
    keepAliveTimeout: t.idleTimeoutMs,
    clientErrorHandler,
  };
}
