import type { FastifyInstance } from 'fastify';
import { parseParams } from './parse-params.js';
import { quotaParams, usageParams } from './report-params.js';
import type { RouteContext } from './route-context.js';

/** GET /v1/usage (from usage_daily) and GET /v1/quota (the pre-call check). */
export function reportRoutes(app: FastifyInstance, { service, principal }: RouteContext) {
  app.get('/v1/usage', async (request) =>
    service.usage(principal(request), parseParams(usageParams, request.query)),
  );

  app.get('/v1/quota', async (request) =>
    service.quota(principal(request), parseParams(quotaParams, request.query)),
  );
}
