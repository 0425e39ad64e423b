import { trace } from '@opentelemetry/api';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFER_DIGEST_MAX_LENGTH,
  setDigestAttribute,
  textLengthOver,
} from '../../../instrumentation/digest-attribute.js';
import { keyedDigestHex } from '../../../shared/digest/index.js';
import { setupTracing } from '../../helpers/tracing.js';

const tracing = setupTracing();
afterAll(() => tracing.shutdown());
beforeEach(() => tracing.reset());

const KEY = 'unit-test-key';
const hmac = (text: string) => keyedDigestHex(KEY, text);
const tracer = () => trace.getTracer('digest-attribute-test');

describe('setDigestAttribute', () => {
  it('is the HMAC of the content as it was when set, even if the app changes it later', () => {
    const messages = [{ role: 'user', content: 'first question' }];
    const span = tracer().startSpan('chat');
    setDigestAttribute(span, 'spanledger.input_hash', messages, KEY);
    const expected = hmac(JSON.stringify(messages));
    // A chat loop appends the reply to the array it sent: the digest must not follow.
    messages.push({ role: 'assistant', content: 'an answer' });
    span.end();
    const [ended] = tracing.spans();
    expect(ended!.attributes['spanledger.input_hash']).toBe(expected);
  });

  it('reads as an ordinary enumerable attribute (JSON, spread, Object.entries)', () => {
    const span = tracer().startSpan('chat');
    setDigestAttribute(span, 'spanledger.output_hash', 'the completion', KEY);
    span.end();
    const attributes = tracing.spans()[0]!.attributes;
    const expected = hmac('the completion');
    expect(JSON.parse(JSON.stringify(attributes))['spanledger.output_hash']).toBe(expected);
    expect({ ...attributes }['spanledger.output_hash']).toBe(expected);
    expect(Object.entries(attributes)).toContainEqual(['spanledger.output_hash', expected]);
    // Computed once: every later read gives the same string.
    expect(attributes['spanledger.output_hash']).toBe(expected);
    expect(Object.getOwnPropertyDescriptor(attributes, 'spanledger.output_hash')).toMatchObject({
      enumerable: true,
    });
  });

  it('leaves nothing on the attribute record but the attribute itself', () => {
    const span = tracer().startSpan('chat', { attributes: { 'gen_ai.request.model': 'm' } });
    setDigestAttribute(span, 'spanledger.input_hash', 'the prompt', KEY);
    setDigestAttribute(span, 'spanledger.output_hash', 'the completion', KEY);
    span.end();
    const attributes = tracing.spans()[0]!.attributes;
    expect(Reflect.ownKeys(attributes)).toEqual([
      'gen_ai.request.model',
      'spanledger.input_hash',
      'spanledger.output_hash',
    ]);
    expect(attributes).toEqual({
      'gen_ai.request.model': 'm',
      'spanledger.input_hash': hmac('the prompt'),
      'spanledger.output_hash': hmac('the completion'),
    });
  });

  it('a later setAttribute of the same key replaces the digest', () => {
    const span = tracer().startSpan('chat');
    setDigestAttribute(span, 'spanledger.output_hash', 'old', KEY);
    span.setAttribute('spanledger.output_hash', 'replaced');
    span.end();
    expect(tracing.spans()[0]!.attributes['spanledger.output_hash']).toBe('replaced');
  });

  it('hashes large content at once rather than keeping it in memory', () => {
    const span = tracer().startSpan('chat');
    const big = 'x'.repeat(DEFER_DIGEST_MAX_LENGTH + 1);
    setDigestAttribute(span, 'spanledger.input_hash', big, KEY);
    span.end();
    const attributes = tracing.spans()[0]!.attributes;
    expect(Object.getOwnPropertyDescriptor(attributes, 'spanledger.input_hash')).toMatchObject({
      value: hmac(big),
    });
  });

  it('hashes a large message array at once too, without building its JSON twice', () => {
    const span = tracer().startSpan('chat');
    const messages = [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'y'.repeat(DEFER_DIGEST_MAX_LENGTH) },
    ];
    setDigestAttribute(span, 'spanledger.input_hash', messages, KEY);
    span.end();
    const attributes = tracing.spans()[0]!.attributes;
    expect(Object.getOwnPropertyDescriptor(attributes, 'spanledger.input_hash')).toMatchObject({
      value: hmac(JSON.stringify(messages)),
    });
  });

  it('captures an object result as it was: a key added later does not change the digest', () => {
    const result = { content: [{ type: 'text', text: '42' }], isError: false } as Record<
      string,
      unknown
    >;
    const span = tracer().startSpan('execute_tool');
    setDigestAttribute(span, 'spanledger.output_hash', result, KEY);
    const expected = hmac(JSON.stringify(result));
    result.cached = true;
    span.end();
    expect(tracing.spans()[0]!.attributes['spanledger.output_hash']).toBe(expected);
  });

  it("keeps each span's pending digest apart when many share the same attribute", () => {
    const texts = ['a', 'b', 'c'].map((text) => {
      const span = tracer().startSpan('chat');
      setDigestAttribute(span, 'spanledger.output_hash', text, KEY);
      span.end();
      return text;
    });
    expect(tracing.spans().map((span) => span.attributes['spanledger.output_hash'])).toEqual(
      texts.map(hmac),
    );
  });

  it('does nothing for a span that is not recording', () => {
    const span = trace.wrapSpanContext({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 0,
    });
    expect(() => setDigestAttribute(span, 'spanledger.input_hash', 'x', KEY)).not.toThrow();
    expect(span.isRecording()).toBe(false);
  });
});

describe('textLengthOver', () => {
  it('counts the text in strings, arrays and objects', () => {
    expect(textLengthOver('abc', 100)).toBe(3);
    expect(textLengthOver([{ role: 'user', content: 'hello' }], 100)).toBeGreaterThanOrEqual(5);
  });

  it('stops counting once past the limit', () => {
    const many = Array.from({ length: 10_000 }, () => 'x'.repeat(10));
    const counted = textLengthOver(many, 50);
    expect(counted).toBeGreaterThan(50);
    expect(counted).toBeLessThan(100);
  });

  it('treats content nested deeper than it walks as large', () => {
    const deep = { a: { b: { c: { d: { e: { f: 'x' } } } } } };
    expect(textLengthOver(deep, 1000)).toBeGreaterThan(1000);
  });
});
