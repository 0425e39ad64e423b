import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { type CollectorHandle, resolveConfig, startCollector } from '../../../collector/index.js';
import { createLogger } from '../../../shared/index.js';
import { createTestExporter, ExportResultCode, exportVia } from '../../helpers/exporter.js';
import { createTestTracer } from '../../helpers/spans.js';

/** A model and tool name that would run script if any page let it through as markup. */
export const XSS = '<img src=x onerror=alert(1)>';

export const CONSOLE_TOKENS = {
  acme: 'acme-console-token-0123456789',
  globex: 'globex-console-token-0123456789',
  admin: 'admin-console-token-0123456789',
} as const;

/** The traces seedConsoleData writes. */
export interface SeededTraces {
  /** acme: agent → chat (gpt-4o-mini-tools) → tool get_weather → MCP call, and a second chat. */
  acmeAgent: string;
  /** globex: one claude-haiku-4-5 chat. */
  globexChat: string;
  /** acme: a chat whose model, and a tool whose name, is XSS. */
  acmeXss: string;
}

/**
 * Known data through the real exporter (so usage_daily and the ledger chain are its own): an
 * agent run for acme, a chat for globex, and the XSS names.
 */
export async function seedConsoleData(databaseUrl: string): Promise<SeededTraces> {
  const t = createTestTracer({ 'service.name': 'weather-agent' });
  const now = Date.now() - 60_000;
  const tenant = (id: string, user: string) => ({ 'spanledger.tenant_id': id, 'enduser.id': user });
  const agent = t.open(
    'invoke_agent weather',
    {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'weather',
      ...tenant('acme', 'ann'),
    },
    now,
  );
  const chat = (model: string, provider: string, input: number, output: number) => ({
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': provider,
    'gen_ai.request.model': model,
    'gen_ai.response.model': model,
    'gen_ai.response.id': `resp-${Math.random().toString(36).slice(2)}`,
    'gen_ai.usage.input_tokens': input,
    'gen_ai.usage.output_tokens': output,
    'gen_ai.response.finish_reasons': ['tool_calls'],
  });
  t.span(
    'chat gpt-4o-mini-tools',
    { ...chat('gpt-4o-mini-tools', 'openai', 120, 30), ...tenant('acme', 'ann') },
    { parent: agent, startMs: now + 10, durationMs: 400 },
  );
  const tool = t.tracer.startSpan(
    'execute_tool get_weather',
    {
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'get_weather',
        ...tenant('acme', 'ann'),
      },
      startTime: now + 420,
    },
    trace.setSpan(context.active(), agent),
  );
  t.span(
    'tools/call get_weather',
    {
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'get_weather',
      'server.address': 'weather.internal',
      'gen_ai.operation.name': 'execute_tool',
      ...tenant('acme', 'ann'),
    },
    { parent: tool, startMs: now + 430, durationMs: 80 },
  );
  tool.end(now + 520);
  t.span(
    'chat gpt-4o-mini-tools',
    {
      ...chat('gpt-4o-mini-tools', 'openai', 200, 40),
      'gen_ai.response.finish_reasons': ['stop'],
      ...tenant('acme', 'ann'),
    },
    { parent: agent, startMs: now + 530, durationMs: 300 },
  );
  agent.end(now + 900);
  const globex = t.span(
    'chat claude-haiku-4-5',
    { ...chat('claude-haiku-4-5', 'anthropic', 90, 15), ...tenant('globex', 'bob') },
    { startMs: now + 1000, durationMs: 700 },
  );
  const xssRoot = t.open(
    'chat xss',
    { ...chat(XSS, 'openai', 10, 5), ...tenant('acme', XSS) },
    now + 2000,
  );
  t.span(
    'execute_tool xss',
    { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': XSS, ...tenant('acme', 'ann') },
    { parent: xssRoot, startMs: now + 2010, durationMs: 20 },
  );
  xssRoot.end(now + 2100);
  const spans: ReadableSpan[] = t.finished();
  const { exporter, cleanup } = await createTestExporter(databaseUrl);
  try {
    if ((await exportVia(exporter, spans)) !== ExportResultCode.SUCCESS)
      throw new Error('seed export failed');
  } finally {
    await cleanup();
  }
  const traceOf = (name: string) => spans.find((s) => s.name === name)!.spanContext().traceId;
  return {
    acmeAgent: traceOf('invoke_agent weather'),
    globexChat: globex.readable.spanContext().traceId,
    acmeXss: traceOf('chat xss'),
  };
}

/** A collector on loopback ports with the console on (and, with tokens, the query API). */
export async function startConsoleCollector(
  databaseUrl: string,
  options: { tokens: boolean; traceUrl?: string },
): Promise<{ collector: CollectorHandle; lines: string[]; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'spanledger-console-'));
  const config = resolveConfig({
    receivers: { otlp: { protocols: { http: { endpoint: '127.0.0.1:0' } } } },
    exporters: { postgres: { url: databaseUrl, spool: { dir: join(dir, 'spool') } } },
    extensions: {
      mcp_health: { enabled: false },
      query_api: {
        enabled: options.tokens,
        endpoint: '127.0.0.1:0',
        ...(options.tokens
          ? {
              auth: {
                tokens: [
                  { token: CONSOLE_TOKENS.acme, tenant: 'acme' },
                  { token: CONSOLE_TOKENS.globex, tenant: 'globex' },
                ],
                admin_tokens: [CONSOLE_TOKENS.admin],
              },
            }
          : {}),
      },
      console: options.traceUrl ? { trace_url: options.traceUrl } : {},
    },
  });
  const lines: string[] = [];
  const collector = await startCollector({
    config,
    env: {},
    logger: createLogger('silent'),
    print: (l) => lines.push(l),
  });
  return {
    collector,
    lines,
    async cleanup() {
      await collector.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
