import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the OpenAI and Anthropic HTTP APIs, so tests and the benchmark run the real
 * SDK clients. The model name picks the scenario; every scenario reports its own usage numbers,
 * so an assertion can only pass if the right call's usage landed.
 */
export const SCENARIOS = {
  plain: { model: 'gpt-4o-mini', input: 11, output: 7 },
  stream: { model: 'gpt-4o-mini-stream', input: 21, output: 13 },
  streamNoUsage: { model: 'gpt-4o-mini-nousage' },
  tools: { model: 'gpt-4o-mini-tools', input: 31, output: 17, toolCallId: 'call_weather_1' },
  /** A reasoning model call with cached input: usage details as OpenAI reports them. */
  reasoning: { model: 'o4-mini', input: 60, cached: 32, output: 40, reasoningTokens: 24 },
  rateLimited: { model: 'gpt-4o-mini-429' },
  serverError: { model: 'gpt-4o-mini-500' },
  hang: { model: 'gpt-4o-mini-hang', input: 23, output: 2 },
  embeddings: { model: 'text-embedding-3-small', input: 5 },
  responses: { model: 'gpt-4.1-mini', input: 41, output: 19 },
  anthropic: { model: 'claude-sonnet-4-5', input: 3, cacheRead: 100, cacheWrite: 50, output: 9 },
  anthropicStream: {
    model: 'claude-sonnet-4-5-stream',
    input: 4,
    cacheRead: 200,
    cacheWrite: 60,
    output: 12,
    toolUseId: 'toolu_01',
  },
  anthropicRateLimited: { model: 'claude-sonnet-4-5-429' },
  anthropicServerError: { model: 'claude-sonnet-4-5-500' },
} as const;

export interface FakeProvider {
  url: string;
  /** Requests received, body parsed: to check what the SDK (and we) sent. */
  requests: Array<{ path: string; body: Record<string, unknown> }>;
  /** Hanging streams whose client went away. */
  closedHangs: number;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

function readBody(req: IncomingMessage): Promise<Json> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Json);
      } catch {
        resolve({});
      }
    });
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req_fake' });
  res.end(JSON.stringify(body));
}

