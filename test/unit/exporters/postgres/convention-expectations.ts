import type { SpanRow } from '../../../../exporters/postgres/rows.js';

/** What one captured span must become: a row with these columns, or no row ('ignored'). */
export interface Expectation {
  fixture: string;
  case: string;
  span: string;
  row: Partial<SpanRow> | 'ignored';
}

type Cols = Partial<SpanRow>;
const usage = (input: number | null, output: number | null, more: Cols = {}): Cols => ({
  input_tokens: input,
  output_tokens: output,
  usage_source: input === null && output === null ? 'none' : 'provider',
  ...more,
});
const cached = (read: number | null, write: number | null, reasoning: number | null): Cols => ({
  cache_read_tokens: read,
  cache_write_tokens: write,
  reasoning_tokens: reasoning,
});
const ok: Cols = { status: 'ok', error_type: null };
const failed = (errorType: string): Cols => ({ status: 'error', error_type: errorType });
const llm = (provider: string | null, request: string | null, response: string | null): Cols => ({
  event_type: 'llm_call',
  operation: 'chat',
  provider,
  request_model: request,
  response_model: response,
});
const mcp = (method: string, more: Cols = {}): Cols => ({
  event_type: 'mcp_call',
  operation: method,
  mcp_method: method,
  provider: null,
  request_model: null,
  ...more,
});
const toolsCall = (tool: string, more: Cols = {}): Cols =>
  mcp('tools/call', { operation: 'execute_tool', tool_name: tool, ...more });

const e = (fixture: string, name: string, span: string, row: Cols | 'ignored'): Expectation => ({
  fixture,
  case: name,
  span,
  row,
});

