import { describe, expect, it } from 'vitest';
import { readModelInfo } from '../../../../exporters/postgres/model-info.js';

const read = (attributes: Record<string, string>) => readModelInfo(attributes, 8192, []);

describe('readModelInfo', () => {
  it('takes the OpenInference requested model from llm.invocation_parameters', () => {
    expect(
      read({
        'llm.model_name': 'gpt-4o-mini-2024-07-18',
        'llm.invocation_parameters': '{"model":"gpt-4o-mini","temperature":0}',
      }),
    ).toMatchObject({ request_model: 'gpt-4o-mini', response_model: 'gpt-4o-mini-2024-07-18' });
  });

  it('finds the model of a failed call in the invocation parameters alone', () => {
    expect(read({ 'llm.invocation_parameters': '{"model": "gpt-4o-mini"}' })).toMatchObject({
      request_model: 'gpt-4o-mini',
      response_model: null,
    });
    expect(read({ 'llm.invocation_parameters': '{"model_name": "gpt-4o"}' }).request_model).toBe(
      'gpt-4o',
    );
  });

  it('prefers an explicit request model and survives malformed parameters', () => {
    expect(
      read({ 'gen_ai.request.model': 'a', 'llm.invocation_parameters': '{"model":"b"}' })
        .request_model,
    ).toBe('a');
    for (const broken of ['{"model":', '["model"]', 'null', '{"model":42}', '']) {
      expect(
        read({ 'llm.invocation_parameters': broken, 'llm.model_name': 'fallback' }).request_model,
      ).toBe('fallback');
    }
  });

  it('reads the provider from LangChain metadata only when no provider attribute says it', () => {
    expect(read({ metadata: '{"ls_provider":"anthropic"}' }).provider).toBe('anthropic');
    expect(read({ 'llm.provider': 'openai', metadata: '{"ls_provider":"x"}' }).provider).toBe(
      'openai',
    );
    expect(read({ metadata: 'free text' }).provider).toBeNull();
  });
});
