import {
  type Attributes,
  type AttributeValue,
  ROOT_CONTEXT,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTraceRequest } from '../../../../collector/otlp/index.js';
import { type SpanLike, spanLikeFromReadable } from '../../../../exporters/index.js';
import * as fixtures from '../../exporters/postgres/fixtures.js';

// Every span is encoded by the OTel SDK's public serializers (@opentelemetry/otlp-transformer,
// the same version as the rest of OTel here) and decoded by ours; the result must be what the
// in-process exporter sees for the same ReadableSpan (spanLikeFromReadable).

/** The SDK's ReadableSpan for a SpanLike: same name, kind, times, attributes, parent, etc. */
function readableFrom(like: SpanLike): ReadableSpan {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(like.resource),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer(like.scope.name, like.scope.version);
  const parent = like.parentSpanId
    ? trace.setSpanContext(ROOT_CONTEXT, {
        traceId: like.traceId,
        spanId: like.parentSpanId,
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
      })
    : ROOT_CONTEXT;
  const span = tracer.startSpan(
    like.name,
    { kind: like.kind, attributes: like.attributes, startTime: like.startTimeMs },
    parent,
  );
  for (const event of like.events ?? []) span.addEvent(event.name, event.attributes, event.timeMs);
  span.setStatus(like.status);
  span.end(like.endTimeMs);
  return memory.getFinishedSpans()[0]!;
}

function roundTrip(spans: ReadableSpan[], encoding: 'protobuf' | 'json'): SpanLike[] {
  const serializer = encoding === 'protobuf' ? ProtobufTraceSerializer : JsonTraceSerializer;
  return decodeTraceRequest(Buffer.from(serializer.serializeRequest(spans)!), encoding);
}

const FIXTURES: Array<[string, () => SpanLike]> = [
  ['span', () => fixtures.span({ 'app.key': 'value' })],
  ['otelChat', () => fixtures.otelChat()],
  ['otelDeprecatedChat', fixtures.otelDeprecatedChat],
  ['openLlmetryAnthropic', fixtures.openLlmetryAnthropic],
  ['openInferenceLlm', fixtures.openInferenceLlm],
  ['vercelWrapper', fixtures.vercelWrapper],
  ['vercelDoGenerate', () => fixtures.vercelDoGenerate()],
  ['mcpToolsCall', fixtures.mcpToolsCall],
  ['httpSpan', fixtures.httpSpan],
];

const safeInteger = fc.maxSafeInteger();
// Integral doubles are written as intValue by the serializer; keep these fractional.
const fraction = fc
  .double({ noNaN: true, noDefaultInfinity: true })
  .filter((d) => !Number.isInteger(d));
const text = fc.string({ unit: 'binary', maxLength: 40 });
const attributeValue: fc.Arbitrary<AttributeValue> = fc.oneof(
  text,
  safeInteger,
  fraction,
  fc.boolean(),
  fc.array(text, { maxLength: 5 }),
  fc.array(safeInteger, { maxLength: 5 }),
  fc.array(fc.boolean(), { maxLength: 5 }),
);
const attributes: fc.Arbitrary<Attributes> = fc.dictionary(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).filter((k) => k !== '__proto__'),
  attributeValue,
  { maxKeys: 12 },
);
const hex = (bytes: number) =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
const arbitrarySpan: fc.Arbitrary<SpanLike> = fc
  .record({
    traceId: hex(16),
    parentSpanId: fc.option(hex(8), { nil: undefined }),
    name: text,
    kind: fc.integer({ min: 0, max: 4 }),
    startTimeMs: fc.integer({ min: 1_000_000_000_000, max: 4_000_000_000_000 }),
    durationMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
    attributes,
    status: fc.record({
      code: fc.integer({ min: 0, max: 2 }),
      message: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
    }),
    events: fc.array(fc.record({ name: text, attributes, offsetMs: fc.nat(1000) }), {
      maxLength: 3,
    }),
    resource: attributes,
    scopeName: fc.string({ maxLength: 20 }),
  })
  .map((r) => ({
    traceId: r.traceId,
    spanId: '',
    parentSpanId: r.parentSpanId,
    name: r.name,
    kind: r.kind,
    startTimeMs: r.startTimeMs,
    endTimeMs: r.startTimeMs + r.durationMs,
    attributes: r.attributes,
    status: r.status.code === 2 ? r.status : { code: r.status.code },
    events: r.events.map((e) => ({
      name: e.name,
      attributes: e.attributes,
      timeMs: r.startTimeMs + e.offsetMs,
    })),
    resource: r.resource,
    scope: { name: r.scopeName, version: '1.0.0' },
  }));

describe('round trip through the OTel SDK serializers', () => {
  for (const encoding of ['protobuf', 'json'] as const) {
    it(`decodes every exporter fixture as the in-process exporter sees it (${encoding})`, () => {
      for (const [name, make] of FIXTURES) {
        const readable = readableFrom(make());
        expect(roundTrip([readable], encoding), name).toEqual([spanLikeFromReadable(readable)]);
      }
    });

    it(`decodes arbitrary spans as the in-process exporter sees them (${encoding}, property)`, () => {
      fc.assert(
        fc.property(fc.array(arbitrarySpan, { minLength: 1, maxLength: 4 }), (likes) => {
          const readables = likes.map(readableFrom);
          const decoded = roundTrip(readables, encoding);
          const expected = readables.map(spanLikeFromReadable);
          // The serializer groups spans by resource and scope, so compare as sets by span id.
          const byId = (spans: SpanLike[]) => new Map(spans.map((s) => [s.spanId, s]));
          expect(byId(decoded)).toEqual(byId(expected));
        }),
        { numRuns: 150 },
      );
    });
  }
});
