import type { FastifyInstance } from 'fastify';
import { QueryApiError } from './errors.js';
import { parseParams } from './parse-params.js';
import { mcpHealthParams, mcpServerPath, noParams } from './report-params.js';
import type { RouteContext } from './route-context.js';

/** GET /v1/mcp/servers and GET /v1/mcp/servers/:id/health. */
export function mcpRoutes(app: FastifyInstance, { service, principal }: RouteContext) {
  app.get('/v1/mcp/servers', async (request, reply) => {
    parseParams(noParams, request.query);
    const body = await service.mcpServers(principal(request));
    return reply.type('application/json; charset=utf-8').send(body);
  });

  app.get('/v1/mcp/servers/:id/health', async (request, reply) => {
    const { id } = parseParams(mcpServerPath, request.params);
    const { limit } = parseParams(mcpHealthParams, request.query);
    const body = await service.mcpHealth(principal(request), id, limit);
    if (body === undefined) {
      throw new QueryApiError(404, 'not_found', `no MCP server with id ${id}`);
    }
    return reply.type('application/json; charset=utf-8').send(body);
  });
}
