import type { Attributes, Span } from '@opentelemetry/api';
import type pg from 'pg';
import { createTestExporter, ExportResultCode, exportVia } from './exporter.js';
import { chatAttributes, createTestTracer } from './spans.js';

export const TENANTS = ['acme', 'globex', 'initech'] as const;

const MODELS = [
  { provider: 'openai', model: 'gpt-4o-mini' },
  { provider: 'anthropic', model: 'claude-sonnet-4-5' },
  { provider: 'openai', model: 'gpt-4.1' },
  // No price-book entry: the call is billed with cost_usd NULL (unpriced).
  { provider: 'vllm', model: 'local-llama-70b' },
] as const;

const HOUR = 3_600_000;

/**
 * One agent request as an instrumented service emits it: an agent span, a model call (varied:
 * provider, model, cache and reasoning tokens, errors with HTTP status, finish reasons, aborted
 * streams), a tool call and sometimes an MCP call, with failures at fixed rates.
 */
function request(tracer: ReturnType<typeof createTestTracer>, i: number, startMs: number) {
  const tenant = TENANTS[i % TENANTS.length]!;
  const identity = { 'spanledger.tenant_id': tenant, 'enduser.id': `user-${i % 4}` };
  const { provider, model } = MODELS[i % MODELS.length]!;
  const agent: Span = tracer.open(
    'invoke_agent weather',
    { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'weather', ...identity },
    startMs,
  );
  const failed = i % 7 === 3 ? 429 : i % 11 === 5 ? 500 : undefined;
  const aborted = !failed && i % 13 === 6;
  const chat: Attributes = chatAttributes({
    ...identity,
    'gen_ai.provider.name': provider,
    'gen_ai.request.model': model,
    'gen_ai.response.model': model,
    'gen_ai.usage.input_tokens': 400 + (i % 50) * 10,
    'gen_ai.usage.output_tokens': 60 + (i % 30),
    'gen_ai.response.finish_reasons': [['stop', 'length', 'tool_calls'][i % 3]!],
    ...(i % 2 === 0 ? { 'gen_ai.usage.cache_read.input_tokens': 200 } : {}),
    ...(model === 'gpt-4.1' ? { 'gen_ai.usage.reasoning.output_tokens': 30 } : {}),
    ...(failed
      ? {
          'error.type': failed === 429 ? 'RateLimitError' : 'InternalServerError',
          'http.response.status_code': failed,
        }
      : { 'http.response.status_code': 200 }),
    ...(aborted ? { 'spanledger.termination_reason': 'aborted' } : {}),
  });
  tracer.span(`chat ${model}`, chat, {
    parent: agent,
    startMs: startMs + 5,
    durationMs: 300 + ((i * 37) % 2_000),
    ...(failed ? { error: `HTTP ${failed}` } : {}),
  });
  const toolFails = i % 5 === 2;
  tracer.span(
    'execute_tool get_weather',
    {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'get_weather',
      ...identity,
      ...(toolFails ? { 'error.type': 'ToolTimeoutError' } : {}),
    },
    {
      parent: agent,
      startMs: startMs + 2_400,
      durationMs: 40 + (i % 9) * 15,
      ...(toolFails ? { error: 'weather API timed out' } : {}),
    },
  );
  if (i % 3 === 0) {
    const mcpFails = i % 6 === 3;
    tracer.span(
      'tools/call forecast',
      {
        'mcp.method.name': 'tools/call',
        'server.address': 'weather-mcp',
        'gen_ai.tool.name': 'forecast',
        ...identity,
        ...(mcpFails ? { 'error.type': 'McpError' } : {}),
      },
      {
        parent: agent,
        startMs: startMs + 2_500,
        durationMs: 80,
        ...(mcpFails ? { error: 'MCP error -32603: upstream unavailable' } : {}),
      },
    );
  }
  agent.end(startMs + 3_000);
}

/**
 * Writes a week of realistic agent traffic through the real PgSpanExporter (dense over the last
 * six hours, sparse before) and a week of MCP health probes. Returns the clock it used.
 */
export async function seedObservabilityData(url: string, pool: pg.Pool): Promise<{ now: number }> {
  const now = Date.now();
  const tracer = createTestTracer({ 'service.name': 'weather-agent', 'service.version': '1.4.2' });
  let i = 0;
  for (let t = now - 6 * HOUR; t < now - 60_000; t += 10 * 60_000) request(tracer, i++, t);
  for (let t = now - 7 * 24 * HOUR; t < now - 6 * HOUR; t += 1.5 * HOUR) request(tracer, i++, t);
  const { exporter, cleanup } = await createTestExporter(url);
  try {
    const code = await exportVia(exporter, tracer.finished());
    if (code !== ExportResultCode.SUCCESS) throw new Error('seeding spans failed');
  } finally {
    await cleanup();
  }
  await seedMcpHealth(pool, now);
  return { now };
}

/**
 * Probes every 10 minutes for a week, shaped like the prober's rows: weather-mcp healthy with
 * some degraded spells, search-mcp down for the last 20 minutes (timeouts), a disabled server.
 */
async function seedMcpHealth(pool: pg.Pool, now: number) {
  await pool.query(
    `INSERT INTO spanledger.mcp_servers (name, transport, url, enabled) VALUES
       ('weather-mcp', 'streamable_http', 'http://weather:8080/mcp', true),
       ('search-mcp', 'streamable_http', 'https://search.example/mcp', true),
       ('legacy-files', 'sse', 'http://files:8080/sse', false)`,
  );
  await pool.query(
    `WITH probes AS (
       SELECT s.id, s.name, to_timestamp($1 / 1000.0) - make_interval(mins => 10 * n) AS at, n
       FROM spanledger.mcp_servers s, generate_series(0, 7 * 24 * 6) AS n
       WHERE s.enabled
     ), statuses AS (
       SELECT id, at, n,
         CASE
           WHEN name = 'search-mcp' AND n < 2 THEN 'timeout'
           WHEN name = 'search-mcp' AND n BETWEEN 300 AND 305 THEN 'unhealthy'
           WHEN name = 'weather-mcp' AND n % 97 BETWEEN 1 AND 3 THEN 'degraded'
           ELSE 'healthy'
         END AS status
       FROM probes
     ), changes AS (
       SELECT *, lead(status) OVER (PARTITION BY id ORDER BY at DESC) AS previous FROM statuses
     )
     INSERT INTO spanledger.mcp_health_log
       (mcp_server_id, "timestamp", status, response_time_ms, error_message, meta_data, event_type)
     SELECT id, at, status,
            CASE status WHEN 'timeout' THEN 10000 WHEN 'degraded' THEN 2500 ELSE 40 + (n * 7) % 90 END,
            CASE status WHEN 'timeout' THEN 'probe timed out during initialize'
                        WHEN 'unhealthy' THEN 'HTTP 502 from https://search.example/mcp' END,
            jsonb_build_object('steps', jsonb_build_object('initialize', 20)), 'health_check'
     FROM changes
     UNION ALL
     SELECT id, at, status, NULL, NULL, jsonb_build_object('from', previous, 'to', status), 'status_change'
     FROM changes WHERE previous IS NOT NULL AND previous <> status`,
    [now],
  );
}
