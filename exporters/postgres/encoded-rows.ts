import { STAGING_COLUMNS } from './rows.js';
import { SegmentPool } from './segment-pool.js';

const TAB = 0x09;
// Worst case of UTF-8 against UTF-16 length: 3 bytes per code unit.
const MAX_BYTES_PER_UNIT = 3;
/** A segment's size, and so the largest COPY chunk sent at once. */
export const SEGMENT_BYTES = 256 * 1024;
/** Room guessed per expected row when a batch's first segment is allocated (a line is ~1.2 KB). */
const BYTES_PER_ROW_GUESS = 1536;
/** Full segments kept for reuse by every exporter of the process: at most 16 MiB. */
export const segmentPool = new SegmentPool(SEGMENT_BYTES, 64);

/**
 * Rows of a batch as the write path holds them: their COPY lines, back to back in segments of at
 * most 256 KiB (a line never straddles two), and where each ends. The trace id, span id and
 * started_at the write lane needs (in-batch repeats, lanes by trace, refusals handed back by span)
 * are the line's first fields, read when asked.
 *
 * Why not row objects: a batch waits while earlier writes commit, and every young-generation
 * collection in that time copied each held row's ~20 objects; holding 5,000 rows tripled the Node
 * CPU per span (docs/benchmarks.md, issue 18). Even one small object per row cost 1–2 µs a span.
 * Here a held batch is a few objects, whatever its size, and its text is outside the JS heap.
 * Why segments rather than one growing Buffer: one 7 MB Buffer per batch was fresh memory each
 * time (page faults, cache misses, and external memory that made V8 run full collections);
 * 256 KiB blocks are reused by the allocator, and each is one COPY chunk as it stands.
 */
export class EncodedRows {
  /** Bytes used in the last segment. */
  private fill = 0;
  /** Where line 0 starts in its segment (non-zero only in a slice). */
  private offset = 0;
  /** Slices share their parent's segments: appending to one would overwrite the parent's lines. */
  private frozen = false;
  /** Set by recycle(): the segments may hold another batch's lines now. */
  private recycled = false;

  private constructor(
    private readonly segments: Buffer[],
    /** seg[i]: the segment holding line i; ends[i]: where line i ends in it. */
    private readonly seg: number[],
    private readonly ends: number[],
    /** Bytes for the first segment, allocated on the first push. */
    private readonly firstBytes: number,
  ) {}

  /** An empty set; `expectedRows` sizes its first segment (none is allocated until a push). */
  static empty(expectedRows = 0): EncodedRows {
    const first = Math.min(SEGMENT_BYTES, Math.max(4096, expectedRows * BYTES_PER_ROW_GUESS));
    return new EncodedRows([], [], [], first);
  }

  /** Rows from their lines (spool records, tests). */
  static of(lines: Iterable<string | Buffer>): EncodedRows {
    const rows = new EncodedRows([], [], [], SEGMENT_BYTES);
    for (const line of lines) rows.push(line);
    return rows;
  }

  /** All rows of several sets, in order (a copy, unless only one set has rows). */
  static concat(parts: readonly EncodedRows[]): EncodedRows {
    const filled = parts.filter((part) => part.length > 0);
    if (filled.length === 1) return filled[0]!;
    let count = 0;
    for (const part of filled) count += part.length;
    const rows = EncodedRows.empty(count);
    for (const part of filled) for (const line of part) rows.push(line);
    return rows;
  }

  get length(): number {
    return this.ends.length;
  }

  /** Appends one COPY line (newline-terminated text, or its bytes). */
  push(line: string | Buffer): void {
    if (this.frozen || this.recycled)
      throw new Error('EncodedRows: read-only (a slice, or recycled)');
    const room = typeof line === 'string' ? line.length * MAX_BYTES_PER_UNIT : line.length;
    let current = this.segments[this.segments.length - 1];
    if (current === undefined || this.fill + room > current.length) {
      const size = Math.max(current === undefined ? this.firstBytes : SEGMENT_BYTES, room);
      current = size === SEGMENT_BYTES ? segmentPool.acquire() : Buffer.allocUnsafe(size);
      this.segments.push(current);
      this.fill = 0;
    }
    this.fill +=
      typeof line === 'string'
        ? current.write(line, this.fill, 'utf8')
        : line.copy(current, this.fill);
    this.seg.push(this.segments.length - 1);
    this.ends.push(this.fill);
  }

