import type { FastifyInstance } from 'fastify';
import { QueryApiError, type QueryService } from '../../query/index.js';
import { type LedgerVerifyResult, renderLedger } from '../pages/ledger.js';
import { renderMcp } from '../pages/mcp.js';
import { renderTrace } from '../pages/trace.js';
import type { TraceSpan } from '../pages/trace-tree.js';
import { sendPage, type ViewerOf } from '../request.js';

/** Spans one trace view shows. */
const TRACE_SPANS = 1000;

/** GET /traces/:traceId: one trace's GenAI spans as a tree, linked to the trace UI. */
export function traceRoute(
  scope: FastifyInstance,
  service: QueryService,
  viewer: ViewerOf,
  traceUrl: string | undefined,
) {
  scope.get('/traces/:traceId', async (request, reply) => {
    const { traceId } = request.params as { traceId: string };
    if (!/^[0-9a-fA-F]{32}$/.test(traceId)) {
      throw new QueryApiError(404, 'not_found', 'a trace id is 32 hex characters');
    }
    const id = traceId.toLowerCase();
    const body = await service.auditPage(
      viewer(request).principal,
      { trace_id: id },
      { limit: TRACE_SPANS },
    );
    const parsed = JSON.parse(body) as { rows: TraceSpan[]; next_cursor: string | null };
    return sendPage(
      reply,
      200,
      'Trace',
      viewer(request),
      '/audit',
      renderTrace({
        traceId: id,
        spans: parsed.rows,
        truncated: parsed.next_cursor !== null,
        traceUrl,
      }),
    );
  });
}

/** GET /mcp: each MCP server's status, uptime, response times and status changes. */
export function mcpRoute(scope: FastifyInstance, service: QueryService, viewer: ViewerOf) {
  scope.get('/mcp', async (request, reply) => {
    const data = await service.mcpOverview(viewer(request).principal, 50);
    return sendPage(
      reply,
      200,
      'MCP health',
      viewer(request),
      '/mcp',
      renderMcp({
        servers: JSON.parse(data.servers),
        uptime: JSON.parse(data.uptime),
        responseTimes: JSON.parse(data.responseTimes),
        statusChanges: JSON.parse(data.statusChanges),
      }),
    );
  });
}

/**
 * GET /ledger (chain heads, last checkpoint, last verify) and, with a verifier, POST
 * /ledger/verify (admin only) which runs it and remembers the result for the page.
 */
export function ledgerRoutes(
  scope: FastifyInstance,
  service: QueryService,
  viewer: ViewerOf,
  parts: { verify: (() => Promise<Omit<LedgerVerifyResult, 'at'>>) | undefined; now: () => Date },
) {
  let lastVerify: LedgerVerifyResult | undefined;
  scope.get('/ledger', async (request, reply) => {
    const { principal } = viewer(request);
    const state = principal.kind === 'admin' ? await service.ledgerState(principal) : undefined;
    return sendPage(
      reply,
      200,
      'Ledger',
      viewer(request),
      '/ledger',
      renderLedger({
        heads: state ? JSON.parse(state.heads) : undefined,
        checkpoint: state ? JSON.parse(state.checkpoint) : null,
        lastVerify,
        canVerify: Boolean(parts.verify) && principal.kind === 'admin',
      }),
    );
  });

  scope.post('/ledger/verify', async (request, reply) => {
    if (viewer(request).principal.kind !== 'admin' || !parts.verify) {
      throw new QueryApiError(403, 'forbidden', 'verifying the ledger needs an admin token');
    }
    lastVerify = { at: parts.now().toISOString(), ...(await parts.verify()) };
    return reply.redirect('/ledger', 303);
  });
}
