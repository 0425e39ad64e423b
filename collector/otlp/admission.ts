import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticate } from './bearer-auth.js';
import { OtlpHttpError } from './http-error.js';
import type { ReceiverObserver } from './receiver-observer.js';

/** Seconds a client should wait when too many requests are in flight. */
const RETRY_AFTER_BUSY_S = 1;

export interface AdmissionOptions {
  authenticate?: Authenticate | undefined;
  maxConcurrentRequests: number;
  observer: ReceiverObserver;
}

/**
 * The onRequest hook that decides, before a byte of the body is read, whether a request gets in:
 * a valid bearer token when tokens are configured (401 otherwise), then a free in-flight slot
 * (429 + Retry-After otherwise). Unauthenticated requests never take a slot. Returns the hook
 * and how to find the tenant of an admitted request.
 */
export function createAdmission(options: AdmissionOptions) {
  const tenants = new WeakMap<FastifyRequest, string>();
  let inFlight = 0;

  async function admit(request: FastifyRequest, reply: FastifyReply) {
    if (options.authenticate) {
      const tenant = options.authenticate(request.headers.authorization);
      if (tenant === undefined) {
        reply.header('www-authenticate', 'Bearer');
        throw new OtlpHttpError(401, 'a valid "Authorization: Bearer <token>" header is required');
      }
      tenants.set(request, tenant);
    }
    if (inFlight >= options.maxConcurrentRequests) {
      throw new OtlpHttpError(
        429,
        `more than ${options.maxConcurrentRequests} requests in flight (receivers.otlp.protocols.http.max_concurrent_requests); retry later`,
        RETRY_AFTER_BUSY_S,
      );
    }
    inFlight++;
    options.observer.inFlight(inFlight);
    // 'close' fires after the response is sent and also when the client goes away mid-request.
    reply.raw.once('close', () => {
      inFlight--;
      options.observer.inFlight(inFlight);
    });
  }

  return { admit, tenantOf: (request: FastifyRequest) => tenants.get(request) };
}