  /**
   * Hands the segments back to the pool. Only for a set whose every write committed (see
   * segment-pool.ts), and never for a slice; reading the set afterwards throws. Idempotent.
   */
  recycle(): void {
    if (this.frozen || this.recycled) return;
    this.recycled = true;
    for (const segment of this.segments) segmentPool.release(segment);
  }

  /** Line i's bytes (a view, not a copy). */
  line(i: number): Buffer {
    this.check();
    return this.segments[this.seg[i]!]!.subarray(this.start(i), this.ends[i]!);
  }

  /** Each line's bytes, in order. */
  *[Symbol.iterator](): IterableIterator<Buffer> {
    for (let i = 0; i < this.ends.length; i++) yield this.line(i);
  }

  /** The lines as COPY chunks: per segment, the run of this set's lines in it (views). */
  *chunks(): IterableIterator<Buffer> {
    this.check();
    let first = 0;
    for (let i = 1; i <= this.ends.length; i++) {
      if (i === this.ends.length || this.seg[i] !== this.seg[first]) {
        yield this.segments[this.seg[first]!]!.subarray(this.start(first), this.ends[i - 1]!);
        first = i;
      }
    }
  }

  traceId(i: number): string {
    return this.field(i, 0);
  }

  spanId(i: number): string {
    return this.field(i, 1);
  }

  /** The audit row's key: trace id, span id and started_at (fields 1, 2 and 4). */
  key(i: number): string {
    return `${this.field(i, 0, 2)}\t${this.field(i, 3)}`;
  }

  /** Rows start..end-1 (bisection): shares the segments. */
  slice(start: number, end: number): EncodedRows {
    const part = new EncodedRows(
      this.segments,
      this.seg.slice(start, end),
      this.ends.slice(start, end),
      0,
    );
    part.offset = start < end ? this.start(start) : 0;
    part.frozen = true;
    return part;
  }

  private check() {
    if (this.recycled) throw new Error('EncodedRows: read after recycle()');
  }

  private start(i: number): number {
    if (i === 0) return this.offset;
    return this.seg[i - 1] === this.seg[i] ? this.ends[i - 1]! : 0;
  }

  /**
   * Reads fields `first`..`first + count - 1` of line i (text the exporter wrote itself: hex ids
   * and ISO times, one byte per character).
   */
  private field(i: number, first: number, count = 1): string {
    this.check();
    const buf = this.segments[this.seg[i]!]!;
    const end = this.ends[i]!;
    let from = this.start(i);
    for (let n = 0; n < first; n++) from = buf.indexOf(TAB, from) + 1;
    let to = from - 1;
    for (let n = 0; n < count; n++) {
      to = buf.indexOf(TAB, to + 1);
      if (to < 0 || to > end) {
        to = end - 1;
        break;
      }
    }
    return buf.toString('latin1', from, to);
  }
}

const UNESCAPE = /\\(.)/g;
const UNESCAPED: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r' };

/** Reverses copy-text.ts's escaping: it writes only \\, \t, \n and \r. */
function unescapeCopyText(field: string): string {
  return field.includes('\\')
    ? field.replace(UNESCAPE, (_, c: string) => UNESCAPED[c] ?? c)
    : field;
}

const ARRAY_ELEMENT = /NULL|"((?:[^"\\]|\\.)*)"/g;

/** Reads back formatArrayLiteral's output: every element quoted, or NULL. */
function arrayElements(literal: string): Array<string | null> {
  const out: Array<string | null> = [];
  for (const m of literal.slice(1, -1).matchAll(ARRAY_ELEMENT)) {
    out.push(m[1] === undefined ? null : m[1].replace(/\\(.)/g, '$1'));
  }
  return out;
}

function typed(text: string, kind: string): unknown {
  switch (kind) {
    case 'text[]':
      return arrayElements(text);
    case 'int4':
    case 'int8':
    case 'float8':
      return Number(text);
    case 'bool':
      return text === 't';
    case 'jsonb':
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    default:
      return text;
  }
}

/**
 * A COPY line read back column by column, as the row held it: the payload of the dead letter
 * when Postgres refuses the row. Only the rare refusal pays for reading the line back.
 */
export function rowPayload(line: Buffer): Record<string, unknown> {
  const fields = line.toString('utf8').replace(/\n$/, '').split('\t');
  const out: Record<string, unknown> = {};
  STAGING_COLUMNS.forEach(([column, kind], i) => {
    const field = fields[i];
    out[column] =
      field === undefined || field === '\\N' ? null : typed(unescapeCopyText(field), kind);
  });
  return out;
}
