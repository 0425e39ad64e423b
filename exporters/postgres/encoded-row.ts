import { encodeCopyRow } from './copy-text.js';
import { RowEncodingError } from './pg-errors.js';
import { type SpanRow, STAGING_COLUMNS } from './rows.js';

/**
 * A row as the write path holds it: its COPY line, already encoded, and the four fields the
 * write lane still reads (in-batch repeats, lanes by trace, refusals handed back by span).
 *
 * Why not the SpanRow: a batch's rows wait while earlier writes commit, and every young-generation
 * collection in that time copies each held row's ~20 objects; holding 5,000 rows tripled the
 * Node CPU per span (docs/benchmarks.md, issue 18). The line lives outside the JS heap (a Buffer),
 * so a held row is one small object and a view.
 */
export interface EncodedRow {
  /** One line of COPY text for the staging table, UTF-8, newline-terminated. */
  readonly line: Buffer;
  readonly traceId: string;
  readonly spanId: string;
  /** The row's started_at text: with the ids, the key of the audit row. */
  readonly startedAt: string;
  readonly tenantId: string | null;
}

/**
 * Encodes a mapped row. Throws {@link RowEncodingError} when a value does not fit its column
 * (a mapping bug): the caller dead-letters that span instead of failing its batch.
 */
export function encodeRow(
  row: SpanRow,
  encode: (row: SpanRow) => string = encodeCopyRow,
): EncodedRow {
  let text: string;
  try {
    text = encode(row);
  } catch (err) {
    throw new RowEncodingError(err);
  }
  return {
    line: Buffer.from(text),
    traceId: row.trace_id,
    spanId: row.span_id,
    startedAt: row.started_at,
    tenantId: row.tenant_id,
  };
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
 * The row as Postgres was sent it, column by column: the payload of the
 * dead letter when Postgres refuses it. Only the rare refusal pays for reading the line back.
 */
export function rowPayload(row: EncodedRow): Record<string, unknown> {
  const fields = row.line.toString('utf8').replace(/\n$/, '').split('\t');
  const out: Record<string, unknown> = {};
  STAGING_COLUMNS.forEach(([column, kind], i) => {
    const field = fields[i];
    out[column] =
      field === undefined || field === '\\N' ? null : typed(unescapeCopyText(field), kind);
  });
  return out;
}

/** How a row is written into a spool record: plain JSON, the line as text. */
export type SpooledRow = [
  line: string,
  traceId: string,
  spanId: string,
  startedAt: string,
  tenantId: string | null,
];

export function toSpooledRow(row: EncodedRow): SpooledRow {
  return [row.line.toString('utf8'), row.traceId, row.spanId, row.startedAt, row.tenantId];
}

export function fromSpooledRow([
  line,
  traceId,
  spanId,
  startedAt,
  tenantId,
]: SpooledRow): EncodedRow {
  return { line: Buffer.from(line), traceId, spanId, startedAt, tenantId };
}
