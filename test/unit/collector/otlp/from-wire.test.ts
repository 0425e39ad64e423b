import fc from 'fast-check';
import protobuf from 'protobufjs/minimal.js';
import { describe, expect, it } from 'vitest';
import { spansFromProtobuf } from '../../../../collector/otlp/from-protobuf.js';
import { spansFromWire } from '../../../../collector/otlp/from-wire.js';
import { decodeTraceRequest } from '../../../../collector/otlp/index.js';
import { nanosToEpochMs } from '../../../../collector/otlp/nanos.js';
import otlp from '../../../../collector/otlp/proto/generated/otlp.js';
import { decodeProtobufRequest } from '../../../../collector/otlp/proto-codec.js';
import { NotPlainWire } from '../../../../collector/otlp/wire-reader.js';

const codec = otlp.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/** What the generated code makes of a body: the reference the direct decoder must equal. */
const reference = (body: Buffer) => spansFromProtobuf(decodeProtobufRequest(body));

const encode = (request: object): Buffer =>
  Buffer.from(codec.encode(codec.fromObject(request)).finish());

const int64 = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
);
const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constant(''));

// AnyValue objects for fromObject, nested a few levels, with several oneof members now and then.
const { anyValue } = fc.letrec<{ anyValue: object }>((tie) => ({
  anyValue: fc.oneof(
    { depthSize: 'small' },
    fc.record({ stringValue: text }),
    fc.record({ boolValue: fc.boolean() }),
    fc.record({ intValue: int64 }),
    fc.record({ doubleValue: fc.double() }),
    fc.record({ bytesValue: fc.uint8Array({ maxLength: 8 }) }),
    fc.record({ arrayValue: fc.record({ values: fc.array(tie('anyValue'), { maxLength: 4 }) }) }),
    fc.record({
      kvlistValue: fc.record({
        values: fc.array(fc.record({ key: text, value: tie('anyValue') }), { maxLength: 3 }),
      }),
    }),
    fc.record({ stringValue: text, intValue: int64 }),
    fc.constant({}),
  ),
}));

const key = fc.oneof(
  fc.constantFrom('gen_ai.request.model', 'gen_ai.usage.input_tokens', '__proto__', '', 'a.b'),
  text,
);
const attributes = fc.array(fc.record({ key, value: anyValue }, { requiredKeys: ['key'] }), {
  maxLength: 6,
});
const id = (bytes: number) =>
  fc.oneof(fc.uint8Array({ minLength: bytes, maxLength: bytes }), fc.uint8Array({ maxLength: 20 }));
const nanos = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String);

const span = fc.record(
  {
    traceId: id(16),
    spanId: id(8),
    parentSpanId: id(8),
    traceState: text,
    name: text,
    kind: fc.integer({ min: -1, max: 7 }),
    startTimeUnixNano: nanos,
    endTimeUnixNano: nanos,
    attributes,
    droppedAttributesCount: fc.nat(),
    events: fc.array(
      fc.record({ timeUnixNano: nanos, name: text, attributes }, { requiredKeys: [] }),
      { maxLength: 2 },
    ),
    status: fc.record({ message: text, code: fc.integer({ min: 0, max: 2 }) }),
    flags: fc.nat(),
  },
  { requiredKeys: [] },
);

const request = fc.record({
  resourceSpans: fc.array(
    fc.record(
      {
        resource: fc.record({ attributes, droppedAttributesCount: fc.nat() }, { requiredKeys: [] }),
        scopeSpans: fc.array(
          fc.record(
            {
              scope: fc.record({ name: text, version: text, attributes }, { requiredKeys: [] }),
              spans: fc.array(span, { maxLength: 3 }),
              schemaUrl: text,
            },
            { requiredKeys: [] },
          ),
          { maxLength: 2 },
        ),
        schemaUrl: text,
      },
      { requiredKeys: [] },
    ),
    { maxLength: 2 },
  ),
});

/** One length-delimited field (wire type 2). */
function field(number: number, bytes: Uint8Array): Buffer {
  return Buffer.from(
    protobuf.Writer.create()
      .uint32((number << 3) | 2)
      .bytes(bytes)
      .finish(),
  );
}

