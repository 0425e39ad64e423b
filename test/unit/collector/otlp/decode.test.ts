import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTraceRequest, OtlpDecodeError } from '../../../../collector/otlp/index.js';
import { spanLikeFromReadable } from '../../../../exporters/index.js';
import { chatAttributes, createTestTracer } from '../../../helpers/spans.js';

function sampleSpans(): ReadableSpan[] {
  const t = createTestTracer({ 'service.name': 'svc', 'service.version': '1.2.3' });
  const parent = t.open(
    'invoke_agent',
    { 'gen_ai.operation.name': 'invoke_agent' },
    1_700_000_000_000,
  );
  const child = t.tracer.startSpan(
    'chat gpt-4o-mini',
    {
      kind: SpanKind.CLIENT,
      attributes: chatAttributes({ 'app.list': ['a', 'b'], 'app.flag': true, 'app.ratio': 0.25 }),
      startTime: [1_700_000_000, 123_456_789],
    },
    trace.setSpan(context.active(), parent),
  );
  child.addEvent('gen_ai.choice', { index: 0 }, [1_700_000_000, 500_000_000]);
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited' });
  child.end([1_700_000_001, 0]);
  parent.end(1_700_000_002_000);
  return t.finished();
}

describe('decodeTraceRequest', () => {
  for (const [encoding, serializer] of [
    ['protobuf', ProtobufTraceSerializer],
    ['json', JsonTraceSerializer],
  ] as const) {
    it(`maps a ${encoding} request from the OTel serializer to SpanLike`, () => {
      const spans = sampleSpans();
      const body = Buffer.from(serializer.serializeRequest(spans as never)!);
      const decoded = decodeTraceRequest(body, encoding);
      expect(decoded).toHaveLength(2);
      const chat = decoded.find((s) => s.name === 'chat gpt-4o-mini')!;
      const source = spans.find((s) => s.name === 'chat gpt-4o-mini')!;
      expect(chat.traceId).toBe(source.spanContext().traceId);
      expect(chat.spanId).toBe(source.spanContext().spanId);
      expect(chat.kind).toBe(SpanKind.CLIENT);
      expect(chat.startTimeMs).toBe(1_700_000_000 * 1e3 + 123_456_789 / 1e6);
      expect(chat.endTimeMs).toBe(1_700_000_001_000);
      expect(chat.status).toEqual({ code: SpanStatusCode.ERROR, message: 'rate limited' });
      expect(chat.attributes['gen_ai.usage.input_tokens']).toBe(
        source.attributes['gen_ai.usage.input_tokens'],
      );
      expect(chat.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
      expect(chat.attributes['app.list']).toEqual(['a', 'b']);
      expect(chat.attributes['app.flag']).toBe(true);
      expect(chat.attributes['app.ratio']).toBe(0.25);
      expect(chat.events).toEqual([
        { name: 'gen_ai.choice', timeMs: 1_700_000_000_500, attributes: { index: 0 } },
      ]);
      expect(chat.resource['service.name']).toBe('svc');
      expect(chat.parentSpanId).toBe(decoded.find((s) => s.name === 'invoke_agent')!.spanId);
      // The same times as the in-process exporter computes: started_at is part of the key.
      const direct = spanLikeFromReadable(source);
      expect([chat.startTimeMs, chat.endTimeMs]).toEqual([direct.startTimeMs, direct.endTimeMs]);
      expect(chat.scope).toEqual({ name: 'spanledger-test', version: '1.0.0' });
    });
  }

  it('keeps a parent span id and leaves it out for roots', () => {
    const body = Buffer.from(
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: 'AB'.repeat(16),
                    spanId: '01'.repeat(8),
                    parentSpanId: '02'.repeat(8),
                    kind: 'SPAN_KIND_SERVER',
                  },
                  { traceId: 'ab'.repeat(16), spanId: '03'.repeat(8), parentSpanId: '' },
                ],
              },
            ],
          },
        ],
      }),
    );
    const [child, root] = decodeTraceRequest(body, 'json');
    expect(child!.traceId).toBe('ab'.repeat(16));
    expect(child!.parentSpanId).toBe('02'.repeat(8));
    expect(child!.kind).toBe(SpanKind.SERVER);
    expect(root!.parentSpanId).toBeUndefined();
  });

  it('keeps int64 attributes beyond 2^53 exact, as text', () => {
    const body = Buffer.from(
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    attributes: [
                      { key: 'big', value: { intValue: '9007199254740993' } },
                      { key: 'small', value: { intValue: 42 } },
                      { key: 'nan', value: { doubleValue: 'NaN' } },
                      { key: 'unset', value: {} },
                      { key: 'empty', value: { arrayValue: {} } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const [span] = decodeTraceRequest(body, 'json');
    expect(span!.attributes).toEqual({
      big: '9007199254740993',
      small: 42,
      nan: Number.NaN,
      empty: [],
    });
  });

  it('names the path of a value of the wrong type', () => {
    const body = Buffer.from('{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":5}]}]}]}');
    expect(() => decodeTraceRequest(body, 'json')).toThrow(
      'resourceSpans[0].scopeSpans[0].spans[0].name: expected a string',
    );
  });

  it('throws nothing but OtlpDecodeError, whatever the bytes (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 512 }),
        fc.constantFrom('protobuf', 'json'),
        (bytes, encoding) => {
          try {
            expect(Array.isArray(decodeTraceRequest(Buffer.from(bytes), encoding as 'json'))).toBe(
              true,
            );
          } catch (err) {
            expect(err).toBeInstanceOf(OtlpDecodeError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('throws nothing but OtlpDecodeError for any JSON value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          decodeTraceRequest(
            Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [value] }] }] })),
            'json',
          );
        } catch (err) {
          expect(err).toBeInstanceOf(OtlpDecodeError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('survives absurd nesting with a 400, not a crash', () => {
    let value = '{"stringValue":"leaf"}';
    for (let i = 0; i < 100_000; i++) value = `{"arrayValue":{"values":[${value}]}}`;
    const body = Buffer.from(
      `{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"k","value":${value}}]}]}]}]}`,
    );
    try {
      const [span] = decodeTraceRequest(body, 'json');
      expect(String(span!.attributes.k)).toContain('[nested too deep]');
    } catch (err) {
      expect(err).toBeInstanceOf(OtlpDecodeError);
    }
  });
});
