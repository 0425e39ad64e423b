import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import OpenAI from 'openai';
import {
  instrumentAnthropic,
  instrumentMcpClient,
  instrumentOpenAI,
  withAuditContext,
} from '../instrumentation/index.js';

const ROOT = resolve(import.meta.dirname, '..');
const MCP_SERVER = resolve(import.meta.dirname, 'weather-mcp-server.ts');

// Models the fake provider (test/helpers/fake-provider.ts) knows: this OpenAI model answers with
// a get_weather tool call, and any Anthropic model gets the `anthropic` scenario's usage.
// (claude-haiku-4-5 rather than the scenario's claude-sonnet-4-5, which the Anthropic SDK warns
// about as deprecated on every call.)
export const PLANNER_MODEL = 'gpt-4o-mini-tools';
export const WRITER_MODEL = 'claude-haiku-4-5';

/** Who asks what: the audit context every span of the request carries. */
export interface Asker {
  tenantId: string;
  userId: string;
  question: string;
}

export interface Answer {
  /** The request's trace: every span (LLM calls, tool calls) of this answer is in it. */
  traceId: string;
  text: string;
}

export interface WeatherService {
  answer(asker: Asker): Promise<Answer>;
  close(): Promise<void>;
}

type McpTool = Awaited<ReturnType<Client['listTools']>>['tools'][number];

/** MCP tool descriptions in the shape OpenAI's function calling takes. */
function asOpenAITools(tools: McpTool[]): OpenAI.Chat.Completions.ChatCompletionTool[] {
  return tools.map((t) => ({
    type: 'function',
    function: { name: t.name, description: t.description ?? '', parameters: t.inputSchema },
  }));
}

function textOf(result: Awaited<ReturnType<Client['callTool']>>): string {
  const content = Array.isArray(result.content) ? result.content : [];
  return content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

/**
 * A small agent: OpenAI picks a tool, the MCP weather server runs it, Anthropic writes the
 * answer. The three clients are instrumented exactly as a service would do it.
 */
export async function createWeatherService(apiUrl: string): Promise<WeatherService> {
  const openai = new OpenAI({ apiKey: 'sk-demo', baseURL: apiUrl, maxRetries: 0 });
  const anthropic = new Anthropic({
    apiKey: 'sk-ant-demo',
    baseURL: apiUrl.replace(/\/v1$/, ''),
    maxRetries: 0,
  });
  instrumentOpenAI(openai);
  instrumentAnthropic(anthropic);
  const mcp = new Client({ name: 'spanledger-demo', version: '1.0.0' });
  instrumentMcpClient(mcp);
  await mcp.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', MCP_SERVER],
      cwd: ROOT,
    }),
  );
  const tools = asOpenAITools((await mcp.listTools()).tools);

  async function handle({ question }: Asker): Promise<string> {
    const plan = await openai.chat.completions.create({
      model: PLANNER_MODEL,
      messages: [{ role: 'user', content: question }],
      tools,
    });
    const results: string[] = [];
    for (const call of plan.choices[0]?.message.tool_calls ?? []) {
      if (call.type !== 'function') continue;
      const args = JSON.parse(call.function.arguments) as Record<string, unknown>;
      results.push(textOf(await mcp.callTool({ name: call.function.name, arguments: args })));
    }
    const reply = await anthropic.messages.create({
      model: WRITER_MODEL,
      max_tokens: 200,
      messages: [
        {
          role: 'user',
          content: `${question}\n\nTool results:\n${results.join('\n')}\n\nAnswer in one sentence.`,
        },
      ],
    });
    return reply.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
  }

  return {
    answer(asker) {
      const audit = { tenantId: asker.tenantId, userId: asker.userId, requestId: randomUUID() };
      // One root span per request, so the report can find this answer's rows by trace id.
      return withAuditContext(audit, () =>
        trace.getTracer('spanledger-demo').startActiveSpan('weather request', async (span) => {
          try {
            return { traceId: span.spanContext().traceId, text: await handle(asker) };
          } catch (error) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
            throw error;
          } finally {
            span.end();
          }
        }),
      );
    },
    close: () => mcp.close(),
  };
}