function sse(res: ServerResponse, events: Array<{ event?: string; data: unknown }>, end = true) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const e of events) {
    res.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${JSON.stringify(e.data)}\n\n`);
  }
  if (end) res.end();
}

function chatChunk(model: string, delta: Json, finish: string | null = null, usage?: Json | null) {
  return {
    id: 'chatcmpl-stream',
    object: 'chat.completion.chunk',
    created: 1,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...(usage === undefined ? {} : { usage }),
  };
}

function chatCompletion(body: Json, res: ServerResponse, provider: FakeProvider): void {
  const model = String(body.model);
  const s = SCENARIOS;
  if (model === s.rateLimited.model) {
    json(res, 429, { error: { message: 'Rate limit reached', type: 'rate_limit_exceeded' } });
    return;
  }
  if (model === s.serverError.model) {
    json(res, 500, { error: { message: 'The server had an error', type: 'server_error' } });
    return;
  }
  if (body.stream === true) {
    streamChat(body, res, provider);
    return;
  }
  const tools = model === s.tools.model;
  const usage = tools ? s.tools : s.plain;
  if (model === s.reasoning.model) {
    json(res, 200, reasoningCompletion());
    return;
  }
  json(res, 200, {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: `${model}-2024-07-18`,
    choices: [
      {
        index: 0,
        finish_reason: tools ? 'tool_calls' : 'stop',
        message: tools
          ? {
              role: 'assistant',
              content: null,
              tool_calls: [
                {
                  id: s.tools.toolCallId,
                  type: 'function',
                  function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
                },
              ],
            }
          : { role: 'assistant', content: 'Hello from the fake provider.' },
      },
    ],
    usage: {
      prompt_tokens: usage.input,
      completion_tokens: usage.output,
      total_tokens: usage.input + usage.output,
    },
  });
}

/** OpenAI's usage details: cached input inside prompt_tokens, reasoning inside completion_tokens. */
function reasoningUsage() {
  const r = SCENARIOS.reasoning;
  return {
    prompt_tokens: r.input,
    completion_tokens: r.output,
    total_tokens: r.input + r.output,
    prompt_tokens_details: { cached_tokens: r.cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: r.reasoningTokens, audio_tokens: 0 },
  };
}

function reasoningCompletion() {
  return {
    id: 'chatcmpl-reasoning',
    object: 'chat.completion',
    created: 1,
    model: `${SCENARIOS.reasoning.model}-2025-04-16`,
    choices: [
      {
        index: 0,
        finish_reason: 'stop',
        message: { role: 'assistant', content: 'Thought it through.' },
      },
    ],
    usage: reasoningUsage(),
  };
}

function streamChat(body: Json, res: ServerResponse, provider: FakeProvider): void {
  const model = String(body.model);
  const wantsUsage = (body.stream_options as Json | undefined)?.include_usage === true;
  const s = SCENARIOS;
  const usageChunk = (input: number, output: number) => ({
    ...chatChunk(model, {}, null, {
      prompt_tokens: input,
      completion_tokens: output,
      total_tokens: input + output,
    }),
    choices: [],
  });
  const withUsageField = wantsUsage ? null : undefined;
  if (model === s.hang.model) {
    sse(
      res,
      [{ data: chatChunk(model, { role: 'assistant', content: 'Hel' }, null, withUsageField) }],
      false,
    );
    res.on('close', () => {
      provider.closedHangs += 1;
    });
    return;
  }
  const events: Array<{ data: unknown }> = [
    { data: chatChunk(model, { role: 'assistant', content: 'Hello' }, null, withUsageField) },
    { data: chatChunk(model, { content: ' world' }, null, withUsageField) },
    { data: chatChunk(model, {}, 'stop', withUsageField) },
  ];
  if (wantsUsage && model === s.stream.model) {
    events.push({ data: usageChunk(s.stream.input, s.stream.output) });
  }
  if (wantsUsage && model === s.reasoning.model) {
    events.push({ data: { ...chatChunk(model, {}, null, reasoningUsage()), choices: [] } });
  }
  sse(res, events, false);
  res.end('data: [DONE]\n\n');
}

function embeddings(body: Json, res: ServerResponse): void {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  // openai v5+ asks for base64 and decodes it itself.
  const floats = [0.1, 0.2, 0.3];
  const vector =
    body.encoding_format === 'base64'
      ? Buffer.from(new Float32Array(floats).buffer).toString('base64')
      : floats;
  json(res, 200, {
    object: 'list',
    model: String(body.model),
    data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: vector })),
    usage: { prompt_tokens: SCENARIOS.embeddings.input, total_tokens: SCENARIOS.embeddings.input },
  });
}

function responseObject(model: string) {
  const s = SCENARIOS.responses;
  return {
    id: 'resp_1',
    object: 'response',
    created_at: 1,
    model,
    status: 'completed',
    output: [
      {
        type: 'message',
        id: 'msg_1',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'Responses hello.', annotations: [] }],
      },
    ],
    usage: {
      input_tokens: s.input,
      output_tokens: s.output,
      total_tokens: s.input + s.output,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens_details: { reasoning_tokens: 0 },
    },
  };
}

function responses(body: Json, res: ServerResponse): void {
  const model = String(body.model);
  if (body.stream !== true) {
    json(res, 200, responseObject(model));
    return;
  }
  const done = responseObject(model);
  sse(res, [
    {
      event: 'response.created',
      data: {
        type: 'response.created',
        response: { ...done, status: 'in_progress', usage: null, output: [] },
      },
    },
    {
      event: 'response.output_text.delta',
      data: { type: 'response.output_text.delta', delta: 'Responses hello.' },
    },
    { event: 'response.completed', data: { type: 'response.completed', response: done } },
  ]);
}

function anthropicMessages(body: Json, res: ServerResponse): void {
  const model = String(body.model);
  if (
    model === SCENARIOS.anthropicRateLimited.model ||
    model === SCENARIOS.anthropicServerError.model
  ) {
    const limited = model === SCENARIOS.anthropicRateLimited.model;
    json(res, limited ? 429 : 500, {
      type: 'error',
      error: limited
        ? { type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit' }
        : { type: 'api_error', message: 'Internal server error' },
    });
    return;
  }
  const s =
    model === SCENARIOS.anthropicStream.model ? SCENARIOS.anthropicStream : SCENARIOS.anthropic;
  const usage = {
    input_tokens: s.input,
    cache_read_input_tokens: s.cacheRead,
    cache_creation_input_tokens: s.cacheWrite,
  };
  if (body.stream !== true) {
    json(res, 200, {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: 'Bonjour.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { ...usage, output_tokens: s.output },
    });
    return;
  }
  const toolId = SCENARIOS.anthropicStream.toolUseId;
  const ev = (type: string, data: Json) => ({ event: type, data: { type, ...data } });
  sse(res, [
    ev('message_start', {
      message: {
        id: 'msg_2',
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Let me check.' } }),
    ev('content_block_stop', { index: 0 }),
    ev('content_block_start', {
      index: 1,
      content_block: { type: 'tool_use', id: toolId, name: 'get_weather', input: {} },
    }),
    ev('content_block_delta', {
      index: 1,
      delta: { type: 'input_json_delta', partial_json: '{"city":"Paris"}' },
    }),
    ev('content_block_stop', { index: 1 }),
    ev('message_delta', {
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { output_tokens: s.output },
    }),
    ev('message_stop', {}),
  ]);
}

/** Starts the fake provider on 127.0.0.1 and an ephemeral port. Base URL ends in /v1. */
export async function startFakeProvider(): Promise<FakeProvider> {
  const provider: FakeProvider = {
    url: '',
    requests: [],
    closedHangs: 0,
    close: async () => {},
  };
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const path = (req.url ?? '').split('?')[0] ?? '';
    provider.requests.push({ path, body });
    if (path.endsWith('/chat/completions')) chatCompletion(body, res, provider);
    else if (path.endsWith('/embeddings')) embeddings(body, res);
    else if (path.endsWith('/responses')) responses(body, res);
    else if (path.endsWith('/messages')) anthropicMessages(body, res);
    else json(res, 404, { error: { message: `no route ${path}` } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  provider.url = `http://127.0.0.1:${port}/v1`;
  provider.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return provider;
}
