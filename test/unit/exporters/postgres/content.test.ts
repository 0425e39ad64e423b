import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  contentHashText,
  hmacHex,
  splitAttributes,
} from '../../../../exporters/postgres/content.js';
import { DIGEST_PREFIX } from '../../../../exporters/postgres/digest.js';
import { keyedDigestHex } from '../../../../shared/digest/index.js';

const base = { captureContent: false, hashKey: 'key-1', maxStringLength: 1000 };
const MESSAGES = '[{"role":"user","content":"What is my balance?"}]';

describe('splitAttributes (privacy by default)', () => {
  it('removes content from attributes and stores its v2 keyed digest (documented definition)', () => {
    const result = splitAttributes(
      {
        'gen_ai.input.messages': MESSAGES,
        'gen_ai.output.messages': 'It is 12 EUR.',
        'app.feature': 'bank-bot',
      },
      base,
      [],
    );
    // app.feature is not on the allowlist: its text is digested too.
    expect(result.attributes).toEqual({
      'app.feature': DIGEST_PREFIX + hmacHex('key-1', 'bank-bot'),
    });
    // docs/instrumentation.md: v2: + hex SHA-512/256(subkey ‖ text), subkey = hex HMAC-SHA-256 of
    // "spanledger digest v2" under the key — the same digest the instrumentation writes.
    const subkey = createHmac('sha256', 'key-1').update('spanledger digest v2').digest('hex');
    const v2 = (text: string) =>
      `v2:${createHash('sha512-256')
        .update(subkey + text)
        .digest('hex')}`;
    expect(result.input_hash).toBe(v2(MESSAGES));
    expect(result.output_hash).toBe(v2('It is 12 EUR.'));
    expect([result.input_content, result.output_content]).toEqual([null, null]);
  });

  it('gives different hashes under different keys, equal ones under the same key', () => {
    const attributes = { 'gen_ai.input.messages': MESSAGES };
    const a = splitAttributes(attributes, base, []).input_hash;
    const b = splitAttributes(attributes, { ...base, hashKey: 'key-2' }, []).input_hash;
    expect(a).not.toBe(b);
    expect(splitAttributes(attributes, base, []).input_hash).toBe(a);
  });

  it('prefers the hashes the instrumentation computed', () => {
    const result = splitAttributes(
      {
        'gen_ai.input.messages': MESSAGES,
        'spanledger.input_hash': 'abc123',
        'spanledger.output_hash': 'def456',
      },
      base,
      [],
    );
    expect([result.input_hash, result.output_hash]).toEqual(['abc123', 'def456']);
    expect(result.attributes).toEqual({});
  });

  it('leaves hashes NULL when there is no content', () => {
    const result = splitAttributes({ 'app.feature': 'x' }, base, []);
    expect([result.input_hash, result.output_hash]).toEqual([null, null]);
  });

  it.each([
    'gen_ai.input.messages',
    'gen_ai.system_instructions',
    'gen_ai.prompt.0.content',
    'gen_ai.tool.call.arguments',
    'llm.input_messages.0.message.content',
    'input.value',
    'ai.prompt',
    'ai.prompt.messages',
    'ai.toolCall.args',
    'spanledger.input_content',
    'traceloop.entity.input',
    'llm.prompt_template.variables',
    'embedding.embeddings.0.embedding.text',
  ])('treats %s as input content', (key) => {
    const result = splitAttributes({ [key]: 'secret plan' }, base, []);
    expect(result.attributes).toEqual({});
    expect(result.input_hash).toBe(keyedDigestHex('key-1', 'secret plan'));
  });

  it.each([
    'gen_ai.output.messages',
    'gen_ai.completion.0.content',
    'gen_ai.tool.call.result',
    'llm.output_messages.0.message.content',
    'output.value',
    'ai.response.text',
    'ai.response.toolCalls',
    'ai.toolCall.result',
    'spanledger.output_content',
    'traceloop.entity.output',
    'ai.response.reasoning',
    'ai.embeddings',
  ])('treats %s as output content', (key) => {
    const result = splitAttributes({ [key]: 'the answer' }, base, []);
    expect(result.attributes).toEqual({});
    expect(result.output_hash).toBe(keyedDigestHex('key-1', 'the answer'));
  });

  it('hashes several content attributes in key order, joined by newlines', () => {
    const attributes = { 'gen_ai.prompt.1.content': 'second', 'gen_ai.prompt.0.content': 'first' };
    expect(
      contentHashText(attributes, ['gen_ai.prompt.1.content', 'gen_ai.prompt.0.content']),
    ).toBe('first\nsecond');
    expect(splitAttributes(attributes, base, []).input_hash).toBe(
      keyedDigestHex('key-1', 'first\nsecond'),
    );
  });

  it('stores content only with captureContent, as one value or a JSON object of several', () => {
    const single = splitAttributes(
      { 'gen_ai.input.messages': MESSAGES },
      { ...base, captureContent: true },
      [],
    );
    expect(single.input_content).toBe(MESSAGES);
    const several = splitAttributes(
      { 'gen_ai.prompt.0.role': 'user', 'gen_ai.prompt.0.content': 'hi' },
      { ...base, captureContent: true },
      [],
    );
    expect(JSON.parse(several.input_content!)).toEqual({
      'gen_ai.prompt.0.content': 'hi',
      'gen_ai.prompt.0.role': 'user',
    });
  });

  it('keeps gen_ai.prompt.name (a template name, not content)', () => {
    expect(splitAttributes({ 'gen_ai.prompt.name': 'greeting-v2' }, base, []).attributes).toEqual({
      'gen_ai.prompt.name': 'greeting-v2',
    });
  });
});

