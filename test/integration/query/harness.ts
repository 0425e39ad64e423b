import type { Attributes } from '@opentelemetry/api';
import type pg from 'pg';
import { type QueryApiServer, queryApiSchema, startQueryApi } from '../../../query/index.js';
import { createLogger } from '../../../shared/index.js';
import { createTestExporter, ExportResultCode, exportVia } from '../../helpers/exporter.js';
import { createTestTracer } from '../../helpers/spans.js';

/** Tokens the query tests configure: one per tenant and one admin. */
export const TOKENS = {
  acme: 'acme-query-token-0123456789',
  globex: 'globex-query-token-0123456789',
  initech: 'initech-query-token-0123456789',
  admin: 'admin-query-token-0123456789',
} as const;

/** A query API on a loopback port against `databaseUrl`, with TOKENS and these extras. */
export async function startTestQueryApi(
  databaseUrl: string,
  extra: Record<string, unknown> = {},
  now?: () => Date,
): Promise<QueryApiServer> {
  const config = queryApiSchema.parse({
    enabled: true,
    auth: {
      tokens: (['acme', 'globex', 'initech'] as const).map((tenant) => ({
        token: TOKENS[tenant],
        tenant,
      })),
      admin_tokens: [TOKENS.admin],
    },
    ...extra,
  });
  return startQueryApi({
    config,
    databaseUrl,
    host: '127.0.0.1',
    port: 0,
    logger: createLogger('silent'),
    ...(now ? { now } : {}),
  });
}

/** A parsed JSON body: the tests' assertions check its shape, not the type system. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by assertions
export type Body = any;

/** One HTTP exchange with the API: status, headers and the body parsed when it is JSON. */
export interface Reply<T = Body> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

/** GET `path` with `token` (none: no Authorization header). */
export async function get<T = Body>(
  api: { url: string },
  path: string,
  token?: string,
): Promise<Reply<T>> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const response = await fetch(`${api.url}${path}`, { headers });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json: json as T };
}

/** A query string from defined values. */
export function qs(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, String(v));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** A GenAI span to write through the real exporter. */
export interface SeedSpan {
  name?: string;
  attributes: Attributes;
  startMs: number;
  error?: string;
}

/** Writes spans through PgSpanExporter (so usage_daily is the exporter's own rollup). */
export async function seedSpans(databaseUrl: string, spans: SeedSpan[]) {
  const tracer = createTestTracer();
  const readable = spans.map(
    (s) =>
      tracer.span(s.name ?? 'span', s.attributes, {
        startMs: s.startMs,
        durationMs: 250,
        ...(s.error ? { error: s.error } : {}),
      }).readable,
  );
  const { exporter, cleanup } = await createTestExporter(databaseUrl);
  try {
    const code = await exportVia(exporter, readable);
    if (code !== ExportResultCode.SUCCESS) throw new Error('seed export failed');
  } finally {
    await cleanup();
  }
  return readable.map((s) => s.spanContext());
}

/** Attributes of a chat call with known usage. */
export function chat(
  tenant: string,
  user: string,
  extra: Attributes & { model?: string; provider?: string; input?: number; output?: number } = {},
): Attributes {
  const { model = 'gpt-4o-mini', provider = 'openai', input = 100, output = 20, ...rest } = extra;
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': provider,
    'gen_ai.request.model': model,
    'gen_ai.response.model': model,
    'gen_ai.response.id': `resp-${Math.random().toString(36).slice(2)}`,
    'gen_ai.usage.input_tokens': input,
    'gen_ai.usage.output_tokens': output,
    'spanledger.tenant_id': tenant,
    'enduser.id': user,
    ...rest,
  };
}

/** Attributes of a tool call. */
export function toolCall(tenant: string, user: string, tool: string): Attributes {
  return {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': tool,
    'spanledger.tenant_id': tenant,
    'enduser.id': user,
  };
}

/**
 * Inserts `count` audit rows for `tenant` as the table owner (fast, for volume): started_at
 * steps by one second every `perSecond` rows, so many rows share a timestamp and pages must
 * break ties on (trace_id, span_id).
 */
export async function bulkAuditRows(
  pool: pg.Pool,
  options: {
    tenant: string;
    count: number;
    start: string;
    perSecond?: number;
    salt?: string;
    /** Characters of input_content per row (wide rows for streaming tests). */
    contentChars?: number;
  },
) {
  await pool.query(
    `INSERT INTO spanledger.audit_log
       (trace_id, span_id, started_at, tenant_id, user_id, session_id, event_type, status,
        provider, request_model, response_model, input_tokens, output_tokens, cost_usd,
        input_content)
     SELECT md5($5 || 't' || i), left(md5($5 || 's' || i), 16),
            $2::timestamptz + (i / $4) * interval '1 second', $1, 'user-' || (i % 5),
            'session-' || (i % 3), CASE WHEN i % 4 = 0 THEN 'tool_call' ELSE 'llm_call' END,
            CASE WHEN i % 10 = 0 THEN 'error' ELSE 'ok' END, 'openai', 'gpt-4o', 'gpt-4o',
            100 + i, 10 + i, 0.0001234567, nullif(repeat('x', $6), '')
     FROM generate_series(1, $3::int) AS i`,
    [
      options.tenant,
      options.start,
      options.count,
      options.perSecond ?? 7,
      options.salt ?? options.tenant,
      options.contentChars ?? 0,
    ],
  );
}
