import type { AttributeCollector } from './attribute-shapes.js';
import { MAX_VALUE_DEPTH, type PlainObject, type PlainValue, plainObject } from './attributes.js';
import { int64ToPlain } from './nanos.js';
import { FIXED64, LENGTH_DELIMITED, notPlain, VARINT, type WireReader } from './wire-reader.js';

// The value half of from-wire.ts's direct decoder: AnyValue (every member, nested arrays and
// kvlists to MAX_VALUE_DEPTH), KeyValue attributes and 64-bit times, read exactly as the
// generated code and from-protobuf.ts would, else NotPlainWire.

/** Scratch halves of 64-bit values: one read at a time, copied out at once. */
const bits = { lo: 0, hi: 0 };

export function want(wireType: number, expected: number): void {
  if (wireType !== expected) notPlain();
}

/**
 * Unsigned 64-bit nanoseconds in `bits` → epoch ms: the same number as the generated path's
 * nanosToEpochMs(BigInt), Number(seconds) * 1e3 + Number(rest) / 1e6, with seconds and rest
 * found exactly in doubles instead of five BigInts per time. The float quotient is off by at most
 * one second; the low 32 bits of `nanos - seconds * 1e9`, which Math.imul gives exactly, then
 * pin the rest (it lies within ±2^31) and correct it.
 */
function bitsToEpochMs(): number {
  const { hi, lo } = bits;
  if (hi === 0 && lo === 0) return 0;
  let seconds = Math.floor((hi * TWO_32 + lo) / 1e9);
  let rest = (lo - Math.imul(seconds, 1e9)) | 0;
  if (rest < 0) {
    seconds -= 1;
    rest += 1e9;
  } else if (rest >= 1e9) {
    seconds += 1;
    rest -= 1e9;
  }
  return seconds * 1e3 + rest / 1e6;
}

const TWO_32 = 4_294_967_296;

/** Fields of one AnyValue as the generated code keeps them: every member read, last one wins. */
interface AnyMembers {
  string: string | undefined;
  bool: boolean | undefined;
  int: number | string | undefined;
  double: number | undefined;
  bytes: string | undefined;
  array: PlainValue[] | undefined;
  kvlist: PlainObject | undefined;
}

/** An AnyValue's plain value (from-protobuf.ts toPlain: the first member set, in its order). */
function anyValue(r: WireReader, end: number, depth: number): PlainValue {
  if (depth > MAX_VALUE_DEPTH) notPlain();
  // Nearly every value has one member: read it, and keep the general path for the rest.
  let members: AnyMembers | undefined;
  let single: PlainValue = null;
  let singleMember: keyof AnyMembers = 'string';
  let count = 0;
  while (r.pos < end) {
    const tag = r.uint32(end);
    const wireType = tag & 7;
    let value: PlainValue;
    let member: keyof AnyMembers;
    switch (tag >>> 3) {
      case 1:
        want(wireType, LENGTH_DELIMITED);
        value = r.string(end);
        member = 'string';
        break;
      case 2:
        want(wireType, VARINT);
        value = r.uint32(end) !== 0;
        member = 'bool';
        break;
      case 3:
        want(wireType, VARINT);
        r.varint64(end, bits);
        value = int64ToPlain({ low: bits.lo | 0, high: bits.hi | 0 });
        member = 'int';
        break;
      case 4:
        want(wireType, FIXED64);
        value = r.double(end);
        member = 'double';
        break;
      case 5: {
        want(wireType, LENGTH_DELIMITED);
        const stop = r.delimited(end);
        value = arrayValue(r, stop, depth);
        member = 'array';
        break;
      }
      case 6: {
        want(wireType, LENGTH_DELIMITED);
        const stop = r.delimited(end);
        value = kvlistValue(r, stop, depth);
        member = 'kvlist';
        break;
      }
      case 7: {
        want(wireType, LENGTH_DELIMITED);
        const stop = r.delimited(end);
        value = r.buf.toString('base64', r.pos, stop);
        r.pos = stop;
        member = 'bytes';
        break;
      }
      default:
        r.skip(wireType, end);
        continue;
    }
    count += 1;
    if (count === 1) {
      single = value;
      singleMember = member;
    } else {
      members ??= { [singleMember]: single } as unknown as AnyMembers;
      (members as unknown as Record<string, PlainValue>)[member] = value;
    }
  }
  if (count <= 1) return single;
  return firstMember(members!);
}

/** from-protobuf.ts toPlain's order when a sender set several members of the oneof. */
function firstMember(m: AnyMembers): PlainValue {
  return m.string ?? m.bool ?? m.int ?? m.double ?? m.bytes ?? m.array ?? m.kvlist ?? null;
}

/** An ArrayValue's values (each element one level deeper). */
function arrayValue(r: WireReader, end: number, depth: number): PlainValue[] {
  const values: PlainValue[] = [];
  while (r.pos < end) {
    const tag = r.uint32(end);
    if (tag >>> 3 !== 1) {
      r.skip(tag & 7, end);
      continue;
    }
    want(tag & 7, LENGTH_DELIMITED);
    const stop = r.delimited(end);
    values.push(anyValue(r, stop, depth + 1));
    if (r.pos !== stop) notPlain();
  }
  return values;
}

/** A KeyValueList as a null-prototype object (each value one level deeper). */
function kvlistValue(r: WireReader, end: number, depth: number): PlainObject {
  const object = plainObject();
  while (r.pos < end) {
    const tag = r.uint32(end);
    if (tag >>> 3 !== 1) {
      r.skip(tag & 7, end);
      continue;
    }
    want(tag & 7, LENGTH_DELIMITED);
    const stop = r.delimited(end);
    keyValue(r, stop, depth + 1);
    object[kv.key] = kv.value;
  }
  return object;
}

/** The last KeyValue read: key ('' when absent) and plain value (null when absent). */
const kv: { key: string; value: PlainValue } = { key: '', value: null };

function keyValue(r: WireReader, end: number, depth: number, expectedKey?: string): void {
  let key = '';
  let value: PlainValue = null;
  while (r.pos < end) {
    const tag = r.uint32(end);
    const wireType = tag & 7;
    const field = tag >>> 3;
    if (field === 1) {
      want(wireType, LENGTH_DELIMITED);
      key = r.key(end, expectedKey);
    } else if (field === 2) {
      want(wireType, LENGTH_DELIMITED);
      const stop = r.delimited(end);
      value = anyValue(r, stop, depth);
      if (r.pos !== stop) notPlain();
    } else {
      r.skip(wireType, end);
    }
  }
  kv.key = key;
  kv.value = value;
}

/** One repeated KeyValue field's element, added as from-protobuf.ts sets it (setAttribute). */
export function attribute(r: WireReader, end: number, into: AttributeCollector): void {
  const stop = r.delimited(end);
  keyValue(r, stop, 0, into.expectedKey());
  if (r.pos !== stop) notPlain();
  into.add(kv.key, kv.value);
}

/** A fixed64 field of unsigned nanoseconds (a span's or event's time) → epoch ms. */
export function fixed64EpochMs(r: WireReader, end: number): number {
  r.fixed64(end, bits);
  return bitsToEpochMs();
}
