import Anthropic from '@anthropic-ai/sdk';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configureInstrumentation,
  instrumentAnthropic,
  instrumentMcpClient,
  instrumentMcpServer,
  instrumentOpenAI,
  traceToolCall,
  withAuditContext,
} from '../../../instrumentation/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { createTestExporter } from '../../helpers/exporter.js';
import { type FakeProvider, SCENARIOS, startFakeProvider } from '../../helpers/fake-provider.js';
import { buildMcpServer, startMcpHttpServer } from '../../helpers/mcp-server.js';
import { setupTracing } from '../../helpers/tracing.js';

const SECRETS = [
  'sk-live-abcdefghijklmnopqrstuv',
  'Bearer eyJhbGciOi.secretpart.sig123456',
  'hunter2-correct-horse',
];

let db: TestDatabase;
let fake: FakeProvider;
let exp: Awaited<ReturnType<typeof createTestExporter>>;
let tracing: ReturnType<typeof setupTracing>;
let mcpHttp: Awaited<ReturnType<typeof startMcpHttpServer>>;
let mcpClient: Client;

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startFakeProvider();
  // Content capture on at both ends: the strictest case for the privacy test.
  exp = await createTestExporter(db.url, { transform: { captureContent: true, hashKey: 'e2e' } });
  tracing = setupTracing([new SimpleSpanProcessor(exp.exporter)]);
  configureInstrumentation({ hashKey: 'e2e', captureMessageContent: true });
  const openai = new OpenAI({ apiKey: 'sk-test', baseURL: fake.url, maxRetries: 0 });
  const anthropic = new Anthropic({
    apiKey: 'sk-ant-test',
    baseURL: fake.url.replace(/\/v1$/, ''),
    maxRetries: 0,
    openTelemetry: false,
  });
  instrumentOpenAI(openai);
  instrumentAnthropic(anthropic);
  const mcp = buildMcpServer();
  instrumentMcpServer(mcp);
  mcpHttp = await startMcpHttpServer(mcp);
  mcpClient = new Client({ name: 'e2e', version: '1.0.0' });
  instrumentMcpClient(mcpClient);
  await mcpClient.connect(new StreamableHTTPClientTransport(mcpHttp.url));

  const user = [{ role: 'user' as const, content: `my key is ${SECRETS[0]}, auth ${SECRETS[1]}` }];
  await withAuditContext({ tenantId: 'acme', userId: 'ann', requestId: 'req-1' }, async () => {
    await openai.chat.completions.create({ model: SCENARIOS.plain.model, messages: user });
    await openai.chat.completions.create({ model: SCENARIOS.tools.model, messages: user });
    for await (const _ of await openai.chat.completions.create({
      model: SCENARIOS.stream.model,
      messages: user,
      stream: true,
    })) {
    }
    for await (const _ of await openai.chat.completions.create({
      model: SCENARIOS.streamNoUsage.model,
      messages: user,
      stream: true,
    })) {
    }
    for await (const _ of await openai.chat.completions.create({
      model: SCENARIOS.hang.model,
      messages: user,
      stream: true,
    })) {
      break;
    }
    await openai.embeddings.create({ model: SCENARIOS.embeddings.model, input: 'hello' });
    await openai.chat.completions
      .create({ model: SCENARIOS.rateLimited.model, messages: user })
      .catch(() => {});
    await openai.chat.completions
      .create({ model: SCENARIOS.serverError.model, messages: user })
      .catch(() => {});
    await anthropic.messages.create({
      model: SCENARIOS.anthropic.model,
      max_tokens: 32,
      messages: user,
    });
    await mcpClient.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
    await mcpClient.callTool({ name: 'fail', arguments: { reason: `password=${SECRETS[2]}` } });
    await mcpClient.callTool({ name: 'missing', arguments: {} });
    await traceToolCall(
      { name: 'login', arguments: { user: 'ann', password: SECRETS[2], token: SECRETS[0] } },
      () => 'ok',
    );
  });
  await mcpClient.close();
  await tracing.provider.forceFlush();
  await exp.exporter.forceFlush();
});

afterAll(async () => {
  await mcpHttp?.close();
  await tracing?.shutdown();
  await exp?.cleanup();
  await fake?.close();
  await db?.drop();
});

async function row(where: string, params: unknown[]) {
  const { rows } = await db.pool.query(`SELECT * FROM spanledger.audit_log WHERE ${where}`, params);
  expect(rows).toHaveLength(1);
  return rows[0];
}

