import type { FastifyInstance } from 'fastify';
import {
  auditExportParams,
  auditPageParams,
  parseParams,
  QueryApiError,
  type QueryService,
} from '../../query/index.js';
import { type AuditRow, renderAudit } from '../pages/audit.js';
import { pickQuery, sendPage, type ViewerOf } from '../request.js';

/** Rows on one audit page. */
const AUDIT_PAGE_ROWS = 50;
/** Query fields the audit view passes on to the API's parameters. */
const AUDIT_QUERY_KEYS = [
  'from',
  'to',
  'tenant_id',
  'user_id',
  'session_id',
  'model',
  'provider',
  'tool_name',
  'trace_id',
  'event_type',
  'status',
  'cursor',
] as const;

/** GET /audit (filtered keyset pages) and GET /audit/export (the API's CSV or JSONL). */
const EXPORT_TYPES = { csv: 'text/csv; charset=utf-8', jsonl: 'application/x-ndjson' } as const;

export function auditRoutes(scope: FastifyInstance, service: QueryService, viewer: ViewerOf) {
  scope.get('/audit', async (request, reply) => {
    const { principal, open } = viewer(request);
    const query = pickQuery(request.query, AUDIT_QUERY_KEYS);
    const tenantFilter = principal.kind === 'admin';
    try {
      const { limit, cursor, ...filters } = parseParams(auditPageParams, {
        ...query,
        limit: String(AUDIT_PAGE_ROWS),
      });
      const body = await service.auditPage(principal, filters, { limit, cursor });
      const parsed = JSON.parse(body) as { rows: AuditRow[]; next_cursor: string | null };
      return sendPage(
        reply,
        200,
        'Audit',
        { principal, open },
        '/audit',
        renderAudit({
          query,
          rows: parsed.rows,
          nextCursor: parsed.next_cursor,
          tenantFilter,
        }),
      );
    } catch (err) {
      if (!(err instanceof QueryApiError) || err.statusCode !== 400) throw err;
      return sendPage(
        reply,
        400,
        'Audit',
        { principal, open },
        '/audit',
        renderAudit({
          query,
          rows: [],
          nextCursor: null,
          error: err.message,
          tenantFilter,
        }),
      );
    }
  });

  scope.get('/audit/export', async (request, reply) => {
    const query = pickQuery(request.query, [
      ...AUDIT_QUERY_KEYS.filter((k) => k !== 'cursor'),
      'format',
    ]);
    const { format, ...filters } = parseParams(auditExportParams, query);
    const stream = await service.exportAudit(viewer(request).principal, filters, format);
    return reply
      .type(EXPORT_TYPES[format])
      .header('content-disposition', `attachment; filename="audit.${format}"`)
      .send(stream);
  });
}
