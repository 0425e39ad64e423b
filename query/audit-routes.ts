import type { FastifyInstance } from 'fastify';
import { auditExportParams, auditPageParams } from './audit-params.js';
import { parseParams } from './parse-params.js';
import type { RouteContext } from './route-context.js';

const EXPORT_TYPES = { csv: 'text/csv; charset=utf-8', jsonl: 'application/x-ndjson' } as const;

/** GET /v1/audit (keyset pages) and GET /v1/audit/export (COPY, streamed). */
export function auditRoutes(app: FastifyInstance, { service, principal }: RouteContext) {
  app.get('/v1/audit', async (request, reply) => {
    const { limit, cursor, ...filters } = parseParams(auditPageParams, request.query);
    const body = await service.auditPage(principal(request), filters, { limit, cursor });
    return reply.type('application/json; charset=utf-8').send(body);
  });

  app.get('/v1/audit/export', async (request, reply) => {
    const { format, ...filters } = parseParams(auditExportParams, request.query);
    const stream = await service.exportAudit(principal(request), filters, format);
    return reply
      .type(EXPORT_TYPES[format])
      .header('content-disposition', `attachment; filename="audit.${format}"`)
      .send(stream);
  });
}
