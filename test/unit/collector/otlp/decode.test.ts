import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import protobuf from 'protobufjs/minimal.js';
import { describe, expect, it } from 'vitest';
import { decodeTraceRequest, OtlpDecodeError } from '../../../../collector/otlp/index.js';
import { spanLikeFromReadable } from '../../../../exporters/index.js';
import { chatAttributes, createTestTracer } from '../../../helpers/spans.js';

/** A binary protobuf error names where it failed: the root or a field path in JSON names. */
const NAMES_A_FIELD = /ExportTraceServiceRequest: (\(root\)|resourceSpans\[\d+\][\w.[\]]*): /;

/** One length-delimited field: tag (field number, wire type 2), length, bytes. */
function field(id: number, bytes: Uint8Array | string): Uint8Array {
  const writer = protobuf.Writer.create().uint32((id << 3) | 2);
  return (typeof bytes === 'string' ? writer.string(bytes) : writer.bytes(bytes)).finish();
}

/** ExportTraceServiceRequest > ResourceSpans > ScopeSpans > the given encoded Spans. */
function requestOf(...spans: Uint8Array[]): Buffer {
  const scopeSpans = Buffer.concat(spans.map((span) => field(2, span)));
  return Buffer.from(field(1, field(2, scopeSpans)));
}

function protobufError(body: Buffer): string {
  try {
    decodeTraceRequest(body, 'protobuf');
  } catch (err) {
    expect(err).toBeInstanceOf(OtlpDecodeError);
    return (err as Error).message;
  }
  throw new Error('expected the body to be rejected');
}

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
            if (encoding === 'protobuf') expect((err as Error).message).toMatch(NAMES_A_FIELD);
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

  describe('binary protobuf failures name the field', () => {
    const name = (text: string) => field(5, text);

    it('a string that is not UTF-8 is kept with U+FFFD in its place, not refused', () => {
      const bad = Buffer.from(name('bbbbbbbb'));
      bad[bad.length - 2] = 0xff;
      const [, span] = decodeTraceRequest(requestOf(name('fine'), bad), 'protobuf');
      expect(span!.name).toBe('bbbbbb\uFFFDb');
    });

    it('a span whose start time is cut short', () => {
      // Span.start_time_unix_nano: field 7, fixed64 (wire type 1), 8 bytes.
      const start = protobuf.Writer.create()
        .uint32((7 << 3) | 1)
        .fixed64(1)
        .finish();
      const body = requestOf(name('fine'), start.subarray(0, start.length - 3));
      expect(protobufError(body)).toMatch(
        /: resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[1\]\.startTimeUnixNano: index out of range/,
      );
    });

    it('a body cut short', () => {
      const body = requestOf(name('a'), name('a longer span name'));
      expect(protobufError(body.subarray(0, body.length - 4))).toMatch(
        /: resourceSpans\[0\]: declares \d+ bytes, more than its message has left \(truncated\?\)/,
      );
    });

    it('AnyValue nested past the decoder recursion limit (100, as protoc)', () => {
      let value: Uint8Array = field(1, 'leaf'); // AnyValue.string_value
      for (let i = 0; i < 60; i++) value = field(5, field(1, value)); // array_value.values[0]
      const attribute = Buffer.concat([field(1, 'k'), field(2, value)]); // KeyValue
      const message = protobufError(requestOf(field(9, attribute))); // Span.attributes
      expect(message).toContain(
        'resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.arrayValue.values[0].arrayValue',
      );
      expect(message).toContain('maximum nesting depth exceeded');
    });

    it('any corruption of a valid request: decoded, or a 400 naming a field (property)', () => {
      const t = createTestTracer({ 'service.name': 'svc' });
      t.span('chat gpt-4o-mini', chatAttributes({ 'app.list': ['a', 'b'] }));
      t.span('execute_tool lookup', { 'gen_ai.tool.name': 'lookup' });
      const valid = Buffer.from(ProtobufTraceSerializer.serializeRequest(t.finished() as never)!);
      fc.assert(
        fc.property(
          fc.nat(valid.length - 1),
          fc.integer({ min: 1, max: 255 }),
          fc.boolean(),
          (at, xor, truncate) => {
            const body = Buffer.from(valid);
            body[at] = body[at]! ^ xor;
            try {
              decodeTraceRequest(truncate ? body.subarray(0, at) : body, 'protobuf');
            } catch (err) {
              expect(err).toBeInstanceOf(OtlpDecodeError);
              expect((err as Error).message).toMatch(NAMES_A_FIELD);
            }
          },
        ),
        { numRuns: 3000 },
      );
    });
  });
});
