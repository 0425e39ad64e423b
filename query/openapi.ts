import { z } from 'zod';
import { auditExportParams, auditPageParams } from './audit-params.js';
import { AUDIT_COLUMNS } from './audit-sql.js';
import {
  mcpHealthParams,
  mcpServerPath,
  quotaParams,
  USAGE_DIMENSIONS,
  usageParams,
} from './report-params.js';
import { USAGE_MEASURES } from './usage-sql.js';

type JsonSchema = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType): JsonSchema => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
};

/** OpenAPI parameters from the same zod schemas that validate the requests. */
function parameters(schema: z.ZodObject, where: 'query' | 'path') {
  return Object.entries(schema.shape).map(([name, field]) => {
    const { description, ...fieldSchema } = jsonSchema(field as z.ZodType);
    return {
      name,
      in: where,
      required: where === 'path' || !(field as z.ZodType).safeParse(undefined).success,
      ...(description ? { description } : {}),
      schema: fieldSchema,
    };
  });
}

const nullable = (type: string, extra: JsonSchema = {}) => ({ type: [type, 'null'], ...extra });
const NUMERIC_COLUMNS = new Set([
  'duration_ms',
  'http_status',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'cost_usd',
]);

const auditRow = {
  type: 'object',
  description:
    'One audit_log row. Timestamps are RFC 3339 in UTC with microseconds; cost_usd is exact (numeric).',
  properties: Object.fromEntries(
    AUDIT_COLUMNS.map((c) => {
      if (NUMERIC_COLUMNS.has(c)) return [c, nullable('number')];
      if (c === 'billed') return [c, { type: 'boolean' }];
      if (c === 'attributes') return [c, { type: 'object' }];
      if (c === 'flags' || c === 'finish_reasons')
        return [c, nullable('array', { items: { type: 'string' } })];
      if (c.endsWith('_at')) return [c, nullable('string', { format: 'date-time' })];
      return [c, nullable('string')];
    }),
  ),
};

const measures = Object.fromEntries(USAGE_MEASURES.map((m) => [m, { type: 'number' }]));
const quotaCheck = {
  type: 'object',
  properties: {
    scope: { enum: ['user', 'tenant'] },
    unit: { enum: ['tokens', 'cost_usd'] },
    used: { type: 'number' },
    limit: { type: 'number' },
    remaining: { type: 'number' },
    exceeded: { type: 'boolean' },
  },
};
const healthRow = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    timestamp: { type: 'string', format: 'date-time' },
    status: nullable('string', { enum: ['healthy', 'degraded', 'unhealthy', 'timeout', null] }),
    response_time_ms: nullable('integer'),
    error_message: nullable('string'),
    event_type: { enum: ['health_check', 'startup', 'shutdown', 'status_change'] },
    meta_data: nullable('object'),
  },
};
const errorBody = {
  type: 'object',
  required: ['error', 'message'],
  properties: { error: { type: 'string' }, message: { type: 'string' } },
};

const json = (schema: JsonSchema, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const failures = {
  '400': json(errorBody, 'a parameter is invalid; the message names it'),
  '401': json(errorBody, 'missing or unknown bearer token'),
  '503': json(errorBody, 'Postgres unavailable or the query timed out'),
};

function get(summary: string, params: unknown[], ok: unknown, extra: Record<string, unknown> = {}) {
  return { get: { summary, parameters: params, responses: { '200': ok, ...failures, ...extra } } };
}

/** The OpenAPI 3.1 document served at /v1/openapi.json. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'spanledger query API',
      version: '1',
      description:
        'Audit rows, usage, quotas and MCP health. Every request needs Authorization: Bearer <token>; a tenant token sees its tenant only (Postgres row-level security), an admin token every tenant. Errors are {error, message}.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths: {
      '/v1/audit': get(
        'Audit rows, newest first, in keyset pages (pass next_cursor as cursor)',
        parameters(auditPageParams, 'query'),
        json(
          {
            type: 'object',
            properties: {
              rows: { type: 'array', items: auditRow },
              next_cursor: nullable('string'),
            },
          },
          'a page of rows; next_cursor is null on the last page',
        ),
      ),
      '/v1/audit/export': get(
        'Every matching audit row, oldest first, streamed (COPY) as CSV or JSONL',
        parameters(auditExportParams, 'query'),
        {
          description:
            'the rows: CSV with a header row, or one JSON object (as in /v1/audit) per line',
          content: { 'text/csv': {}, 'application/x-ndjson': { schema: auditRow } },
        },
        { '429': json(errorBody, 'too many exports streaming at once') },
      ),
      '/v1/usage': get(
        `Usage from the daily rollup, grouped by ${USAGE_DIMENSIONS.join(', ')}`,
        parameters(usageParams, 'query'),
        json(
          {
            type: 'object',
            properties: {
              group_by: { type: 'array', items: { type: 'string' } },
              rows: { type: 'array', items: { type: 'object', properties: measures } },
              totals: { type: 'object', properties: measures },
              truncated: { type: 'boolean' },
            },
          },
          'one row per group, ordered by the groups; unknown parts are null',
        ),
      ),
      '/v1/quota': get(
        'Usage against the configured limits for the current UTC day or month',
        parameters(quotaParams, 'query'),
        json(
          {
            type: 'object',
            properties: {
              tenant_id: { type: 'string' },
              user_id: nullable('string'),
              period: { enum: ['day', 'month'] },
              period_start: { type: 'string', format: 'date-time' },
              period_end: { type: 'string', format: 'date-time' },
              exceeded: { type: 'boolean' },
              scope: nullable('string'),
              unit: nullable('string'),
              used: nullable('number'),
              limit: nullable('number'),
              remaining: nullable('number'),
              checks: { type: 'array', items: quotaCheck },
              usage: { type: 'object' },
            },
          },
          'used/limit/remaining of the binding check, and every check',
        ),
        { '403': json(errorBody, "tenant_id names another tenant than the token's") },
      ),
      '/v1/mcp/servers': get(
        'MCP servers with their latest health check and last status change',
        [],
        json({ type: 'object', properties: { servers: { type: 'array' } } }, 'every server'),
      ),
      '/v1/mcp/servers/{id}/health': get(
        "A server's health history, newest first",
        [...parameters(mcpServerPath, 'path'), ...parameters(mcpHealthParams, 'query')],
        json(
          {
            type: 'object',
            properties: { server: { type: 'object' }, rows: { type: 'array', items: healthRow } },
          },
          'the history',
        ),
        { '404': json(errorBody, 'no server with this id') },
      ),
    },
  };
}
