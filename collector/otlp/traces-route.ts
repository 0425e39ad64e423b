import type { IncomingMessage } from 'node:http';
import { ExportResultCode } from '@opentelemetry/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PgSpanExporter } from '../../exporters/index.js';
import { createAdmission } from './admission.js';
import type { Authenticate } from './bearer-auth.js';
import { encodingOf, MEDIA_TYPES, unsupportedMediaType } from './content-type.js';
import { decodeTraceRequest } from './decode.js';
import { otlpErrorHandler } from './error-handler.js';
import { OtlpHttpError } from './http-error.js';
import type { OtlpEncoding } from './internal-types.js';
import { partialSuccessOf } from './partial-success.js';
import { type RequestBody, readBody } from './read-body.js';
import type { ReceiverObserver } from './receiver-observer.js';
import { exportResponse } from './responses.js';

/** Seconds a client should wait when Postgres is unreachable and the spool is full. */
const RETRY_AFTER_UNAVAILABLE_S = 10;

export interface TracesRouteOptions {
  exporter: Pick<PgSpanExporter, 'exportSpans'>;
  /** Body limit in bytes, on the wire and after decompression. */
  bodyLimit: number;
  /** Requests handled at once; more get 429. */
  maxConcurrentRequests: number;
  /** Requests one tenant may have in flight; more get 429 (only with tokens). */
  maxConcurrentRequestsPerTenant: number;
  /** How long a body may take to arrive; 408 after that. */
  readTimeoutMs: number;
  /** Bearer token check; undefined when no tokens are configured (loopback only). */
  authenticate?: Authenticate | undefined;
  /** Called with every body whose spans were accepted (the forwarders' queues). */
  onAccepted?: ((body: Buffer, encoding: OtlpEncoding, spans: number) => void) | undefined;
  observer?: ReceiverObserver | undefined;
}

const NOOP_OBSERVER: ReceiverObserver = {
  request() {},
  bytes() {},
  spansReceived() {},
  spansRejected() {},
  inFlight() {},
};

const EMPTY_BODY: RequestBody = { body: Buffer.alloc(0), wireBytes: 0 };

/**
 * POST /v1/traces, the OTLP/HTTP trace receiver: protobuf and JSON on one path, gzip accepted,
 * responses in the request's encoding, 200 only once the spans are durable. Registered in its
 * own fastify scope so its body parsers and error handler apply to this route only.
 */
export async function tracesRoute(app: FastifyInstance, options: TracesRouteOptions) {
  const observer = options.observer ?? NOOP_OBSERVER;
  const admission = createAdmission({ ...options, observer });

  app.removeAllContentTypeParsers();
  const parseBody = (request: FastifyRequest, payload: IncomingMessage) =>
    readBody(payload, {
      limit: options.bodyLimit,
      contentEncoding: request.headers['content-encoding'],
      timeoutMs: options.readTimeoutMs,
    });
  app.addContentTypeParser([MEDIA_TYPES.protobuf, MEDIA_TYPES.json], parseBody);
  app.addHook('onRequest', admission.admit);
  app.addHook('onResponse', async (_request, reply) =>
    observer.request(reply.statusCode, reply.elapsedTime),
  );
  app.setErrorHandler(otlpErrorHandler);

  /*
   * Decoding and handing the spans to the exporter happen in this synchronous function, not in
   * the async handler: V8 keeps a suspended async function's locals alive, so a `spans` local
   * there would hold every decoded span until the commit (hundreds of ms under load) and push
   * them into the old generation. Only the count and the pending write leave this function.
   */
  const decodeAndExport = (body: Buffer, encoding: OtlpEncoding, tenantId: string | undefined) => {
    const spans = decodeTraceRequest(body, encoding);
    const written =
      spans.length > 0 ? options.exporter.exportSpans(spans, { tenantId }) : undefined;
    return { received: spans.length, written };
  };

  app.post('/v1/traces', async (request, reply) => {
    const encoding = encodingOf(request.headers['content-type']);
    if (!encoding) throw unsupportedMediaType(request.headers['content-type']);
    const { body, wireBytes } = (request.body as RequestBody | undefined) ?? EMPTY_BODY;
    observer.bytes(wireBytes, body.length);
    const { received, written } = decodeAndExport(body, encoding, admission.tenantOf(request));
    observer.spansReceived(received);
    let partial: ReturnType<typeof partialSuccessOf>;
    if (written) {
      const outcome = await written;
      if (outcome.code !== ExportResultCode.SUCCESS) {
        // The reason (with paths and addresses) is in the collector's log, not in the answer.
        throw new OtlpHttpError(
          503,
          `spans not stored: the database is unavailable and they could not be spooled; retry in ${RETRY_AFTER_UNAVAILABLE_S} s`,
          RETRY_AFTER_UNAVAILABLE_S,
        );
      }
      observer.spansRejected(outcome.rejected.length);
      partial = partialSuccessOf(outcome);
      options.onAccepted?.(body, encoding, received);
    }
    const response = exportResponse(encoding, partial);
    return reply.code(200).type(response.contentType).send(response.payload);
  });
}
