import { describe, expect, it } from 'vitest';
import { normalizeProvider } from '../../../../exporters/postgres/normalize-provider.js';

describe('normalizeProvider', () => {
  it.each([
    ['openai', 'openai'],
    ['OpenAI', 'openai'],
    ['openai.chat', 'openai'],
    ['openai.responses', 'openai'],
    ['openai.completion', 'openai'],
    ['anthropic.messages', 'anthropic'],
    ['Anthropic', 'anthropic'],
    ['google.generative-ai', 'google'],
    ['google.vertex.chat', 'google'],
    ['gcp.gemini', 'google'],
    ['gcp.vertex_ai', 'google'],
    ['gcp.gen_ai', 'google'],
    ['vertex', 'google'],
    ['vertexai', 'google'],
    ['azure.ai.openai', 'azure.openai'],
    ['az.ai.openai', 'azure.openai'],
    ['azure.chat', 'azure.openai'],
    ['azure.ai.inference', 'azure.ai.inference'],
    ['aws.bedrock', 'aws.bedrock'],
    ['amazon-bedrock', 'aws.bedrock'],
    ['mistral_ai', 'mistral'],
    ['mistralai', 'mistral'],
    ['mistral.chat', 'mistral'],
    ['x_ai', 'xai'],
    ['xai.chat', 'xai'],
    ['deepseek.chat', 'deepseek'],
    ['ibm.watsonx.ai', 'ibm.watsonx.ai'],
    ['  Groq ', 'groq'],
    ['my-gateway', 'my-gateway'],
    ['some.new.thing', 'some.new.thing'],
  ])('%s → %s', (raw, expected) => {
    expect(normalizeProvider(raw)).toBe(expected);
  });

  it('returns null for nothing and is safe with prototype names', () => {
    expect(normalizeProvider(undefined)).toBeNull();
    expect(normalizeProvider('  ')).toBeNull();
    expect(normalizeProvider('constructor')).toBe('constructor');
    expect(normalizeProvider('__proto__.x')).toBe('__proto__.x');
  });
});
