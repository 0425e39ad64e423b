import type { Attributes } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { METADATA_ATTRIBUTE_KEYS } from '../../../../exporters/postgres/attribute-allowlist.js';
import { classifyKey, KeyKind } from '../../../../exporters/postgres/attribute-keys.js';
import { DIGEST_PREFIX, hmacHex } from '../../../../exporters/postgres/digest.js';
import type { SpanLike, SpanRow } from '../../../../exporters/postgres/rows.js';
import {
  resolveTransformOptions,
  transformSpan,
} from '../../../../exporters/postgres/transform.js';
import { OPTIONS, otelChat } from './fixtures.js';
import {
  CHANNELS,
  json,
  longText,
  MARKER,
  openInference,
  SECRET_MESSAGE,
  SECRETS,
} from './privacy-channels.js';

const KEY = 'test-hash-key';
const CAPTURE = resolveTransformOptions({ hashKey: KEY, captureContent: true });

function rowOf(s: SpanLike, options = OPTIONS): SpanRow {
  const result = transformSpan(s, options);
  if (result.kind !== 'row') throw new Error(`expected a row, got ${result.kind}`);
  return result.row;
}

const digestOf = (text: string) => DIGEST_PREFIX + hmacHex(KEY, text);

describe('privacy by allowlist: every channel, capture off', () => {
  it.each(CHANNELS)('%s: the text never reaches the row', (_, extra, where) => {
    const r = rowOf(openInference(extra));
    expect(JSON.stringify(r)).not.toContain(MARKER);
    if (where === 'digest') {
      const [key, value] = Object.entries(extra).find(([, v]) => json(v).includes(MARKER))!;
      const text = typeof value === 'string' ? value : json(value);
      expect(r.attributes[key]).toBe(digestOf(text));
      expect(r.flags).toContain('digested');
    } else {
      expect(r[where]).toMatch(/^v2:[0-9a-f]{64}$/);
    }
  });

  it('keeps only the allowlisted fields of llm.invocation_parameters, digesting the rest', () => {
    const parameters = {
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      stop: ['\n\n'],
      system: `You are ${MARKER}`,
      tools: [{ name: 't', description: MARKER }],
      response_format: { type: 'json_schema', json_schema: { description: MARKER } },
      messages: [{ role: 'user', content: MARKER }],
    };
    const r = rowOf(openInference({ 'llm.invocation_parameters': json(parameters) }));
    expect(JSON.stringify(r)).not.toContain(MARKER);
    expect(JSON.parse(r.attributes['llm.invocation_parameters'] as string)).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      stop: ['\n\n'],
      system: digestOf(json(parameters.system)),
      tools: digestOf(json(parameters.tools)),
      response_format: digestOf(json(parameters.response_format)),
      messages: digestOf(json(parameters.messages)),
    });
    // The model was read from the parameters before they were filtered.
    expect(r.request_model).toBe('claude-sonnet-4-5');
  });

  it('keeps LangChain metadata (ls_provider, ls_model_name) and digests the app’s own fields', () => {
    const metadata = { ls_provider: 'openai', ls_model_name: 'gpt-4o-mini', customer: MARKER };
    const r = rowOf(openInference({ 'llm.provider': undefined, metadata: json(metadata) }));
    expect(JSON.stringify(r)).not.toContain(MARKER);
    expect(JSON.parse(r.attributes.metadata as string)).toEqual({
      ls_provider: 'openai',
      ls_model_name: 'gpt-4o-mini',
      customer: digestOf(json(MARKER)),
    });
  });

  it('digests a parameter JSON attribute that is not a JSON object', () => {
    const r = rowOf(openInference({ 'llm.invocation_parameters': longText }));
    expect(r.attributes['llm.invocation_parameters']).toBe(digestOf(longText));
  });

  it('digests a repeated field the raw text would have kept', () => {
    const text = `{"model":{"messages":"${MARKER}"},"model":"gpt-4o"}`;
    const r = rowOf(openInference({ 'llm.invocation_parameters': text }));
    expect(JSON.stringify(r)).not.toContain(MARKER);
    expect(JSON.parse(r.attributes['llm.invocation_parameters'] as string)).toEqual({
      model: 'gpt-4o',
    });
  });

  it('digests an attribute name that is not shaped like one, and its value', () => {
    const key = `What did ${MARKER} say?`;
    const r = rowOf(otelChat({ [key]: 'yes', [`${MARKER}.count`]: 3 }));
    expect(JSON.stringify(r)).not.toContain(`What did ${MARKER}`);
    expect(r.attributes[digestOf(key)]).toBe(digestOf('yes'));
    // A key shaped like an attribute name is kept: names are the instrumentation's, not the user's.
    expect(r.attributes[`${MARKER}.count`]).toBe(3);
  });

  it('keeps numbers and booleans of unknown keys, digests arrays (token ids, vectors)', () => {
    const r = rowOf(otelChat({ 'app.retries': 2, 'app.cached': true, 'app.token_ids': [1, 2] }));
    expect(r.attributes['app.retries']).toBe(2);
    expect(r.attributes['app.cached']).toBe(true);
    expect(r.attributes['app.token_ids']).toBe(digestOf('[1,2]'));
  });

  it('keeps the metadata the conventions put in attributes', () => {
    const r = rowOf(
      otelChat({
        'gen_ai.request.top_p': 0.9,
        'gen_ai.request.stop_sequences': ['END'],
        'gen_ai.openai.response.system_fingerprint': 'fp_44709d6fcb',
        'gen_ai.agent.name': 'billing-agent',
        'code.function.name': 'summarizeCart',
      }),
    );
    expect(r.attributes).toMatchObject({
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.openai.response.system_fingerprint': 'fp_44709d6fcb',
      'gen_ai.agent.name': 'billing-agent',
      'code.function.name': 'summarizeCart',
      'server.address': 'api.openai.com',
      'server.port': 443,
    });
    expect(r.flags).not.toContain('digested');
  });

  it('stores keys the caller allows verbatim (redacted), but never content or column keys', () => {
    const options = resolveTransformOptions({
      hashKey: KEY,
      allowedAttributes: ['app.feature', 'gen_ai.input.messages'],
    });
    const r = rowOf(
      otelChat({
        'app.feature': 'cart-summary',
        'gen_ai.input.messages': json([{ role: 'user', content: MARKER }]),
      }),
      options,
    );
    expect(r.attributes['app.feature']).toBe('cart-summary');
    expect(JSON.stringify(r)).not.toContain(MARKER);
    expect(r.input_hash).not.toBeNull();
  });
});