describe('splitAttributes (secrets never stored)', () => {
  it('redacts attributes whose key names a secret', () => {
    const flags: string[] = [];
    const result = splitAttributes(
      {
        'http.request.header.authorization': ['Bearer abc'],
        'http.request.header.x-api-key': ['k'],
        'ai.request.headers.Cookie': 'session=1',
        'app.db_password': 'hunter2',
        'ai.telemetry.metadata.apiKey': 'x',
        'gen_ai.usage.input_tokens.extra': 3,
        'llm.token_count.prompt.extra': 4,
        'app.max_tokens': 5,
      },
      base,
      flags,
    );
    expect(result.attributes).toEqual({
      'http.request.header.authorization': '[REDACTED]',
      'http.request.header.x-api-key': '[REDACTED]',
      'ai.request.headers.Cookie': '[REDACTED]',
      'app.db_password': '[REDACTED]',
      'ai.telemetry.metadata.apiKey': '[REDACTED]',
      'gen_ai.usage.input_tokens.extra': 3,
      'llm.token_count.prompt.extra': 4,
      'app.max_tokens': 5,
    });
    expect(flags).toEqual(['redacted']);
  });

  it('redacts secret-looking values in stored strings and arrays', () => {
    const flags: string[] = [];
    // Stored verbatim only with capture on (or allowed): then they are still redacted.
    const result = splitAttributes(
      {
        'url.full': 'https://admin:s3cret@db.example.com/x?token=abc&page=2',
        'app.note': 'key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123 in a note',
        'app.list': ['fine', 'AKIAIOSFODNN7EXAMPLE'],
      },
      { ...base, captureContent: true },
      flags,
    );
    expect(result.attributes).toEqual({
      'url.full': 'https://admin:[REDACTED]@db.example.com/x?token=[REDACTED]&page=2',
      'app.note': 'key [REDACTED] in a note',
      'app.list': ['fine', '[REDACTED]'],
    });
    expect(flags).toEqual(['redacted']);
  });

  it('adds no flag when nothing was secret', () => {
    const flags: string[] = [];
    splitAttributes(
      { 'app.note': 'a perfectly ordinary note about api design' },
      { ...base, allowedAttributes: new Set(['app.note']) },
      flags,
    );
    expect(flags).toEqual([]);
  });
});
