import type { Attributes } from '@opentelemetry/api';
import type { SpanLike } from '../../exporters/index.js';
import { AttributeCollector } from './attribute-shapes.js';
import { otlpKindToApiKind } from './span-kind.js';
import { FIXED64, LENGTH_DELIMITED, notPlain, VARINT, WireReader } from './wire-reader.js';
import { attribute, fixed64EpochMs, want } from './wire-values.js';

// A direct decoder from a binary ExportTraceServiceRequest to SpanLike[]: the same spans as
// spansFromProtobuf(generated decode), without building protobufjs's message objects first
// (a KeyValue, an AnyValue and a Long per attribute were most of the receiver's CPU per span).
// It takes only the plain road: any body it does not read exactly as protobufjs would (a wire
// type that differs from the schema's, links, entity refs, nesting past MAX_VALUE_DEPTH, a
// length past its end, ...) throws NotPlainWire, and decode.ts falls back to the generated code.

// One collector per level that has attributes: an event's are read in the middle of its span's.
const resourceAttributes = new AttributeCollector();
const scopeAttributes = new AttributeCollector();
const spanAttributes = new AttributeCollector();
const eventAttributes = new AttributeCollector();

/** A Resource's attributes. */
function resource(r: WireReader, end: number): Attributes {
  const attributes = resourceAttributes;
  attributes.reset();
  while (r.pos < end) {
    const tag = r.uint32(end);
    const field = tag >>> 3;
    // Entity refs (field 3) are messages of their own: left to the generated code.
    if (field === 3) notPlain();
    if (field === 1) {
      want(tag & 7, LENGTH_DELIMITED);
      attribute(r, end, attributes);
    } else if (field === 2) {
      want(tag & 7, VARINT);
      r.uint32(end);
    } else {
      r.skip(tag & 7, end);
    }
  }
  return attributes.build();
}

function scope(r: WireReader, end: number): SpanLike['scope'] {
  let name = '';
  let version = '';
  scopeAttributes.reset();
  while (r.pos < end) {
    const tag = r.uint32(end);
    const wireType = tag & 7;
    switch (tag >>> 3) {
      case 1:
        want(wireType, LENGTH_DELIMITED);
        name = r.string(end);
        break;
      case 2:
        want(wireType, LENGTH_DELIMITED);
        version = r.string(end);
        break;
      case 3:
        // The scope's attributes are not kept, but the generated code reads them: so do we.
        want(wireType, LENGTH_DELIMITED);
        attribute(r, end, scopeAttributes);
        break;
      case 4:
        want(wireType, VARINT);
        r.uint32(end);
        break;
      default:
        r.skip(wireType, end);
    }
  }
  return { name, version: version || undefined };
}

function status(r: WireReader, end: number): SpanLike['status'] {
  let code = 0;
  let message = '';
  while (r.pos < end) {
    const tag = r.uint32(end);
    const wireType = tag & 7;
    const field = tag >>> 3;
    if (field === 2) {
      want(wireType, LENGTH_DELIMITED);
      message = r.string(end);
    } else if (field === 3) {
      want(wireType, VARINT);
      code = r.uint32(end) | 0;
    } else {
      r.skip(wireType, end);
    }
  }
  return { code, message: message || undefined };
}

type SpanEvent = NonNullable<SpanLike['events']>[number];

function event(r: WireReader, end: number): SpanEvent {
  let name = '';
  let timeMs = 0;
  const attributes = eventAttributes;
  attributes.reset();
  while (r.pos < end) {
    const tag = r.uint32(end);
    const wireType = tag & 7;
    switch (tag >>> 3) {
      case 1:
        want(wireType, FIXED64);
        timeMs = fixed64EpochMs(r, end);
        break;
      case 2:
        want(wireType, LENGTH_DELIMITED);
        name = r.string(end);
        break;
      case 3:
        want(wireType, LENGTH_DELIMITED);
        attribute(r, end, attributes);
        break;
      case 4:
        want(wireType, VARINT);
        r.uint32(end);
        break;
      default:
        r.skip(wireType, end);
    }
  }
  return { name, timeMs, attributes: attributes.build() };
}

/** Ids as hex, whatever their length: the exporter rejects a bad one with a reason. */
const hexBytes = (r: WireReader, end: number): string => r.hex(end);

const NO_RESOURCE: Attributes = {};
const NO_SCOPE: SpanLike['scope'] = { name: '' };
const UNSET_STATUS = () => ({ code: 0, message: undefined });