describe('span names', () => {
  it.each([
    `Summarise ${MARKER} for me please`,
    `what is ${MARKER}?`,
    `${MARKER}, then`,
    `"${MARKER}"`,
    `tell me ${MARKER} now`,
  ])('digests a name that is free text: %s', (name) => {
    const r = rowOf({ ...otelChat(), name });
    expect(JSON.stringify(r)).not.toContain(MARKER);
    expect(r.span_name).toBe(digestOf(name));
    expect(r.flags).toContain('digested');
  });

  it.each([
    'chat gpt-4o',
    'execute_tool get_weather',
    'tools/call add',
    'ai.generateText.doGenerate',
    'OpenAI Chat Completions',
    'ChatOpenAI',
    'prompts/get.mcp',
    'chat claude-sonnet-4-5-20250929',
  ])('keeps a name shaped like one: %s', (name) => {
    expect(rowOf({ ...otelChat(), name }).span_name).toBe(name);
  });

  it('redacts secrets and e-mail addresses in a name it keeps', () => {
    const r = rowOf({
      ...otelChat(),
      name: 'call sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12 bob@example.com',
    });
    expect(r.span_name).toBe('call [REDACTED] [REDACTED]');
    expect(r.flags).toContain('redacted');
  });

  it('keeps free-text names with capture on, still redacted', () => {
    const name = `Summarise ${MARKER} for alice@example.com`;
    expect(rowOf({ ...otelChat(), name }, CAPTURE).span_name).toBe(
      `Summarise ${MARKER} for [REDACTED]`,
    );
  });
});

describe('status and exception messages', () => {
  const message = SECRET_MESSAGE;

  it('redacts secrets and e-mail addresses in the status message', () => {
    const r = rowOf({ ...otelChat({ 'error.type': '401' }), status: { code: 2, message } });
    for (const secret of SECRETS) expect(JSON.stringify(r)).not.toContain(secret);
    expect(r.error_message).toContain('401 for [REDACTED]');
    expect(r.flags).toContain('redacted');
  });

  it('redacts them in the exception event’s message', () => {
    const r = rowOf({
      ...otelChat(),
      status: { code: 2 },
      events: [
        {
          name: 'exception',
          timeMs: 0,
          attributes: { 'exception.type': 'AuthenticationError', 'exception.message': message },
        },
      ],
    });
    for (const secret of SECRETS) expect(JSON.stringify(r)).not.toContain(secret);
    expect(r.error_type).toBe('AuthenticationError');
  });
});

describe('capture on: content goes where it did', () => {
  it('puts prompt channels in input_content and keeps other text in attributes', () => {
    const r = rowOf(
      openInference({
        'llm.prompt_template.template': longText,
        'tool.parameters': json({ description: MARKER }),
        'llm.invocation_parameters': json({ model: 'm', system: MARKER }),
      }),
      CAPTURE,
    );
    expect(r.input_content).toBe(longText);
    expect(r.attributes['tool.parameters']).toBe(json({ description: MARKER }));
    expect(r.attributes['llm.invocation_parameters']).toBe(json({ model: 'm', system: MARKER }));
    expect(r.flags).not.toContain('digested');
  });
});

describe('property: unknown string attributes never appear verbatim with capture off', () => {
  /** Keys that are allowed to keep their text: allowlisted or mapped to a column. */
  const keeps = (key: string) =>
    METADATA_ATTRIBUTE_KEYS.has(key) ||
    ([KeyKind.Consumed, KeyKind.Secret] as KeyKind[]).includes(classifyKey(key));
  const text = fc
    .tuple(fc.string(), fc.string())
    .map(([before, after]) => `${before}${MARKER}${after}`);
  const value = fc.oneof(text, fc.array(text), fc.array(fc.integer()), fc.integer());

  it('holds for arbitrary keys and values, on every kind of GenAI span', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.oneof(
            fc.string(),
            fc.constantFrom('app.note', 'metadata', 'llm.invocation_parameters'),
          ),
          value,
          { maxKeys: 8 },
        ),
        fc.constantFrom(otelChat(), openInference({})),
        (extra, base) => {
          const attributes: Attributes = { ...base.attributes };
          for (const [key, v] of Object.entries(extra)) if (!keeps(key)) attributes[key] = v;
          const r = rowOf({ ...base, attributes });
          expect(JSON.stringify(r)).not.toContain(MARKER);
        },
      ),
      { numRuns: 500 },
    );
  });
});
