import { z } from 'zod';
import { count, dateBound, oneOf, text } from './fields.js';

/** Ways GET /v1/usage can group usage_daily rows. */
export const USAGE_DIMENSIONS = ['day', 'month', 'tenant', 'user', 'provider', 'model'] as const;
export type UsageDimension = (typeof USAGE_DIMENSIONS)[number];

const groupBy = z
  .string({ error: 'must be given once' })
  .optional()
  .transform((value, ctx) => {
    const parts = (value ?? 'day').split(',').map((p) => p.trim());
    const bad = parts.filter((p) => !(USAGE_DIMENSIONS as readonly string[]).includes(p));
    if (bad.length > 0 || new Set(parts).size !== parts.length) {
      ctx.addIssue({
        code: 'custom',
        message: `must be one or more of ${USAGE_DIMENSIONS.join(', ')}, comma-separated, each once`,
      });
      return z.NEVER;
    }
    return parts as UsageDimension[];
  })
  .meta({
    description: `comma-separated: ${USAGE_DIMENSIONS.join(', ')} (default day)`,
  });

/** GET /v1/usage: usage_daily grouped by some dimensions over a range of UTC days. */
export const usageParams = z
  .strictObject({
    group_by: groupBy,
    from: dateBound('from', 'first day (UTC), inclusive').optional(),
    to: dateBound('to', 'last day (UTC), inclusive').optional(),
    tenant_id: text('only this tenant').optional(),
    user_id: text('only this user').optional(),
    provider: text('only this provider').optional(),
    model: text('only this model').optional(),
    limit: count(10_000, 1_000, 'most groups returned'),
  })
  .superRefine((params, ctx) => {
    if (params.from && params.to && params.from.ms >= params.to.ms) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be later than to' });
    }
  });

export type UsageParams = z.output<typeof usageParams>;

/** GET /v1/quota: the check a service makes before an LLM call. */
export const quotaParams = z.strictObject({
  user_id: text('the user about to make a call; omit to check the tenant as a whole').optional(),
  period: oneOf(['day', 'month'], 'the current UTC day or month')
    .optional()
    .transform((v) => v ?? 'day'),
  tenant_id: text('required with an admin token; a tenant token checks its own tenant').optional(),
});

export type QuotaParams = z.output<typeof quotaParams>;

/** GET /v1/mcp/servers/:id/health path parameter. */
export const mcpServerPath = z.strictObject({
  id: z
    .string()
    .regex(/^[1-9]\d{0,8}$/, { error: 'must be a server id (a positive integer)' })
    .transform(Number)
    .meta({ description: 'mcp_servers.id' }),
});

/** GET /v1/mcp/servers/:id/health query parameters. */
export const mcpHealthParams = z.strictObject({
  limit: count(1000, 100, 'most recent rows'),
});

/** Routes that take no query parameters still refuse unknown ones (a typo is not ignored). */
export const noParams = z.strictObject({});
