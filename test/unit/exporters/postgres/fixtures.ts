import type { Attributes } from '@opentelemetry/api';
import type { SpanLike } from '../../../../exporters/postgres/rows.js';
import { resolveTransformOptions } from '../../../../exporters/postgres/transform.js';

/** 2025-10-01T12:00:00.000Z: after every default price's effective_from. */
export const T0 = Date.UTC(2025, 9, 1, 12, 0, 0);

/** Options for tests: a fixed hash key so hashes are reproducible. */
export const OPTIONS = resolveTransformOptions({ hashKey: 'test-hash-key' });

let next = 1;

/** A span with valid ids and times; `attributes` and `overrides` make it what the test needs. */
export function span(attributes: Attributes, overrides: Partial<SpanLike> = {}): SpanLike {
  const n = next++;
  return {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: n.toString(16).padStart(16, '0').replace(/^0/, 'a'),
    parentSpanId: '00f067aa0ba902b7',
    name: 'test span',
    kind: 2,
    startTimeMs: T0 + 0.25,
    endTimeMs: T0 + 1234.5,
    attributes,
    status: { code: 0 },
    resource: { 'service.name': 'checkout', 'service.version': '1.4.2' },
    scope: { name: 'test-scope', version: '1.0.0' },
    ...overrides,
  };
}

/** OTel GenAI (current): an OpenAI chat call as the contrib/spanledger instrumentations emit it. */
export function otelChat(extra: Attributes = {}): SpanLike {
  return span(
    {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.response.id': 'chatcmpl-AbC123',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.usage.cache_read.input_tokens': 1000,
      'gen_ai.request.temperature': 0.2,
      'server.address': 'api.openai.com',
      'server.port': 443,
      ...extra,
    },
    {
      name: 'chat gpt-4o',
      scope: { name: '@opentelemetry/instrumentation-openai', version: '0.1.0' },
    },
  );
}

/** OTel GenAI before the 1.27 rename: gen_ai.system and prompt/completion tokens. */
export function otelDeprecatedChat(): SpanLike {
  return span({
    'gen_ai.operation.name': 'chat',
    'gen_ai.system': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.usage.prompt_tokens': 50,
    'gen_ai.usage.completion_tokens': 10,
  });
}

/**
 * OpenLLMetry JS Anthropic: input tokens exclude cache read/write; prompts and completions as
 * indexed gen_ai.prompt.N.* / gen_ai.completion.N.* attributes.
 */
export function openLlmetryAnthropic(): SpanLike {
  return span(
    {
      'gen_ai.system': 'Anthropic',
      'llm.request.type': 'chat',
      'gen_ai.request.model': 'claude-3-7-sonnet-latest',
      'gen_ai.response.model': 'claude-3-7-sonnet-20250219',
      'gen_ai.usage.prompt_tokens': 100,
      'gen_ai.usage.completion_tokens': 50,
      'llm.usage.total_tokens': 150,
      'gen_ai.usage.cache_read_input_tokens': 1000,
      'gen_ai.usage.cache_creation_input_tokens': 200,
      'gen_ai.prompt.0.role': 'user',
      'gen_ai.prompt.0.content': 'Summarise the contract in one line.',
      'gen_ai.completion.0.role': 'assistant',
      'gen_ai.completion.0.content': 'A two-year lease at 1,200 EUR a month.',
      'gen_ai.completion.0.finish_reason': 'end_turn',
    },
    {
      name: 'anthropic.messages',
      scope: { name: '@traceloop/instrumentation-anthropic', version: '0.14.0' },
    },
  );
}

/** OpenInference (Arize) OpenAI LLM span. */
export function openInferenceLlm(): SpanLike {
  return span(
    {
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'gpt-4.1-mini-2025-04-14',
      'llm.provider': 'openai',
      'llm.system': 'openai',
      'llm.token_count.prompt': 2000,
      'llm.token_count.completion': 400,
      'llm.token_count.total': 2400,
      'llm.token_count.prompt_details.cache_read': 1500,
      'llm.token_count.completion_details.reasoning': 100,
      'llm.invocation_parameters': '{"temperature":0}',
      'input.value': '{"messages":[{"role":"user","content":"hi"}]}',
      'input.mime_type': 'application/json',
      'output.value': '{"choices":[{"message":{"content":"hello"}}]}',
      'llm.input_messages.0.message.role': 'user',
      'llm.input_messages.0.message.content': 'hi',
      'llm.output_messages.0.message.role': 'assistant',
      'llm.output_messages.0.message.content': 'hello',
    },
    { name: 'ChatCompletion', scope: { name: '@arizeai/openinference-instrumentation-openai' } },
  );
}

/** AI SDK 5 wrapper span: aggregates its steps' usage; not a provider call itself. */
export function vercelWrapper(): SpanLike {
  return span(
    {
      'operation.name': 'ai.generateText',
      'ai.operationId': 'ai.generateText',
      'ai.model.id': 'gpt-4o-mini',
      'ai.model.provider': 'openai.chat',
      'ai.prompt': '{"prompt":"What is the weather?"}',
      'ai.response.text': 'Sunny.',
      'ai.response.finishReason': 'stop',
      'ai.usage.promptTokens': 30,
      'ai.usage.completionTokens': 5,
      'ai.settings.maxRetries': 2,
    },
    { name: 'ai.generateText', scope: { name: 'ai' } },
  );
}

/** AI SDK 5 provider step under the wrapper: the call that is billed. */
export function vercelDoGenerate(extra: Attributes = {}): SpanLike {
  return span(
    {
      'operation.name': 'ai.generateText.doGenerate',
      'ai.operationId': 'ai.generateText.doGenerate',
      'ai.model.id': 'gpt-4o-mini',
      'ai.model.provider': 'openai.chat',
      'ai.prompt.messages':
        '[{"role":"user","content":[{"type":"text","text":"What is the weather?"}]}]',
      'ai.response.text': 'Sunny.',
      'ai.response.finishReason': 'stop',
      'ai.response.id': 'chatcmpl-vercel-1',
      'ai.response.model': 'gpt-4o-mini-2024-07-18',
      'ai.usage.inputTokens': 30,
      'ai.usage.outputTokens': 5,
      'ai.usage.totalTokens': 35,
      'gen_ai.system': 'openai.chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.response.id': 'chatcmpl-vercel-1',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.usage.input_tokens': 30,
      'gen_ai.usage.output_tokens': 5,
      ...extra,
    },
    { name: 'ai.generateText.doGenerate', scope: { name: 'ai' } },
  );
}

/** An MCP client tools/call span (OTel MCP conventions). */
export function mcpToolsCall(): SpanLike {
  return span(
    {
      'mcp.method.name': 'tools/call',
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'get_weather',
      'gen_ai.tool.call.arguments': '{"city":"Paris"}',
      'jsonrpc.request.id': 42,
      'mcp.session.id': 'sess-1',
      'mcp.protocol.version': '2025-06-18',
      'server.address': 'weather.internal',
      'network.transport': 'tcp',
    },
    { name: 'tools/call get_weather', kind: 2 },
  );
}

/** An HTTP client span: not a GenAI call. */
export function httpSpan(): SpanLike {
  return span({
    'http.request.method': 'GET',
    'url.full': 'https://example.com/',
    'http.response.status_code': 200,
  });
}
