import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticate } from './bearer-auth.js';
import { OtlpHttpError } from './http-error.js';
import type { ReceiverObserver } from './receiver-observer.js';

/** Seconds a client should wait when too many requests are in flight. */
const RETRY_AFTER_BUSY_S = 1;

/**
 * Default receivers.otlp.protocols.http.max_concurrent_requests_per_tenant: half the slots
 * (at least one), so one tenant's stalled or flooding requests leave the other half to the rest.
 */
export function defaultPerTenantLimit(maxConcurrentRequests: number): number {
  return Math.max(1, Math.floor(maxConcurrentRequests / 2));
}

export interface AdmissionOptions {
  authenticate?: Authenticate | undefined;
  maxConcurrentRequests: number;
  /** Slots one tenant may hold at once; applies only when tokens name the tenants. */
  maxConcurrentRequestsPerTenant: number;
  observer: ReceiverObserver;
}

/**
 * The onRequest hook that decides, before a byte of the body is read, whether a request gets in:
 * a valid bearer token when tokens are configured (401 otherwise), then a free in-flight slot
 * within the tenant's share and the total (429 + Retry-After otherwise). Unauthenticated
 * requests never take a slot. Without tokens the receiver listens on loopback only and knows no
 * tenants: every request counts against the total alone. Returns the hook and how to find the
 * tenant of an admitted request.
 */
export function createAdmission(options: AdmissionOptions) {
  const tenants = new WeakMap<FastifyRequest, string>();
  const perTenant = new Map<string, number>();
  let inFlight = 0;

  function release(tenant: string | undefined) {
    inFlight--;
    if (tenant !== undefined) {
      const held = (perTenant.get(tenant) ?? 1) - 1;
      if (held > 0) perTenant.set(tenant, held);
      else perTenant.delete(tenant);
    }
    options.observer.inFlight(inFlight);
  }

  async function admit(request: FastifyRequest, reply: FastifyReply) {
    let tenant: string | undefined;
    if (options.authenticate) {
      tenant = options.authenticate(request.headers.authorization);
      if (tenant === undefined) {
        reply.header('www-authenticate', 'Bearer');
        throw new OtlpHttpError(401, 'a valid "Authorization: Bearer <token>" header is required');
      }
      tenants.set(request, tenant);
      if ((perTenant.get(tenant) ?? 0) >= options.maxConcurrentRequestsPerTenant) {
        throw new OtlpHttpError(
          429,
          `this tenant has ${options.maxConcurrentRequestsPerTenant} requests in flight (receivers.otlp.protocols.http.max_concurrent_requests_per_tenant); retry later`,
          RETRY_AFTER_BUSY_S,
        );
      }
    }
    if (inFlight >= options.maxConcurrentRequests) {
      throw new OtlpHttpError(
        429,
        `more than ${options.maxConcurrentRequests} requests in flight (receivers.otlp.protocols.http.max_concurrent_requests); retry later`,
        RETRY_AFTER_BUSY_S,
      );
    }
    inFlight++;
    if (tenant !== undefined) perTenant.set(tenant, (perTenant.get(tenant) ?? 0) + 1);
    options.observer.inFlight(inFlight);
    // 'close' fires after the response is sent and also when the client goes away mid-request.
    reply.raw.once('close', () => release(tenant));
  }

  return { admit, tenantOf: (request: FastifyRequest) => tenants.get(request) };
}