/** Rows expected from every captured span of every fixture; cases with no span listed in EMPTY. */
export const EXPECTATIONS: readonly Expectation[] = [
  // OTel contrib, JavaScript (generated)
  e('otel-contrib-openai', 'chat', 'chat gpt-4o-mini', {
    ...llm('openai', 'gpt-4o-mini', 'gpt-4o-mini-2024-07-18'),
    ...usage(11, 7, cached(null, null, null)),
    ...ok,
    billable: true,
  }),
  e('otel-contrib-openai', 'chat_reasoning', 'chat o4-mini', {
    ...llm('openai', 'o4-mini', 'o4-mini-2025-04-16'),
    ...usage(60, 40, cached(null, null, null)),
  }),
  e('otel-contrib-openai', 'chat_stream', 'chat o4-mini', {
    ...llm('openai', 'o4-mini', 'o4-mini'),
    ...usage(60, 40),
  }),
  e('otel-contrib-openai', 'chat_429', 'chat gpt-4o-mini-429', {
    ...llm('openai', 'gpt-4o-mini-429', null),
    ...usage(null, null),
    ...failed('RateLimitError'),
    error_message: '429 Rate limit reached',
    billable: false,
  }),
  e('otel-contrib-openai', 'chat_500', 'chat gpt-4o-mini-500', {
    ...llm('openai', 'gpt-4o-mini-500', null),
    ...failed('InternalServerError'),
  }),
  e('otel-contrib-openai', 'embeddings', 'embeddings text-embedding-3-small', {
    event_type: 'llm_call',
    operation: 'embeddings',
    request_model: 'text-embedding-3-small',
    ...usage(5, null),
  }),
  // OTel contrib, Python (from source)
  e('otel-contrib-python-openai-v2', 'chat', 'chat gpt-4o-mini', {
    ...llm('openai', 'gpt-4o-mini', 'gpt-4o-mini-2024-07-18'),
    ...usage(11, 7),
    ...ok,
  }),
  e('otel-contrib-python-openai-v2', 'chat_500', 'chat gpt-4o-mini', {
    ...llm('openai', 'gpt-4o-mini', null),
    ...failed('InternalServerError'),
  }),
  // OpenLLMetry, JavaScript (generated)
  e('openllmetry-openai', 'chat', 'chat gpt-4o-mini', {
    ...llm('openai', 'gpt-4o-mini', 'gpt-4o-mini-2024-07-18'),
    ...usage(11, 7),
    ...ok,
    billable: true,
  }),
  e('openllmetry-openai', 'chat_reasoning', 'chat o4-mini', {
    ...llm('openai', 'o4-mini', 'o4-mini-2025-04-16'),
    ...usage(60, 40, cached(null, null, null)),
  }),
  e('openllmetry-openai', 'chat_stream', 'chat gpt-4o-mini-stream', {
    ...llm('openai', 'gpt-4o-mini-stream', 'gpt-4o-mini-stream'),
    ...usage(null, null),
    billable: false,
  }),
  e('openllmetry-openai', 'responses', 'chat gpt-4.1-mini', {
    ...llm('openai', 'gpt-4.1-mini', 'gpt-4.1-mini'),
    ...usage(41, 19),
  }),
  e('openllmetry-anthropic', 'messages', 'chat claude-sonnet-4-5', {
    ...llm('anthropic', 'claude-sonnet-4-5', 'claude-sonnet-4-5'),
    ...usage(153, 9, cached(100, 50, null)),
    flags: ['input_excludes_cache_corrected'],
    ...ok,
  }),
  e('openllmetry-anthropic', 'messages_stream', 'chat claude-sonnet-4-5-stream', {
    ...llm('anthropic', 'claude-sonnet-4-5-stream', 'claude-sonnet-4-5-stream'),
    ...usage(264, 12, cached(200, 60, null)),
  }),
  e('openllmetry-anthropic', 'messages_429', 'chat claude-sonnet-4-5-429', {
    ...llm('anthropic', 'claude-sonnet-4-5-429', null),
    ...failed('RateLimitError'),
  }),
  e('openllmetry-anthropic', 'messages_500', 'chat claude-sonnet-4-5-500', {
    ...llm('anthropic', 'claude-sonnet-4-5-500', null),
    ...failed('InternalServerError'),
  }),
  e('openllmetry-mcp', 'initialize', 'initialize.mcp', { ...mcp('initialize'), ...ok }),
  e('openllmetry-mcp', 'tools_list', 'tools/list.mcp', { ...mcp('tools/list'), ...ok }),
  e('openllmetry-mcp', 'tools_call', 'add.tool', { ...toolsCall('add'), ...ok }),
  e('openllmetry-mcp', 'tools_call_is_error', 'fail.tool', {
    ...toolsCall('fail'),
    ...failed('tool_error'),
    error_message: 'failed: disk full',
  }),
  e('openllmetry-mcp', 'prompts_get_unknown', 'prompts/get.mcp', {
    ...mcp('prompts/get'),
    ...failed('-32602'),
  }),
  e('openllmetry-mcp', 'resources_read', 'resources/read.mcp', { ...mcp('resources/read'), ...ok }),
  e('openllmetry-mcp', 'close', 'mcp.client.session', 'ignored'),
  // OpenLLMetry, Python (from source)
  e('openllmetry-python-openai', 'chat_reasoning', 'openai.chat', {
    ...llm('openai', 'o4-mini', 'o4-mini-2025-04-16'),
    ...usage(60, 40, cached(32, null, 24)),
    ...ok,
    billable: true,
    attributes: { 'spanledger.usage_convention': 'openllmetry' },
  }),
  e('openllmetry-python-openai', 'responses', 'openai.response', {
    ...llm('openai', 'gpt-4.1-mini', 'gpt-4.1-mini-2025-04-14'),
    ...usage(41, 19, cached(0, null, 0)),
  }),
  e('openllmetry-python-openai', 'chat_429', 'openai.chat', {
    ...llm('openai', 'gpt-4o-mini', null),
    ...failed('RateLimitError'),
  }),
  e('openllmetry-python-anthropic', 'messages', 'anthropic.chat', {
    ...llm('anthropic', 'claude-sonnet-4-5', 'claude-sonnet-4-5-20250929'),
    ...usage(153, 9, cached(100, 50, null)),
    flags: [],
  }),
  e('openllmetry-python-mcp', 'tools_list', 'tools/list.mcp', { ...mcp('tools/list'), ...ok }),
  e('openllmetry-python-mcp', 'tools_call_is_error', 'add.tool', {
    ...toolsCall('add'),
    ...failed('MCPToolError'),
    error_message: 'missing argument b',
  }),
  e('openllmetry-python-mcp', 'prompts_get_error', 'prompts/get.mcp', {
    ...mcp('prompts/get'),
    ...failed('McpError'),
    error_message: 'Prompt missing not found',
  }),
  e('openllmetry-python-mcp', 'json_rpc_error_output', 'resources/read.mcp', {
    ...mcp('resources/read'),
    ...failed('-32002'),
    error_message: 'Resource not found',
  }),
  // OpenInference, JavaScript (generated)
  e('openinference-openai', 'chat', 'OpenAI Chat Completions', {
    ...llm('openai', 'gpt-4o-mini', 'gpt-4o-mini-2024-07-18'),
    ...usage(11, 7),
    ...ok,
    billable: true,
  }),
  e('openinference-openai', 'chat_reasoning', 'OpenAI Chat Completions', {
    ...llm('openai', 'o4-mini', 'o4-mini-2025-04-16'),
    ...usage(60, 40, cached(32, null, 24)),
  }),
  e('openinference-openai', 'chat_stream', 'OpenAI Chat Completions', {
    ...llm('openai', 'o4-mini', 'o4-mini'),
    ...usage(null, null),
  }),
  e('openinference-openai', 'embeddings', 'OpenAI Embeddings', {
    event_type: 'llm_call',
    operation: 'embeddings',
    provider: 'openai',
    request_model: 'text-embedding-3-small',
  }),
  e('openinference-openai', 'responses', 'OpenAI Responses', {
    ...llm('openai', 'gpt-4.1-mini', 'gpt-4.1-mini'),
    ...usage(41, 19, cached(0, null, 0)),
  }),
  e('openinference-anthropic', 'messages', 'Anthropic Messages', {
    ...llm('anthropic', 'claude-sonnet-4-5', 'claude-sonnet-4-5'),
    ...usage(153, 9, cached(100, 50, null)),
    flags: [],
  }),
  e('openinference-anthropic', 'messages_stream', 'Anthropic Messages', {
    ...llm('anthropic', 'claude-sonnet-4-5-stream', 'claude-sonnet-4-5-stream'),
    ...usage(264, 12, cached(200, 60, null)),
  }),
  e('openinference-anthropic', 'messages_429', 'Anthropic Messages', {
    ...llm('anthropic', 'claude-sonnet-4-5-429', 'claude-sonnet-4-5-429'),
    ...failed('RateLimitError'),
  }),
  e('openinference-anthropic', 'messages_500', 'Anthropic Messages', {
    ...llm('anthropic', 'claude-sonnet-4-5-500', 'claude-sonnet-4-5-500'),
    ...failed('InternalServerError'),
  }),
  e('openinference-langchain', 'chat', 'ChatOpenAI', {
    ...llm('openai', 'gpt-4o-mini', 'gpt-4o-mini'),
    ...usage(11, 7),
    ...ok,
    billable: true,
    price_ref: 'openai/gpt-4o-mini@2024-07-18',
  }),
  e('openinference-langchain', 'chat_reasoning', 'ChatOpenAI', {
    ...llm('openai', 'o4-mini', 'o4-mini'),
    ...usage(60, 40, cached(32, null, 24)),
  }),
  e('openinference-langchain', 'chat_stream', 'ChatOpenAI', {
    ...llm('openai', 'gpt-4o-mini-stream', 'gpt-4o-mini-stream'),
    ...usage(21, 13),
  }),
  e('openinference-langchain', 'chat_429', 'ChatOpenAI', {
    ...llm('openai', 'gpt-4o-mini-429', 'gpt-4o-mini-429'),
    ...usage(null, null),
    ...failed('_OTHER'),
  }),
  e('openinference-langchain', 'chat_500', 'ChatOpenAI', {
    ...llm('openai', 'gpt-4o-mini-500', 'gpt-4o-mini-500'),
    ...failed('_OTHER'),
  }),
  // OpenInference, Python (from source)
  e('openinference-python-openai', 'chat_reasoning', 'ChatCompletion', {
    ...llm('openai', 'o4-mini', 'o4-mini-2025-04-16'),
    ...usage(60, 40, cached(32, null, 24)),
    ...ok,
  }),
  e('openinference-python-openai', 'chat_429', 'ChatCompletion', {
    ...llm('openai', 'gpt-4o-mini', null),
    ...failed('openai.RateLimitError'),
  }),
  e('openinference-python-openai', 'chat_500', 'ChatCompletion', {
    ...llm('openai', 'gpt-4o-mini', null),
    ...failed('openai.InternalServerError'),
  }),
  e('openinference-python-langchain', 'chat', 'ChatOpenAI', {
    ...llm('openai', 'gpt-4o-mini', 'gpt-4o-mini-2024-07-18'),
    ...usage(11, 7, cached(0, null, 0)),
    ...ok,
  }),
  e('openinference-python-langchain', 'chat_429', 'ChatOpenAI', {
    ...llm('openai', 'gpt-4o-mini', null),
    ...failed('openai.RateLimitError'),
  }),
  // Vercel AI SDK (generated)
  e('vercel-ai', 'generate', 'ai.generateText.doGenerate', {
    ...llm('openai', 'gpt-4o-mini', 'gpt-4o-mini-2024-07-18'),
    ...usage(11, 7, cached(0, null, 0)),
    billable: true,
  }),
  e('vercel-ai', 'generate', 'ai.generateText', {
    ...llm('openai', 'gpt-4o-mini', null),
    ...usage(11, 7),
    billable: false,
  }),
  e('vercel-ai', 'generate_reasoning', 'ai.generateText.doGenerate', {
    ...llm('openai', 'o4-mini', 'o4-mini-2025-04-16'),
    ...usage(60, 40, cached(32, null, 24)),
    billable: true,
  }),
  e('vercel-ai', 'generate_reasoning', 'ai.generateText', { billable: false }),
  e('vercel-ai', 'stream', 'ai.streamText.doStream', {
    ...llm('openai', 'o4-mini', 'o4-mini'),
    ...usage(60, 40, cached(32, null, 24)),
    billable: true,
  }),
  e('vercel-ai', 'stream', 'ai.streamText', { billable: false }),
  e('vercel-ai', 'generate_429', 'ai.generateText.doGenerate', {
    ...llm('openai', 'gpt-4o-mini-429', null),
    ...failed('AI_APICallError'),
    error_message: 'Rate limit reached',
  }),
  e('vercel-ai', 'generate_429', 'ai.generateText', failed('AI_APICallError')),
  e('vercel-ai', 'generate_500', 'ai.generateText.doGenerate', {
    ...llm('openai', 'gpt-4o-mini-500', null),
    ...failed('AI_APICallError'),
  }),
  e('vercel-ai', 'generate_500', 'ai.generateText', failed('AI_APICallError')),
  e('vercel-ai', 'embed', 'ai.embed.doEmbed', {
    event_type: 'llm_call',
    operation: 'embeddings',
    request_model: 'text-embedding-3-small',
    ...usage(5, null),
    billable: true,
  }),
  e('vercel-ai', 'embed', 'ai.embed', { operation: 'embeddings', billable: false }),
];

/** Cases where the instrumentation exports no span at all (see the fixture notes). */
export const EMPTY: ReadonlyArray<readonly [string, string]> = [
  ['openllmetry-openai', 'chat_429'],
  ['openllmetry-openai', 'chat_500'],
  ['openinference-openai', 'chat_429'],
  ['openinference-openai', 'chat_500'],
];