describe('spansFromWire', () => {
  it('reads any well-formed request exactly as the generated code does (property)', () => {
    fc.assert(
      fc.property(request, (object) => {
        const body = encode(object);
        expect(spansFromWire(body)).toStrictEqual(reference(body));
      }),
      { numRuns: 300 },
    );
  });

  it('on damaged bodies either agrees with the generated code or leaves them to it (property)', () => {
    const damaged = request.chain((object) => {
      const body = encode(object);
      return fc
        .array(fc.tuple(fc.nat({ max: Math.max(0, body.length - 1) }), fc.nat({ max: 255 })), {
          minLength: 1,
          maxLength: 3,
        })
        .chain((edits) =>
          fc.nat({ max: body.length }).map((cut) => {
            const copy = Buffer.from(body);
            for (const [at, byte] of edits) if (at < copy.length) copy[at] = byte;
            return copy.subarray(0, cut);
          }),
        );
    });
    fc.assert(
      fc.property(damaged, (body) => {
        let direct: ReturnType<typeof spansFromWire> | undefined;
        try {
          direct = spansFromWire(body);
        } catch (err) {
          expect(err).toBeInstanceOf(NotPlainWire);
          return;
        }
        expect(direct).toStrictEqual(reference(body));
      }),
      { numRuns: 300 },
    );
  });

  it('gives spans the resource and scope that come after them in the message', () => {
    const spanField = otlp.opentelemetry.proto.trace.v1.Span.encode({ name: 'late' }).finish();
    const scopeField = otlp.opentelemetry.proto.common.v1.InstrumentationScope.encode({
      name: 'scope-after',
    }).finish();
    const resourceField = otlp.opentelemetry.proto.resource.v1.Resource.encode({
      attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }],
    }).finish();
    const scopeSpans = Buffer.concat([field(2, spanField), field(1, scopeField)]);
    const resourceSpans = Buffer.concat([field(2, scopeSpans), field(1, resourceField)]);
    const body = field(1, resourceSpans);
    const spans = spansFromWire(body);
    expect(spans).toStrictEqual(reference(body));
    expect(spans[0]!.scope.name).toBe('scope-after');
    expect(spans[0]!.resource).toEqual({ 'service.name': 'svc' });
  });

  it('leaves links to the generated code, and decodeTraceRequest still returns the spans', () => {
    const body = encode({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  name: 'linked',
                  traceId: new Uint8Array(16).fill(1),
                  spanId: new Uint8Array(8).fill(2),
                  links: [{ traceId: new Uint8Array(16).fill(3), spanId: new Uint8Array(8) }],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(() => spansFromWire(body)).toThrow(NotPlainWire);
    expect(decodeTraceRequest(body, 'protobuf')).toStrictEqual(reference(body));
  });

  it('builds long attribute lists from remembered shapes with the same keys, values and order (property)', () => {
    // Lists long enough for the shape templates (12+ keys), from a small pool of keys so that
    // shapes repeat from span to span, keys repeat within a list, and "__proto__" turns up.
    const pooled = fc.constantFrom(
      ...Array.from({ length: 20 }, (_, i) => `gen_ai.key.${10 + i}`),
      '__proto__',
      '',
      '7',
    );
    // Lists of one length per request, so that different keys often fall on the same shape slot.
    const shapedSpans = fc.integer({ min: 12, max: 20 }).chain((length) =>
      fc.array(
        fc.record({
          name: text,
          attributes: fc.array(fc.record({ key: pooled, value: anyValue }), {
            minLength: length,
            maxLength: length,
          }),
        }),
        { minLength: 1, maxLength: 6 },
      ),
    );
    fc.assert(
      fc.property(shapedSpans, fc.nat({ max: 5 }), (spans, repeat) => {
        // The same lists again, so the later spans are built from the earlier ones' shapes.
        const all = [...spans, ...spans.slice(0, repeat), ...spans];
        const body = encode({ resourceSpans: [{ scopeSpans: [{ spans: all }] }] });
        const direct = spansFromWire(body);
        const expected = reference(body);
        expect(direct).toStrictEqual(expected);
        direct.forEach((span, i) => {
          expect(Object.keys(span.attributes)).toEqual(Object.keys(expected[i]!.attributes));
          expect(Object.getPrototypeOf(span.attributes)).toBe(Object.prototype);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('converts times exactly as nanosToEpochMs does, over the whole unsigned 64-bit range', () => {
    const edges = [
      0n,
      1n,
      999_999_999n,
      1_000_000_000n,
      2n ** 32n - 1n,
      2n ** 32n,
      2n ** 53n + 1n,
      1_764_979_200_123_456_789n,
      2n ** 63n,
      2n ** 64n - 1n,
    ];
    const check = (times: bigint[]) => {
      const body = encode({
        resourceSpans: [
          {
            scopeSpans: [
              { spans: times.map((t) => ({ name: 't', startTimeUnixNano: t.toString() })) },
            ],
          },
        ],
      });
      spansFromWire(body).forEach((span, i) => {
        expect(span.startTimeMs).toBe(nanosToEpochMs(times[i]!));
      });
    };
    check(edges);
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { minLength: 1, maxLength: 20 }),
        check,
      ),
      { numRuns: 200 },
    );
  });
});