/** Span fields other than attributes, events and times, one `case` each. */
function span(r: WireReader, end: number): SpanLike {
  const out: SpanLike = {
    traceId: '',
    spanId: '',
    parentSpanId: undefined,
    name: '',
    kind: 0,
    startTimeMs: 0,
    endTimeMs: 0,
    attributes: NO_RESOURCE, // replaced once the span is read
    status: UNSET_STATUS(),
    events: [],
    resource: NO_RESOURCE,
    scope: NO_SCOPE,
  };
  const events: SpanEvent[] = [];
  out.events = events;
  const attributes = spanAttributes;
  attributes.reset();
  let parent = '';
  let kind = 0;
  while (r.pos < end) {
    const tag = r.uint32(end);
    const wireType = tag & 7;
    switch (tag >>> 3) {
      case 1:
        want(wireType, LENGTH_DELIMITED);
        out.traceId = hexBytes(r, end);
        break;
      case 2:
        want(wireType, LENGTH_DELIMITED);
        out.spanId = hexBytes(r, end);
        break;
      case 4:
        want(wireType, LENGTH_DELIMITED);
        parent = hexBytes(r, end);
        break;
      case 5:
        want(wireType, LENGTH_DELIMITED);
        out.name = r.string(end);
        break;
      case 6:
        want(wireType, VARINT);
        kind = r.uint32(end) | 0;
        break;
      case 7:
        want(wireType, FIXED64);
        out.startTimeMs = fixed64EpochMs(r, end);
        break;
      case 8:
        want(wireType, FIXED64);
        out.endTimeMs = fixed64EpochMs(r, end);
        break;
      case 9:
        want(wireType, LENGTH_DELIMITED);
        attribute(r, end, attributes);
        break;
      case 11: {
        want(wireType, LENGTH_DELIMITED);
        const stop = r.delimited(end);
        events.push(event(r, stop));
        if (r.pos !== stop) notPlain();
        break;
      }
      case 13:
        // Links are messages the spans do not keep; the generated code checks them.
        notPlain();
        break;
      case 15: {
        want(wireType, LENGTH_DELIMITED);
        const stop = r.delimited(end);
        out.status = status(r, stop);
        if (r.pos !== stop) notPlain();
        break;
      }
      case 3:
        want(wireType, LENGTH_DELIMITED);
        r.string(end);
        break;
      case 10:
      case 12:
      case 14:
        want(wireType, VARINT);
        r.uint32(end);
        break;
      case 16:
        if (wireType !== 5) notPlain();
        r.skip(wireType, end);
        break;
      default:
        r.skip(wireType, end);
    }
  }
  out.attributes = attributes.build();
  out.parentSpanId = parent === '' ? undefined : parent;
  out.kind = otlpKindToApiKind(kind);
  return out;
}

/** A ScopeSpans: its spans get the scope once the whole message is read (it may come last). */
function scopeSpans(r: WireReader, end: number, into: SpanLike[]): void {
  const first = into.length;
  let spanScope: SpanLike['scope'] = { name: '', version: undefined };
  while (r.pos < end) {
    const tag = r.uint32(end);
    const wireType = tag & 7;
    const field = tag >>> 3;
    if (field === 1 || field === 2) {
      want(wireType, LENGTH_DELIMITED);
      const stop = r.delimited(end);
      if (field === 1) spanScope = scope(r, stop);
      else into.push(span(r, stop));
      if (r.pos !== stop) notPlain();
    } else if (field === 3) {
      want(wireType, LENGTH_DELIMITED);
      r.string(end);
    } else {
      r.skip(wireType, end);
    }
  }
  for (let i = first; i < into.length; i++) into[i]!.scope = spanScope;
}

/** A ResourceSpans: one resource object shared by its spans, set once it is read. */
function resourceSpans(r: WireReader, end: number, into: SpanLike[]): void {
  const first = into.length;
  let spanResource: Attributes = {};
  while (r.pos < end) {
    const tag = r.uint32(end);
    const wireType = tag & 7;
    const field = tag >>> 3;
    if (field === 1 || field === 2) {
      want(wireType, LENGTH_DELIMITED);
      const stop = r.delimited(end);
      if (field === 1) spanResource = resource(r, stop);
      else scopeSpans(r, stop, into);
      if (r.pos !== stop) notPlain();
    } else if (field === 3) {
      want(wireType, LENGTH_DELIMITED);
      r.string(end);
    } else {
      r.skip(wireType, end);
    }
  }
  for (let i = first; i < into.length; i++) into[i]!.resource = spanResource;
}

/**
 * Every span of a binary ExportTraceServiceRequest, read straight from the wire. Equal to
 * spansFromProtobuf(decodeProtobufRequest(body)) for every body it accepts; throws NotPlainWire
 * for the rest (see the note at the top).
 */
export function spansFromWire(body: Buffer): SpanLike[] {
  const r = new WireReader(body);
  const end = body.length;
  const spans: SpanLike[] = [];
  while (r.pos < end) {
    const tag = r.uint32(end);
    if (tag >>> 3 !== 1) {
      r.skip(tag & 7, end);
      continue;
    }
    want(tag & 7, LENGTH_DELIMITED);
    const stop = r.delimited(end);
    resourceSpans(r, stop, spans);
    if (r.pos !== stop) notPlain();
  }
  return spans;
}
