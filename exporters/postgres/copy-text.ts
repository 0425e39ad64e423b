import { type SpanRow, STAGING_COLUMNS } from './rows.js';

/** COPY text format's NULL marker. */
const NULL = '\\N';
const ESCAPABLE = /[\\\t\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
};

/**
 * Escapes one value for PostgreSQL COPY text format: backslash, tab, newline and carriage return
 * become \\ \t \n \r. Everything else is literal. Strings needing nothing are returned as is.
 * NUL cannot be expressed at all: sanitise first (sanitize.ts).
 */
export function escapeCopyText(s: string): string {
  // Four native scans beat one regex test (~55 against ~85 ns on a short value), and most values
  // need nothing.
  return s.includes('\\') || s.includes('\t') || s.includes('\n') || s.includes('\r')
    ? s.replace(ESCAPABLE, (c) => ESCAPES[c]!)
    : s;
}

/**
 * {@link escapeCopyText} for JSON.stringify's output, which escapes every control character
 * itself: only its backslashes need doubling, and one native scan finds them (~12 ns against
 * ~600 ns for a regex over a 700-character attributes object).
 */
function escapeJsonText(json: string): string {
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
}

const ARRAY_ELEMENT_ESCAPABLE = /["\\]/g;

/**
 * A Postgres array literal: {"a","b"} with every element quoted (so commas, braces, spaces and
 * the word NULL are plain text) and quotes and backslashes backslash-escaped; null elements
 * become unquoted NULL. The result still needs {@link escapeCopyText} to go into COPY.
 */
export function formatArrayLiteral(values: ReadonlyArray<string | null>): string {
  // Most rows carry no flags.
  if (values.length === 0) return '{}';
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const value = values[i];
    out +=
      value === null || value === undefined
        ? 'NULL'
        : `"${value.replace(ARRAY_ELEMENT_ESCAPABLE, '\\$&')}"`;
  }
  return `${out}}`;
}

function fail(column: string, kind: string, value: unknown): never {
  throw new TypeError(`encodeCopyRow: ${column} (${kind}) cannot hold ${String(value)}`);
}

/** Column kinds as small integers, so the per-value dispatch is a compare, not a string switch. */
const TEXT = 0;
/** Text the exporter produced itself (hex ids, ISO times, enums, decimals): nothing to escape. */
const VERBATIM = 1;
const INTEGER = 2;
const FLOAT = 3;
const BOOL = 4;
const TEXT_ARRAY = 5;
const JSONB = 6;

const KIND_CODES: Readonly<Record<string, number>> = {
  text: TEXT,
  timestamptz: VERBATIM,
  numeric: VERBATIM,
  int4: INTEGER,
  int8: INTEGER,
  float8: FLOAT,
  bool: BOOL,
  'text[]': TEXT_ARRAY,
  jsonb: JSONB,
};

/** Text columns whose values transform.ts validated or chose from a fixed vocabulary. */
const VERBATIM_TEXT = new Set([
  'trace_id',
  'span_id',
  'parent_span_id',
  'event_type',
  'status',
  'usage_source',
]);

const NAMES: ReadonlyArray<keyof SpanRow> = STAGING_COLUMNS.map(([column]) => column);
const KINDS: readonly string[] = STAGING_COLUMNS.map(([, kind]) => kind);
const CODES: readonly number[] = STAGING_COLUMNS.map(([column, kind]) =>
  kind === 'text' && VERBATIM_TEXT.has(column) ? VERBATIM : KIND_CODES[kind]!,
);

function encodeValue(value: unknown, code: number, i: number): string {
  if (typeof value === 'string') {
    if (code === VERBATIM) return value;
    if (code === TEXT) return escapeCopyText(value);
  } else if (typeof value === 'number') {
    // Normalisation turns unsafe counts into NULL; reaching here with one is a bug.
    if (code === INTEGER && Number.isSafeInteger(value)) return String(value);
    if (code === FLOAT && Number.isFinite(value)) return String(value);
  } else if (typeof value === 'boolean') {
    if (code === BOOL) return value ? 't' : 'f';
  } else if (code === TEXT_ARRAY && Array.isArray(value)) {
    return escapeCopyText(formatArrayLiteral(value));
  } else if (code === JSONB && typeof value === 'object') {
    return escapeJsonText(JSON.stringify(value));
  }
  return fail(NAMES[i]!, KINDS[i]!, value);
}

// One scratch array for every line: encodeCopyRow is synchronous, so no two calls share it.
const PARTS: string[] = new Array<string>(NAMES.length).fill('');
const LAST = NAMES.length - 1;

/**
 * Fills PARTS from a row, one statement per column, compiled once from STAGING_COLUMNS. Reading
 * 45 properties through a variable key (`row[NAMES[i]]`) cost ~1 µs a row in megamorphic loads
 * (a fifth of the encoding); with constant names each read is a monomorphic field load and each
 * `encodeValue` call sees constant `code` and `i`. The generated text holds only the column
 * names (JSON-quoted, from the constant list) and their indexes: nothing from a row or a span.
 */
const fillParts = new Function(
  'PARTS',
  'NULL',
  'encodeValue',
  `return function fillParts(row) {\n  let v;\n${NAMES.map(
    (name, i) =>
      `  v = row[${JSON.stringify(name)}]; PARTS[${i}] = v === null || v === undefined ? NULL : encodeValue(v, ${CODES[i]}, ${i});`,
  ).join('\n')}\n};`,
)(PARTS, NULL, encodeValue) as (row: SpanRow) => void;

/**
 * One line of PostgreSQL COPY text format for the staging table: values in STAGING_COLUMNS order,
 * tab-separated, \N for NULL, newline-terminated. Rows come from transformSpan, whose strings
 * are already sanitised; a value of the wrong type for its column throws a TypeError (a bug,
 * caught here rather than failing a whole COPY).
 *
 * The line is one flat string, copied by one join while its values are fresh in the cache.
 * Appending value after value made a tree of ~90 pieces (~3.4 KB of heap for ~1.2 KB of text)
 * that stayed a tree until the socket write flattened the 256 KiB chunk, by then spread over the
 * heap: that walk cost more than the encoding itself (docs/benchmarks.md, issue 18).
 */
export function encodeCopyRow(row: SpanRow): string {
  fillParts(row);
  PARTS[LAST] += '\n';
  return PARTS.join('\t');
}
