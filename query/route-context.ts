import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal.js';
import type { QueryService } from './query-service.js';

/** What every route module needs: the queries, and who the request acts for. */
export interface RouteContext {
  service: QueryService;
  /** The authenticated principal (the onRequest hook has refused requests without one). */
  principal(request: FastifyRequest): Principal;
}
