import { z } from 'zod';
import { count, hexId, oneOf, text, timeBound } from './fields.js';

/** audit_log.event_type values. */
export const EVENT_TYPES = ['llm_call', 'tool_call', 'mcp_call', 'agent_call'] as const;

const filterShape = {
  from: timeBound('from', 'started_at at or after this date or timestamp').optional(),
  to: timeBound(
    'to',
    'started_at before this timestamp, or through the end of this date (UTC)',
  ).optional(),
  tenant_id: text(
    'only this tenant (an admin token sees every tenant; a tenant token only its own)',
  ).optional(),
  event_type: oneOf(EVENT_TYPES, 'kind of call').optional(),
  user_id: text('end user (enduser.id)').optional(),
  session_id: text('session').optional(),
  model: text('requested or responding model').optional(),
  provider: text('provider, such as openai or anthropic').optional(),
  tool_name: text('tool or MCP tool name').optional(),
  status: oneOf(['ok', 'error'], 'outcome').optional(),
  trace_id: hexId(16, 'W3C trace id (32 hex characters)').optional(),
};

function fromBeforeTo(
  params: { from?: { ms: number } | undefined; to?: { ms: number } | undefined },
  ctx: z.RefinementCtx,
) {
  if (params.from && params.to && params.from.ms > params.to.ms) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be later than to' });
  }
}

/** GET /v1/audit: filters, a page size and the cursor of the previous page. */
export const auditPageParams = z
  .strictObject({
    ...filterShape,
    limit: count(1000, 100, 'rows per page'),
    cursor: z
      .string({ error: 'must be given once' })
      .max(512, { error: 'is not a cursor returned by this API' })
      .optional()
      .meta({ description: 'next_cursor of the previous page' }),
  })
  .superRefine(fromBeforeTo);

/** GET /v1/audit/export: the same filters and a format. */
export const auditExportParams = z
  .strictObject({
    ...filterShape,
    format: oneOf(['csv', 'jsonl'], 'csv (with a header row) or jsonl (one JSON object per line)')
      .optional()
      .transform((v) => v ?? 'csv'),
  })
  .superRefine(fromBeforeTo);

/** The audit filters, as validated (the cursor, limit and format removed). */
export type AuditFilters = Omit<z.output<typeof auditPageParams>, 'limit' | 'cursor'>;
