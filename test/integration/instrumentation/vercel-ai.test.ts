import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAI } from '@ai-sdk/openai';
import { trace } from '@opentelemetry/api';
import { embed, generateText, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  initTelemetry,
  type TelemetryHandle,
  withAuditContext,
} from '../../../instrumentation/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { type FakeProvider, SCENARIOS, startFakeProvider } from '../../helpers/fake-provider.js';

// The Vercel AI SDK has its own telemetry (experimental_telemetry): we add no wrapper, so this
// checks that its spans, through initTelemetry's provider and the PgSpanExporter, become the same
// rows as our own instrumentation's, and that its wrapper spans are never billed.

const PROMPT = 'vercel-ai prompt text that must not be stored';
const telemetry = { isEnabled: true, metadata: { userId: 'ann' } };

let db: TestDatabase;
let fake: FakeProvider;
let spoolDir: string;
let handle: TelemetryHandle;
const traces: Record<string, string> = {};

/** Runs `fn` in a root span of its own, so each call's spans are one trace we can look up. */
async function inTrace(label: string, fn: () => Promise<unknown>): Promise<void> {
  await trace.getTracer('vercel-ai-test').startActiveSpan(label, async (span) => {
    traces[label] = span.spanContext().traceId;
    try {
      await withAuditContext({ tenantId: 'acme', requestId: label }, fn);
    } finally {
      span.end();
    }
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startFakeProvider();
  spoolDir = await mkdtemp(join(tmpdir(), 'spanledger-vercel-'));
  handle = initTelemetry({
    serviceName: 'vercel-ai-test',
    databaseUrl: db.url,
    otlp: false,
    handleSignals: false,
    postgres: { spool: { dir: spoolDir } },
  });
  const openai = createOpenAI({ apiKey: 'sk-test', baseURL: fake.url });

  await inTrace('generate', () =>
    generateText({
      model: openai.chat(SCENARIOS.plain.model),
      prompt: PROMPT,
      experimental_telemetry: telemetry,
    }),
  );
  await inTrace('stream', async () => {
    const result = streamText({
      model: openai.chat(SCENARIOS.stream.model),
      prompt: PROMPT,
      experimental_telemetry: telemetry,
    });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe('Hello world');
  });
  await inTrace('tools', () =>
    generateText({
      model: openai.chat(SCENARIOS.tools.model),
      prompt: PROMPT,
      tools: {
        get_weather: tool({
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => `sunny in ${city}`,
        }),
      },
      experimental_telemetry: telemetry,
    }),
  );
  await inTrace('responses', () =>
    generateText({
      model: openai.responses(SCENARIOS.responses.model),
      prompt: PROMPT,
      experimental_telemetry: telemetry,
    }),
  );
  await inTrace('embed', () =>
    embed({
      model: openai.embedding(SCENARIOS.embeddings.model),
      value: PROMPT,
      experimental_telemetry: telemetry,
    }),
  );
  // forceFlush resolves once the exporter reports the batch committed (or spooled).
  await handle.forceFlush();
}, 120_000);

afterAll(async () => {
  await handle?.shutdown();
  trace.disable();
  await fake?.close();
  await db?.drop();
  await rm(spoolDir, { recursive: true, force: true });
});

interface AuditRow {
  span_name: string;
  span_id: string;
  parent_span_id: string | null;
  event_type: string;
  operation: string;
  provider: string | null;
  request_model: string | null;
  input_tokens: string | null;
  output_tokens: string | null;
  billed: boolean;
  tenant_id: string | null;
  user_id: string | null;
  tool_name: string | null;
  tool_call_id: string | null;
  status: string;
}

async function auditRowsOf(label: string): Promise<AuditRow[]> {
  const { rows } = await db.pool.query<AuditRow>(
    `SELECT span_name, span_id, parent_span_id, event_type, operation, provider, request_model,
            input_tokens::text, output_tokens::text, billed, tenant_id, user_id, tool_name,
            tool_call_id, status
       FROM spanledger.audit_log WHERE trace_id = $1 ORDER BY span_name`,
    [traces[label]],
  );
  return rows;
}

async function usageRowsOf(label: string) {
  const { rows } = await db.pool.query(
    `SELECT provider, model, operation, input_tokens::int, output_tokens::int,
            total_tokens::int, usage_source, tenant_id, user_id, price_ref, cost_usd::float8 AS cost
       FROM spanledger.llm_usage WHERE trace_id = $1`,
    [traces[label]],
  );
  return rows;
}

/** The wrapper (ai.generateText, ...) and the provider call (….doGenerate) it contains. */
function wrapperAndCall(rows: AuditRow[], wrapperName: string, callName: string) {
  const wrapper = rows.find((r) => r.span_name === wrapperName);
  const call = rows.find((r) => r.span_name === callName);
  if (!wrapper || !call) {
    throw new Error(`missing ${wrapperName}/${callName}: ${rows.map((r) => r.span_name)}`);
  }
  return { wrapper, call };
}

// responseModel: what the fake provider answers with; priced: the price book entry it matches.
const cases = [
  {
    label: 'generate',
    wrapper: 'ai.generateText',
    call: 'ai.generateText.doGenerate',
    s: SCENARIOS.plain,
    responseModel: `${SCENARIOS.plain.model}-2024-07-18`,
    priced: 'openai/gpt-4o-mini@',
  },
  {
    label: 'stream',
    wrapper: 'ai.streamText',
    call: 'ai.streamText.doStream',
    s: SCENARIOS.stream,
    responseModel: SCENARIOS.stream.model,
    priced: 'openai/gpt-4o-mini@',
  },
  {
    label: 'responses',
    wrapper: 'ai.generateText',
    call: 'ai.generateText.doGenerate',
    s: SCENARIOS.responses,
    responseModel: SCENARIOS.responses.model,
    priced: 'openai/gpt-4.1-mini@',
  },
] as const;

describe('Vercel AI SDK spans in Postgres', () => {
  it.each(cases)('$label: one priced llm_usage row with the provider usage', async (c) => {
    const { s } = c;
    const rows = await usageRowsOf(c.label);
    expect(rows).toEqual([
      {
        provider: 'openai',
        model: c.responseModel,
        operation: 'chat',
        input_tokens: s.input,
        output_tokens: s.output,
        total_tokens: s.input + s.output,
        usage_source: 'provider',
        tenant_id: 'acme',
        user_id: 'ann',
        price_ref: expect.stringMatching(new RegExp(`^${c.priced}`)),
        cost: expect.any(Number),
      },
    ]);
    expect(rows[0].cost).toBeGreaterThan(0);
  });

  it.each(cases)('$label: wrapper audited but not billed', async ({ label, wrapper, call, s }) => {
    const rows = await auditRowsOf(label);
    const pair = wrapperAndCall(rows, wrapper, call);
    expect(pair.call.parent_span_id).toBe(pair.wrapper.span_id);
    expect(pair.call).toMatchObject({ event_type: 'llm_call', billed: true, status: 'ok' });
    // The wrapper repeats its step's usage (an audit row shows it) but billing skips it.
    expect(pair.wrapper).toMatchObject({ event_type: 'llm_call', billed: false });
    for (const row of [pair.wrapper, pair.call]) {
      expect(row).toMatchObject({
        provider: 'openai',
        request_model: s.model,
        input_tokens: String(s.input),
        output_tokens: String(s.output),
        tenant_id: 'acme',
        user_id: 'ann',
      });
    }
  });

  it('tool calls: the model call is billed once and the tool execution is a tool_call row', async () => {
    const s = SCENARIOS.tools;
    const rows = await auditRowsOf('tools');
    const { wrapper, call } = wrapperAndCall(rows, 'ai.generateText', 'ai.generateText.doGenerate');
    expect(call).toMatchObject({ billed: true, input_tokens: String(s.input) });
    expect(wrapper.billed).toBe(false);
    const toolRow = rows.find((r) => r.event_type === 'tool_call');
    expect(toolRow).toMatchObject({
      operation: 'execute_tool',
      tool_name: 'get_weather',
      tool_call_id: s.toolCallId,
      status: 'ok',
      billed: false,
      parent_span_id: wrapper.span_id,
    });
    expect(await usageRowsOf('tools')).toEqual([
      expect.objectContaining({ input_tokens: s.input, output_tokens: s.output }),
    ]);
  });

  it('embeddings: one usage row with the input tokens', async () => {
    const s = SCENARIOS.embeddings;
    const rows = await auditRowsOf('embed');
    const { wrapper, call } = wrapperAndCall(rows, 'ai.embed', 'ai.embed.doEmbed');
    expect(call).toMatchObject({ operation: 'embeddings', billed: true });
    expect(wrapper.billed).toBe(false);
    expect(await usageRowsOf('embed')).toEqual([
      expect.objectContaining({ operation: 'embeddings', input_tokens: s.input }),
    ]);
  });

  it('the daily rollup counts each provider call once', async () => {
    const { rows } = await db.pool.query(
      `SELECT sum(calls)::int AS calls, sum(input_tokens)::int AS input,
              sum(output_tokens)::int AS output
         FROM spanledger.usage_daily WHERE tenant_id = 'acme'`,
    );
    const s = SCENARIOS;
    const chats = [s.plain, s.stream, s.tools, s.responses];
    expect(rows[0]).toEqual({
      calls: chats.length + 1,
      input: chats.reduce((n, c) => n + c.input, 0) + s.embeddings.input,
      output: chats.reduce((n, c) => n + c.output, 0),
    });
  });

  it('stores no prompt or completion text by default', async () => {
    const { rows } = await db.pool.query(
      `SELECT coalesce(json_agg(a), '[]')::text AS dump FROM spanledger.audit_log a`,
    );
    expect(rows[0].dump).toContain('ai.generateText');
    expect(rows[0].dump).not.toContain(PROMPT);
    expect(rows[0].dump).not.toContain('Hello from the fake provider');
    expect(rows[0].dump).not.toContain('sunny in Paris');
  });
});
