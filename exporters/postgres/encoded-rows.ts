import { STAGING_COLUMNS } from './rows.js';

const TAB = 0x09;
// Worst case of UTF-8 against UTF-16 length: 3 bytes per code unit.
const MAX_BYTES_PER_UNIT = 3;
const MIN_CAPACITY = 16 * 1024;

/**
 * Rows of a batch as the write path holds them: their COPY lines, back to back in one Buffer, and
 * where each ends. The trace id, span id and started_at the write lane needs (in-batch repeats,
 * lanes by trace, refusals handed back by span) are the line's first fields, read when asked.
 *
 * Why not row objects: a batch waits while earlier writes commit, and every young-generation
 * collection in that time copied each held row's ~20 objects; holding 5,000 rows tripled the Node
 * CPU per span (docs/benchmarks.md, issue 18). Even one small object per row cost 1–2 µs a span.
 * Here a held batch is two objects, whatever its size, and its text is outside the JS heap.
 */
export class EncodedRows {
  private constructor(
    private buf: Buffer,
    /** ends[i] is where line i ends; line i starts at ends[i - 1] (or 0). */
    private readonly ends: number[],
  ) {}

  static empty(expectedRows = 0): EncodedRows {
    return new EncodedRows(Buffer.allocUnsafe(Math.max(MIN_CAPACITY, expectedRows * 1536)), []);
  }

  /** Rows from their lines (spool records, tests). */
  static of(lines: readonly (string | Buffer)[]): EncodedRows {
    const rows = EncodedRows.empty(lines.length);
    for (const line of lines) rows.push(line);
    return rows;
  }

  /** All rows of several batches, in order. */
  static concat(parts: readonly EncodedRows[]): EncodedRows {
    const filled = parts.filter((part) => part.length > 0);
    if (filled.length === 1) return filled[0]!;
    let count = 0;
    for (const part of filled) count += part.length;
    const rows = EncodedRows.empty(count);
    for (const part of filled) for (let i = 0; i < part.length; i++) rows.push(part.line(i));
    return rows;
  }

  get length(): number {
    return this.ends.length;
  }

  /** Appends one COPY line (newline-terminated text, or its bytes). */
  push(line: string | Buffer): void {
    const at = this.byteLength;
    const room = typeof line === 'string' ? line.length * MAX_BYTES_PER_UNIT : line.length;
    if (at + room > this.buf.length) this.grow(at + room);
    const written =
      typeof line === 'string' ? this.buf.write(line, at, 'utf8') : line.copy(this.buf, at);
    this.ends.push(at + written);
  }

  /** Bytes of every line. */
  get byteLength(): number {
    return this.ends.length === 0 ? 0 : this.ends[this.ends.length - 1]!;
  }

  /** Line i's bytes (a view, not a copy). */
  line(i: number): Buffer {
    return this.buf.subarray(i === 0 ? 0 : this.ends[i - 1]!, this.ends[i]!);
  }

  /**
   * Lines start..end-1, joined: one view when they are contiguous here (always, for a range),
   * so COPY chunks are views of the batch's own buffer.
   */
  bytes(start: number, end: number): Buffer {
    return this.buf.subarray(start === 0 ? 0 : this.ends[start - 1]!, this.ends[end - 1]!);
  }

  /** Each line's bytes, in order. */
  *[Symbol.iterator](): IterableIterator<Buffer> {
    for (let i = 0; i < this.ends.length; i++) yield this.line(i);
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

  /** Rows start..end-1 (bisection): shares this buffer. */
  slice(start: number, end: number): EncodedRows {
    const base = start === 0 ? 0 : this.ends[start - 1]!;
    const buf = this.buf.subarray(base, this.ends[end - 1] ?? base);
    return new EncodedRows(
      buf,
      this.ends.slice(start, end).map((e) => e - base),
    );
  }

  /**
   * Reads fields `first`..`first + count - 1` of line i (text the exporter wrote itself: hex ids
   * and ISO times, one byte per character).
   */
  private field(i: number, first: number, count = 1): string {
    let from = i === 0 ? 0 : this.ends[i - 1]!;
    const end = this.ends[i]!;
    for (let n = 0; n < first; n++) from = this.buf.indexOf(TAB, from) + 1;
    let to = from - 1;
    for (let n = 0; n < count; n++) {
      to = this.buf.indexOf(TAB, to + 1);
      if (to < 0 || to > end) {
        to = end - 1;
        break;
      }
    }
    return this.buf.toString('latin1', from, to);
  }

  private grow(needed: number) {
    const next = Buffer.allocUnsafe(Math.max(needed, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.byteLength);
    this.buf = next;
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
