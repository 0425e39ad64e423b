import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from '../shared/index.js';
import { auditRoutes } from './audit-routes.js';
import type { QueryAuthenticate } from './auth.js';
import { QueryApiError, queryErrorHandler } from './errors.js';
import { mcpRoutes } from './mcp-routes.js';
import { openApiDocument } from './openapi.js';
import type { Principal } from './principal.js';
import type { QueryService } from './query-service.js';
import { reportRoutes } from './report-routes.js';

export interface BuildQueryApiOptions {
  service: QueryService;
  authenticate: QueryAuthenticate;
  logger: Logger;
  /** Serve the /v1 API (default true); false serves only /healthz and what `mount` adds. */
  api?: boolean;
  /**
   * Adds another part's routes (the console) beside the API on the same app and port. They do
   * their own authentication: the bearer check guards /v1 only once something is mounted.
   */
  mount?: QueryApiMount;
}

/** What a mounted part gets: the app to add routes to, the service and the token lookup. */
export type QueryApiMount = (
  app: FastifyInstance,
  parts: { service: QueryService; authenticate: QueryAuthenticate },
) => void;

/** Paths served without a token: the API description and liveness. */
const PUBLIC_PATHS = new Set(['/v1/openapi.json', '/healthz']);

/**
 * Builds the query API's fastify app without listening (tests drive it on a loopback port).
 * Authentication runs before anything else, so an unauthenticated request learns nothing, not
 * even whether its parameters were valid.
 */
export function buildQueryApi(options: BuildQueryApiOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'query-api' }) as FastifyBaseLogger,
    // Never log query strings: they carry user ids and other filters.
    logController: new LogController({ disableRequestLogging: true }),
    // HEAD of an export would start a COPY only to throw its rows away.
    exposeHeadRoutes: false,
  });
  const principals = new WeakMap<FastifyRequest, Principal>();
  const api = options.api ?? true;
  // With a part mounted beside it, the API's own paths are /v1/...; the rest is that part's.
  const guarded = (path: string) =>
    api && !PUBLIC_PATHS.has(path) && (!options.mount || path.startsWith('/v1/'));

  app.setErrorHandler(queryErrorHandler);
  app.setNotFoundHandler((request) => {
    throw new QueryApiError(
      404,
      'not_found',
      `no route ${request.method} ${request.url.split('?')[0]}; see /v1/openapi.json`,
    );
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    if (!guarded(request.url.split('?')[0]!)) return;
    const principal = options.authenticate(request.headers.authorization);
    if (!principal) {
      throw new QueryApiError(
        401,
        'unauthorized',
        'missing or unknown bearer token: send Authorization: Bearer <token>',
      );
    }
    principals.set(request, principal);
  });
  // Exports in flight would hold app.close() open for as long as they stream.
  app.addHook('preClose', async () => options.service.abortExports());

  const context = {
    service: options.service,
    principal(request: FastifyRequest): Principal {
      const principal = principals.get(request);
      if (!principal) throw new QueryApiError(401, 'unauthorized', 'not authenticated');
      return principal;
    },
  };
  if (api) {
    auditRoutes(app, context);
    reportRoutes(app, context);
    mcpRoutes(app, context);
    const document = JSON.stringify(openApiDocument());
    app.get('/v1/openapi.json', async (_request, reply) =>
      reply.type('application/json; charset=utf-8').send(document),
    );
  }
  options.mount?.(app, { service: options.service, authenticate: options.authenticate });
  app.get('/healthz', async () => ({ status: 'ok' }));
  return app;
}
