import { z } from 'zod';
import { duration, hostPort, intBetween } from '../shared/index.js';

const TOKEN_MESSAGE = 'must be at least 16 characters';

// A token from an unset ${env:VAR} arrives as null: the same message says what is wanted.
const token = z.string({ error: TOKEN_MESSAGE }).min(16, { error: TOKEN_MESSAGE });

const tenantToken = z.strictObject({
  token,
  tenant: z.string({ error: 'must name a tenant' }).min(1, { error: 'must name a tenant' }),
});

const positiveNumber = z
  .number({ error: 'must be a number greater than 0' })
  .positive({ error: 'must be a number greater than 0' });

/**
 * One quota rule. `tenant` is a tenant or "*" (every tenant without a rule of its own); `user`
 * omitted limits the tenant as a whole, "*" limits each user separately, a user id limits that
 * user. Tokens are input + output tokens (input includes cached input); cost_usd counts priced
 * calls only.
 */
const quotaRule = z
  .strictObject({
    tenant: z.string({ error: 'must name a tenant or be "*"' }).min(1, {
      error: 'must name a tenant or be "*"',
    }),
    user: z.string({ error: 'must name a user or be "*"' }).min(1).optional(),
    period: z.enum(['day', 'month'], { error: 'must be day or month' }),
    tokens: z
      .number({ error: 'must be a whole number of tokens greater than 0' })
      .int({ error: 'must be a whole number of tokens greater than 0' })
      .positive({ error: 'must be a whole number of tokens greater than 0' })
      .optional(),
    cost_usd: positiveNumber.optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.tokens === undefined && rule.cost_usd === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'must set tokens, cost_usd or both' });
    }
    if (rule.tenant === '*' && rule.user !== undefined && rule.user !== '*') {
      ctx.addIssue({
        code: 'custom',
        path: ['user'],
        message: 'must be "*" or omitted when tenant is "*" (user ids belong to one tenant)',
      });
    }
  });

const auth = z
  .strictObject({
    /** Each token reads one tenant's rows. */
    tokens: z.array(tenantToken).default([]),
    /** Each admin token reads every tenant's rows. */
    admin_tokens: z.array(token).default([]),
  })
  .prefault({});

/** `extensions.query_api` in otel-config.yaml: the compliance and usage query API. */
export const queryApiSchema = z
  .strictObject({
    enabled: z.boolean({ error: 'must be true or false' }).default(false),
    endpoint: hostPort.default('127.0.0.1:4319'),
    auth,
    quotas: z.array(quotaRule).default([]),
    /** Connections of the API's own pool (exports hold one each while they stream). */
    max_connections: intBetween(1, 100, 4),
    /** Exports streaming at once; more are answered 429 so pages and quota checks keep a connection. */
    max_concurrent_exports: intBetween(1, 100, 2),
    /** statement_timeout for pages, usage, quota and MCP queries (exports have none). */
    query_timeout: duration('30s'),
  })
  .superRefine((api, ctx) => {
    if (api.enabled && api.auth.tokens.length === 0 && api.auth.admin_tokens.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth'],
        message:
          'must configure at least one of tokens or admin_tokens: every query API request needs a bearer token',
      });
    }
    const seen = new Set<string>();
    const all = [
      ...api.auth.tokens.map((t, i) => ({ value: t.token, path: ['auth', 'tokens', i, 'token'] })),
      ...api.auth.admin_tokens.map((t, i) => ({ value: t, path: ['auth', 'admin_tokens', i] })),
    ];
    for (const { value, path } of all) {
      if (seen.has(value)) {
        ctx.addIssue({ code: 'custom', path, message: 'repeats a token configured above' });
      }
      seen.add(value);
    }
    const rules = new Set<string>();
    api.quotas.forEach((rule, i) => {
      const key = `${rule.tenant}\u0000${rule.user ?? ''}\u0000${rule.period}`;
      if (rules.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['quotas', i],
          message: `repeats the rule for tenant "${rule.tenant}", ${rule.user === undefined ? 'the whole tenant' : `user "${rule.user}"`}, period ${rule.period}; put tokens and cost_usd in one rule`,
        });
      }
      rules.add(key);
    });
  });

/** The validated `extensions.query_api` (query_timeout in milliseconds). */
export type QueryApiConfig = z.output<typeof queryApiSchema>;
/** One validated quota rule. */
export type QuotaRule = QueryApiConfig['quotas'][number];