describe('instrumented calls land in Postgres', () => {
  it('plain chat: provider usage, tenant, user, request', async () => {
    const r = await row('request_model = $1', [SCENARIOS.plain.model]);
    expect(r).toMatchObject({
      event_type: 'llm_call',
      provider: 'openai',
      tenant_id: 'acme',
      user_id: 'ann',
      request_id: 'req-1',
      input_tokens: String(SCENARIOS.plain.input),
      output_tokens: String(SCENARIOS.plain.output),
      usage_source: 'provider',
      status: 'ok',
    });
    expect(r.input_hash).toMatch(/^v2:[0-9a-f]{64}$/);
  });

  it('streams with and without provider usage', async () => {
    const withUsage = await row('request_model = $1', [SCENARIOS.stream.model]);
    expect(withUsage.input_tokens).toBe(String(SCENARIOS.stream.input));
    const estimated = await row('request_model = $1', [SCENARIOS.streamNoUsage.model]);
    expect(estimated.usage_source).toBe('estimated');
    expect(Number(estimated.output_tokens)).toBe(2);
  });

  it('tool calls, embeddings, aborted stream', async () => {
    const tools = await row('request_model = $1', [SCENARIOS.tools.model]);
    expect(tools.finish_reasons).toEqual(['tool_calls']);
    expect(tools.termination_reason).toBe('tool_calls');
    const emb = await row('request_model = $1', [SCENARIOS.embeddings.model]);
    expect(emb).toMatchObject({
      operation: 'embeddings',
      input_tokens: String(SCENARIOS.embeddings.input),
    });
    const aborted = await row('request_model = $1', [SCENARIOS.hang.model]);
    expect(aborted.termination_reason).toBe('aborted');
  });

  it('429 and 500 with error type and HTTP status', async () => {
    const limited = await row('request_model = $1', [SCENARIOS.rateLimited.model]);
    expect(limited).toMatchObject({
      status: 'error',
      error_type: 'RateLimitError',
      http_status: 429,
    });
    const failed = await row('request_model = $1', [SCENARIOS.serverError.model]);
    expect(failed).toMatchObject({
      status: 'error',
      error_type: 'InternalServerError',
      http_status: 500,
    });
  });

  it('Anthropic cache tokens, input including cache', async () => {
    const s = SCENARIOS.anthropic;
    const r = await row('request_model = $1', [s.model]);
    expect(r).toMatchObject({
      provider: 'anthropic',
      input_tokens: String(s.input + s.cacheRead + s.cacheWrite),
      cache_read_tokens: String(s.cacheRead),
      cache_write_tokens: String(s.cacheWrite),
      output_tokens: String(s.output),
    });
    expect(r.cost_usd).not.toBeNull();
  });

  it('MCP tool success, tool error and unknown tool on both sides', async () => {
    const { rows } = await db.pool.query(
      `SELECT tool_name, status, error_type, count(*)::int AS n FROM spanledger.audit_log
        WHERE event_type = 'mcp_call' AND mcp_method = 'tools/call' GROUP BY 1, 2, 3 ORDER BY 1`,
    );
    expect(rows).toEqual([
      { tool_name: 'add', status: 'ok', error_type: null, n: 2 },
      { tool_name: 'fail', status: 'error', error_type: 'tool_error', n: 2 },
      { tool_name: 'missing', status: 'error', error_type: 'tool_error', n: 2 },
    ]);
  });

  it('bills each model call once in llm_usage', async () => {
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n FROM spanledger.llm_usage WHERE tenant_id = 'acme'`,
    );
    // plain, tools, stream, estimated stream, aborted (usage estimated), embeddings, anthropic.
    expect(rows[0].n).toBe(7);
  });

  it('no seeded secret reaches any table', async () => {
    const dump = await db.pool.query(
      `SELECT (SELECT coalesce(json_agg(a), '[]') FROM spanledger.audit_log a)::text
          || (SELECT coalesce(json_agg(u), '[]') FROM spanledger.llm_usage u)::text
          || (SELECT coalesce(json_agg(d), '[]') FROM spanledger.dead_letter d)::text AS all`,
    );
    const text: string = dump.rows[0].all;
    expect(text).toContain('acme');
    for (const secret of [...SECRETS, 'secretpart', 'hunter2']) expect(text).not.toContain(secret);
  });
});
