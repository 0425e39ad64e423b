import type { Attributes } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import type { Convention } from '../../../../exporters/postgres/classify.js';
import { normalizeUsage, parseTokenCount } from '../../../../exporters/postgres/normalize-usage.js';

function usage(
  attributes: Attributes,
  convention: Convention = 'otel_genai',
  scopeName = 'any',
  provider: string | null = 'openai',
) {
  const flags: string[] = [];
  const result = normalizeUsage(attributes, { convention, scopeName, provider }, flags);
  return { ...result, flags };
}

describe('normalizeUsage', () => {
  it('reads current OTel GenAI usage, cache and reasoning included', () => {
    expect(
      usage({
        'gen_ai.usage.input_tokens': 1000,
        'gen_ai.usage.output_tokens': 500,
        'gen_ai.usage.cache_read.input_tokens': 600,
        'gen_ai.usage.cache_creation.input_tokens': 100,
        'gen_ai.usage.reasoning.output_tokens': 200,
      }),
    ).toMatchObject({
      input_tokens: 1000,
      output_tokens: 500,
      cache_read_tokens: 600,
      cache_write_tokens: 100,
      reasoning_tokens: 200,
      usage_source: 'provider',
      convention: 'otel_genai',
      flags: [],
    });
  });

  it('accepts cache_write.input_tokens as an alias of cache_creation', () => {
    expect(
      usage({ 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.cache_write.input_tokens': 4 })
        .cache_write_tokens,
    ).toBe(4);
  });

  it('reads the deprecated prompt/completion names', () => {
    expect(
      usage({ 'gen_ai.usage.prompt_tokens': 7, 'gen_ai.usage.completion_tokens': 3 }),
    ).toMatchObject({
      input_tokens: 7,
      output_tokens: 3,
      convention: 'otel_genai_deprecated',
    });
  });

  it('leaves unknown counts NULL, never 0, and says there was no usage', () => {
    expect(usage({ 'gen_ai.request.model': 'gpt-4o' })).toMatchObject({
      input_tokens: null,
      output_tokens: null,
      usage_source: 'none',
      convention: null,
    });
    expect(usage({ 'gen_ai.usage.input_tokens': 12 })).toMatchObject({
      input_tokens: 12,
      output_tokens: null,
      cache_read_tokens: null,
      usage_source: 'provider',
    });
  });

  it('reads cache and reasoning counts from any convention (OpenLLMetry Python has no marker)', () => {
    const result = usage(
      {
        'gen_ai.usage.input_tokens': 60,
        'gen_ai.usage.output_tokens': 40,
        'gen_ai.usage.cache_read_input_tokens': 32,
        'gen_ai.usage.reasoning_tokens': 24,
      },
      'otel_genai',
      'opentelemetry.instrumentation.openai.v1',
    );
    expect(result).toMatchObject({
      input_tokens: 60,
      output_tokens: 40,
      cache_read_tokens: 32,
      reasoning_tokens: 24,
      convention: 'openllmetry',
      flags: [],
    });
  });

  it('still reads input and output from one convention only', () => {
    expect(
      usage({ 'gen_ai.usage.input_tokens': 10, 'llm.token_count.completion': 3 }),
    ).toMatchObject({ input_tokens: 10, output_tokens: null, convention: 'otel_genai' });
  });

  it('respects an explicit estimated usage source', () => {
    expect(
      usage({ 'gen_ai.usage.input_tokens': 5, 'spanledger.usage_source': 'estimated' })
        .usage_source,
    ).toBe('estimated');
    expect(usage({ 'spanledger.usage_source': 'estimated' }).usage_source).toBe('none');
  });

  it('corrects the @traceloop/instrumentation-anthropic input that excludes cache', () => {
    const result = usage(
      {
        'gen_ai.usage.prompt_tokens': 100,
        'gen_ai.usage.completion_tokens': 50,
        'llm.usage.total_tokens': 150,
        'gen_ai.usage.cache_read_input_tokens': 1000,
        'gen_ai.usage.cache_creation_input_tokens': 200,
      },
      'openllmetry',
      '@traceloop/instrumentation-anthropic',
      'anthropic',
    );
    expect(result).toMatchObject({
      input_tokens: 1300,
      cache_read_tokens: 1000,
      cache_write_tokens: 200,
      convention: 'openllmetry',
    });
    expect(result.flags).toEqual(['input_excludes_cache_corrected']);
    expect(result.notes).toEqual({ 'spanledger.reported_input_tokens': 100 });
  });

  it('does not correct other OpenLLMetry instrumentations (Python already sums cache in)', () => {
    const result = usage(
      {
        'gen_ai.usage.prompt_tokens': 1300,
        'gen_ai.usage.cache_read_input_tokens': 1000,
        'llm.request.type': 'chat',
      },
      'openllmetry',
      'opentelemetry.instrumentation.anthropic',
      'anthropic',
    );
    expect([result.input_tokens, result.flags]).toEqual([1300, []]);
  });

  it('corrects AI SDK 5 Anthropic spans but trusts AI SDK 6, whose input includes cache', () => {
    const v5 = usage(
      { 'ai.usage.inputTokens': 20, 'ai.usage.outputTokens': 8, 'ai.usage.cachedInputTokens': 900 },
      'vercel_ai',
      'ai',
      'anthropic',
    );
    expect([v5.input_tokens, v5.flags]).toEqual([920, ['input_excludes_cache_corrected']]);
    const v6 = usage(
      {
        'ai.usage.inputTokens': 920,
        'ai.usage.outputTokens': 8,
        'ai.usage.cachedInputTokens': 900,
        'ai.usage.inputTokenDetails.noCacheTokens': 20,
        'ai.usage.inputTokenDetails.cacheReadTokens': 900,
      },
      'vercel_ai',
      'ai',
      'anthropic',
    );
    expect([v6.input_tokens, v6.flags]).toEqual([920, []]);
  });

  it('reads AI SDK 4 names and embedding spans', () => {
    expect(
      usage({ 'ai.usage.promptTokens': 12, 'ai.usage.completionTokens': 4 }, 'vercel_ai'),
    ).toMatchObject({
      input_tokens: 12,
      output_tokens: 4,
      convention: 'vercel_ai',
    });
    expect(usage({ 'ai.usage.tokens': 9 }, 'vercel_ai')).toMatchObject({
      input_tokens: 9,
      output_tokens: null,
    });
  });

  it('reads OpenInference token counts', () => {
    expect(
      usage(
        {
          'llm.token_count.prompt': 80,
          'llm.token_count.completion': 20,
          'llm.token_count.total': 100,
          'llm.token_count.prompt_details.cache_read': 30,
          'llm.token_count.prompt_details.cache_write': 10,
          'llm.token_count.completion_details.reasoning': 5,
        },
        'openinference',
      ),
    ).toMatchObject({
      input_tokens: 80,
      output_tokens: 20,
      cache_read_tokens: 30,
      cache_write_tokens: 10,
      reasoning_tokens: 5,
      convention: 'openinference',
      flags: [],
    });
  });

  it('falls back to another convention when the span mixes them', () => {
    expect(
      usage({ 'llm.token_count.prompt': 3, 'llm.token_count.completion': 1 }, 'otel_genai')
        .convention,
    ).toBe('openinference');
  });

  it.each([
    [
      'cache beyond input',
      {
        'gen_ai.usage.input_tokens': 10,
        'gen_ai.usage.cache_read.input_tokens': 8,
        'gen_ai.usage.cache_creation.input_tokens': 5,
      },
    ],
    [
      'reasoning beyond output',
      {
        'gen_ai.usage.input_tokens': 10,
        'gen_ai.usage.output_tokens': 5,
        'gen_ai.usage.reasoning.output_tokens': 6,
      },
    ],
    [
      'total that does not add up',
      {
        'gen_ai.usage.input_tokens': 10,
        'gen_ai.usage.output_tokens': 5,
        'gen_ai.usage.total_tokens': 16,
      },
    ],
  ])('stores %s as reported and flags token_mismatch', (_, attributes) => {
    const result = usage(attributes);
    expect(result.flags).toEqual(['token_mismatch']);
    expect(result.input_tokens).toBe(10);
  });

  it('keeps the reported total when it does not add up', () => {
    const result = usage({
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.usage.total_tokens': 16,
    });
    expect(result.notes).toEqual({ 'spanledger.reported_total_tokens': 16 });
  });

  it.each([[-1], [1.5], [Number.NaN], [Number.POSITIVE_INFINITY], [2 ** 53], ['12abc'], [true]])(
    'turns %s into NULL with invalid_token_value',
    (value) => {
      const result = usage({
        'gen_ai.usage.input_tokens': value as number,
        'gen_ai.usage.output_tokens': 3,
      });
      expect([result.input_tokens, result.output_tokens, result.flags]).toEqual([
        null,
        3,
        ['invalid_token_value'],
      ]);
    },
  );
});

describe('parseTokenCount', () => {
  it('accepts safe non-negative integers and OTLP/JSON digit strings', () => {
    expect(parseTokenCount(0)).toBe(0);
    expect(parseTokenCount(123)).toBe(123);
    expect(parseTokenCount('4096')).toBe(4096);
    expect(parseTokenCount(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseTokenCount(undefined)).toBeNull();
    expect(parseTokenCount(null)).toBeNull();
    expect(typeof parseTokenCount('99999999999999999')).toBe('symbol');
  });
});
