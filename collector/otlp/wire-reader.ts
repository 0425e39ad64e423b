/**
 * Thrown by the direct decoder (from-wire.ts) whenever a body is anything but plainly well
 * formed: the caller then decodes it with the generated protobufjs code, which either returns
 * the same spans or throws the error that names the field. Never leaves this folder.
 */
export class NotPlainWire extends Error {}

const NOT_PLAIN = new NotPlainWire('not plain protobuf');

/** Throws {@link NotPlainWire}; `never`, so callers read as guards. */
export function notPlain(): never {
  throw NOT_PLAIN;
}

/**
 * Buffer's own decoders, which toString() reaches through argument checks (~0.3 µs a call).
 * They are not documented API (protobufjs relies on them the same way), so a Node version
 * without them gets the same decoding through toString().
 */
interface BufferSlices {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
}
const NATIVE_SLICES = (['utf8Slice', 'latin1Slice', 'hexSlice'] as const).every(
  (name) => typeof (Buffer.prototype as unknown as Partial<BufferSlices>)[name] === 'function',
);

function utf8Text(buf: Buffer, start: number, end: number): string {
  return NATIVE_SLICES
    ? (buf as unknown as BufferSlices).utf8Slice(start, end)
    : buf.toString('utf8', start, end);
}

function latin1Text(buf: Buffer, start: number, end: number): string {
  return NATIVE_SLICES
    ? (buf as unknown as BufferSlices).latin1Slice(start, end)
    : buf.toString('latin1', start, end);
}

function hexText(buf: Buffer, start: number, end: number): string {
  return NATIVE_SLICES
    ? (buf as unknown as BufferSlices).hexSlice(start, end)
    : buf.toString('hex', start, end);
}

/** Attribute keys repeat from span to span: the last key seen per hash slot, reused when equal. */
const KEY_SLOTS = 1024;
const MAX_CACHED_KEY = 64;
const keyCache: Array<string | undefined> = new Array(KEY_SLOTS).fill(undefined);

/** Wire types (the low three bits of a tag). */
export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH_DELIMITED = 2;
export const FIXED32 = 5;

/**
 * A strict reader of protobuf's wire format over one buffer: every read is checked against the
 * end of the message being read (`end`), and anything protobufjs would read differently or
 * reject (a varint over its width, a group, a length past the end) is refused with
 * {@link NotPlainWire} instead of being interpreted. Integer reads follow protobufjs 7's
 * reader bit for bit, so values read here equal the generated code's.
 */
export class WireReader {
  pos = 0;

  constructor(readonly buf: Buffer) {}

