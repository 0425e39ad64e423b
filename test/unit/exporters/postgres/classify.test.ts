import type { Attributes } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { classifySpan } from '../../../../exporters/postgres/classify.js';

const shape = (attributes: Attributes) => {
  const c = classifySpan(attributes);
  return c && [c.eventType, c.operation, c.leaf, c.convention];
};

describe('classifySpan', () => {
  it.each([
    ['chat', ['llm_call', 'chat', true, 'otel_genai']],
    ['text_completion', ['llm_call', 'text_completion', true, 'otel_genai']],
    ['generate_content', ['llm_call', 'generate_content', true, 'otel_genai']],
    ['embeddings', ['llm_call', 'embeddings', true, 'otel_genai']],
    ['execute_tool', ['tool_call', 'execute_tool', false, 'otel_genai']],
    ['invoke_agent', ['agent_call', 'invoke_agent', false, 'otel_genai']],
    ['create_agent', ['agent_call', 'create_agent', false, 'otel_genai']],
    ['invoke_workflow', ['agent_call', 'invoke_workflow', false, 'otel_genai']],
  ])('gen_ai.operation.name=%s', (operation, expected) => {
    expect(shape({ 'gen_ai.operation.name': operation })).toEqual(expected);
  });

  it('does not store retrieval or unknown operations', () => {
    expect(classifySpan({ 'gen_ai.operation.name': 'retrieval' })).toBeNull();
    expect(classifySpan({ 'gen_ai.operation.name': 'something_new' })).toBeNull();
  });

  it('makes any span with mcp.method.name an mcp_call, even a tools/call that says execute_tool', () => {
    expect(
      shape({ 'mcp.method.name': 'tools/call', 'gen_ai.operation.name': 'execute_tool' }),
    ).toEqual(['mcp_call', 'execute_tool', false, 'otel_genai']);
    expect(shape({ 'mcp.method.name': 'resources/read' })).toEqual([
      'mcp_call',
      'resources/read',
      false,
      'otel_genai',
    ]);
  });

  it.each([
    ['LLM', ['llm_call', 'chat', true, 'openinference']],
    ['EMBEDDING', ['llm_call', 'embeddings', true, 'openinference']],
    ['TOOL', ['tool_call', 'execute_tool', false, 'openinference']],
    ['AGENT', ['agent_call', 'invoke_agent', false, 'openinference']],
    ['CHAIN', null],
    ['RETRIEVER', null],
  ])('openinference.span.kind=%s', (kind, expected) => {
    expect(shape({ 'openinference.span.kind': kind })).toEqual(expected);
  });

  it.each([
    [{ 'llm.request.type': 'chat' }, ['llm_call', 'chat', true, 'openllmetry']],
    [{ 'llm.request.type': 'completion' }, ['llm_call', 'text_completion', true, 'openllmetry']],
    [{ 'llm.request.type': 'embedding' }, ['llm_call', 'embeddings', true, 'openllmetry']],
    [{ 'traceloop.span.kind': 'agent' }, ['agent_call', 'invoke_agent', false, 'openllmetry']],
    [{ 'traceloop.span.kind': 'tool' }, ['tool_call', 'execute_tool', false, 'openllmetry']],
    [{ 'traceloop.span.kind': 'workflow' }, null],
    [{ 'traceloop.span.kind': 'task' }, null],
  ])('OpenLLMetry %j', (attributes, expected) => {
    expect(shape(attributes)).toEqual(expected);
  });

  it.each([
    ['ai.generateText', ['llm_call', 'chat', false, 'vercel_ai']],
    ['ai.streamText', ['llm_call', 'chat', false, 'vercel_ai']],
    ['ai.generateObject', ['llm_call', 'chat', false, 'vercel_ai']],
    ['ai.embedMany', ['llm_call', 'embeddings', false, 'vercel_ai']],
    ['ai.generateText.doGenerate', ['llm_call', 'chat', true, 'vercel_ai']],
    ['ai.streamText.doStream', ['llm_call', 'chat', true, 'vercel_ai']],
    ['ai.streamObject.doStream', ['llm_call', 'chat', true, 'vercel_ai']],
    ['ai.embed.doEmbed', ['llm_call', 'embeddings', true, 'vercel_ai']],
    ['ai.toolCall', ['tool_call', 'execute_tool', false, 'vercel_ai']],
    ['ai.somethingElse', null],
  ])('ai.operationId=%s', (operationId, expected) => {
    expect(shape({ 'ai.operationId': operationId })).toEqual(expected);
  });

  it('lets the AI SDK operation win over the gen_ai.* it also sets', () => {
    expect(shape({ 'ai.operationId': 'ai.streamText', 'gen_ai.operation.name': 'chat' })?.[2]).toBe(
      false,
    );
  });

  it('treats a provider plus a model, without operation name, as a model call (older instrumentations)', () => {
    expect(shape({ 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4' })).toEqual([
      'llm_call',
      'chat',
      true,
      'otel_genai',
    ]);
    expect(classifySpan({ 'gen_ai.system': 'openai' })).toBeNull();
  });

  it('ignores everything else', () => {
    expect(
      classifySpan({
        'http.request.method': 'POST',
        'url.full': 'https://api.openai.com/v1/chat/completions',
      }),
    ).toBeNull();
    expect(classifySpan({ 'db.system.name': 'postgresql' })).toBeNull();
    expect(classifySpan({})).toBeNull();
  });
});