  /** A varint's low 32 bits, unsigned (protobufjs `uint32`); at most five bytes. */
  uint32(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    let value = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= end) notPlain();
      const byte = buf[pos++]!;
      value = (value | ((byte & 127) << shift)) >>> 0;
      if (byte < 128) {
        this.pos = pos;
        return value;
      }
    }
    if (pos >= end) notPlain();
    const byte = buf[pos++]!;
    if (byte >= 128) {
      // protobufjs skips the next five bytes unseen: right only for a ten-byte varint (a
      // negative int32), so that is the one long form read here.
      if (pos + 5 > end) notPlain();
      for (let i = 0; i < 4; i++) if (buf[pos + i]! < 128) notPlain();
      if (buf[pos + 4]! >= 128) notPlain();
      pos += 5;
    }
    this.pos = pos;
    return (value | ((byte & 15) << 28)) >>> 0;
  }

  /**
   * A 64-bit varint as its two 32-bit halves (protobufjs `readLongVarint`), written into `out`
   * so no object is made per value.
   */
  varint64(end: number, out: { lo: number; hi: number }): void {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 4; i++) {
      if (pos >= end) notPlain();
      const byte = buf[pos++]!;
      lo = (lo | ((byte & 127) << (i * 7))) >>> 0;
      if (byte < 128) {
        this.done64(pos, out, lo, hi);
        return;
      }
    }
    if (pos >= end) notPlain();
    let byte = buf[pos++]!;
    lo = (lo | ((byte & 127) << 28)) >>> 0;
    hi = (hi | ((byte & 127) >> 4)) >>> 0;
    if (byte < 128) {
      this.done64(pos, out, lo, hi);
      return;
    }
    for (let i = 0; i < 5; i++) {
      if (pos >= end) notPlain();
      byte = buf[pos++]!;
      hi = (hi | ((byte & 127) << (i * 7 + 3))) >>> 0;
      if (byte < 128) {
        this.done64(pos, out, lo, hi);
        return;
      }
    }
    notPlain();
  }

  private done64(pos: number, out: { lo: number; hi: number }, lo: number, hi: number): void {
    this.pos = pos;
    out.lo = lo;
    out.hi = hi;
  }

  /** Eight little-endian bytes as two unsigned 32-bit halves (protobufjs `fixed64`). */
  fixed64(end: number, out: { lo: number; hi: number }): void {
    const pos = this.pos;
    if (pos + 8 > end) notPlain();
    out.lo = this.buf.readUInt32LE(pos);
    out.hi = this.buf.readUInt32LE(pos + 4);
    this.pos = pos + 8;
  }

  /** An IEEE 754 double, little-endian. */
  double(end: number): number {
    const pos = this.pos;
    if (pos + 8 > end) notPlain();
    this.pos = pos + 8;
    return this.buf.readDoubleLE(pos);
  }

  /** A length prefix; returns where the delimited bytes end (checked against `end`). */
  delimited(end: number): number {
    const length = this.uint32(end);
    const stop = this.pos + length;
    if (stop > end) notPlain();
    return stop;
  }

  /** A length-delimited string, decoded as UTF-8 the way protobufjs does on Node (utf8Slice). */
  string(end: number): string {
    const stop = this.delimited(end);
    const text = utf8Text(this.buf, this.pos, stop);
    this.pos = stop;
    return text;
  }

  /**
   * {@link string} for attribute keys: a short ASCII key equal to one seen before is returned as
   * that same string. Decoding it again would cost little, but every fresh key string must then
   * be looked up in V8's string table when it becomes a property name, which was a fifth of
   * decoding. `expected` is a likely key (the one at the same place in the previous span's
   * list): when the bytes spell it, it is returned without hashing.
   */
  key(end: number, expected?: string): string {
    const stop = this.delimited(end);
    const buf = this.buf;
    const start = this.pos;
    const length = stop - start;
    // The key the previous list had at this place: one comparison instead of hashing first.
    if (expected !== undefined && expected.length === length && sameAscii(expected, buf, start)) {
      this.pos = stop;
      return expected;
    }
    if (length > MAX_CACHED_KEY) return this.rest(stop);
    let hash = length;
    for (let i = start; i < stop; i++) {
      const byte = buf[i]!;
      if (byte >= 128) return this.rest(stop);
      hash = (Math.imul(hash, 31) + byte) | 0;
    }
    const slot = hash & (KEY_SLOTS - 1);
    const cached = keyCache[slot];
    if (cached !== undefined && cached.length === length && sameAscii(cached, buf, start)) {
      this.pos = stop;
      return cached;
    }
    const key = latin1Text(buf, start, stop);
    keyCache[slot] = key;
    this.pos = stop;
    return key;
  }

  /** Length-delimited bytes as lowercase hex (ids). */
  hex(end: number): string {
    const stop = this.delimited(end);
    const text = hexText(this.buf, this.pos, stop);
    this.pos = stop;
    return text;
  }

  private rest(stop: number): string {
    const text = utf8Text(this.buf, this.pos, stop);
    this.pos = stop;
    return text;
  }

  /** Skips a field of an unknown number; groups (wire types 3 and 4) are refused. */
  skip(wireType: number, end: number): void {
    switch (wireType) {
      case VARINT:
        this.varint64(end, SCRATCH);
        return;
      case FIXED64:
        if (this.pos + 8 > end) notPlain();
        this.pos += 8;
        return;
      case LENGTH_DELIMITED:
        this.pos = this.delimited(end);
        return;
      case FIXED32:
        if (this.pos + 4 > end) notPlain();
        this.pos += 4;
        return;
      default:
        notPlain();
    }
  }
}

const SCRATCH = { lo: 0, hi: 0 };

function sameAscii(text: string, buf: Buffer, start: number): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== buf[start + i]) return false;
  return true;
}
