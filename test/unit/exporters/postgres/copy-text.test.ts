import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeCopyRow,
  escapeCopyText,
  formatArrayLiteral,
} from '../../../../exporters/postgres/copy-text.js';
import { type SpanRow, STAGING_COLUMNS } from '../../../../exporters/postgres/rows.js';
import { sanitizeString } from '../../../../exporters/postgres/sanitize.js';
import {
  resolveTransformOptions,
  transformSpan,
} from '../../../../exporters/postgres/transform.js';
import { decodeArrayLiteral, decodeCopyField, decodeCopyLine } from './copy-decoder.js';
import { otelChat } from './fixtures.js';

// Capture on: hostile attribute text and span names reach the row verbatim (capture off would
// store most of them as digests), which is what the escaping has to survive.
const OPTIONS = resolveTransformOptions({ hashKey: 'test-hash-key', captureContent: true });

/** Strings biased towards what breaks COPY: delimiters, escapes, markers, NUL, lone surrogates. */
const nasty = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '\t',
        '\n',
        '\r',
        '\\',
        '\\N',
        '\\.',
        '\u0000',
        '\uD800',
        '\uDFFF',
        '"',
        ',',
        '{',
        '}',
        ' ',
        'NULL',
        '\\x41',
      ),
      fc.string({ unit: 'binary' }),
      fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
    ),
    { maxLength: 24 },
  )
  .map((parts) => parts.join(''));

const BIG = 2 * 1024 * 1024;

function row(): SpanRow {
  const result = transformSpan(
    otelChat({ 'app.note': 'tab\there\nnewline \\ backslash' }),
    OPTIONS,
  );
  if (result.kind !== 'row') throw new Error('expected a row');
  return result.row;
}

describe('escapeCopyText', () => {
  it('escapes backslash, tab, newline and carriage return', () => {
    expect(escapeCopyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(escapeCopyText('\\N')).toBe('\\\\N');
    expect(escapeCopyText('\\.')).toBe('\\\\.');
  });

  it('returns plain strings unchanged', () => {
    const s = 'plain text, "quotes" and {braces}';
    expect(escapeCopyText(s)).toBe(s);
  });

  it('round-trips any sanitised string through the COPY decoder', () => {
    fc.assert(
      fc.property(nasty, (s) => {
        const flags: string[] = [];
        const safe = sanitizeString(s, BIG, flags);
        const escaped = escapeCopyText(safe);
        expect(escaped).not.toMatch(/[\t\n\r]/);
        expect(decodeCopyField(escaped)).toBe(safe);
        // Either the input survives byte for byte or the change is flagged.
        if (safe !== s) expect(flags).toContain('sanitized');
        else expect(flags).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips a 1 MB string full of escapes', () => {
    const unit = 'a\tb\nc\rd\\e\\Nf\\.g\u00e9\u{1F600}';
    const s = unit.repeat(Math.ceil((1024 * 1024) / unit.length));
    expect(s.length).toBeGreaterThan(1024 * 1024);
    expect(decodeCopyField(escapeCopyText(s))).toBe(s);
  });

  it('never lets a 1 MB string with NUL and lone surrogates through unflagged', () => {
    const s = `${'x'.repeat(512 * 1024)}\u0000\uD800${'y'.repeat(512 * 1024)}`;
    const flags: string[] = [];
    const safe = sanitizeString(s, BIG, flags);
    expect(flags).toEqual(['sanitized']);
    expect(safe.length).toBe(s.length);
    expect(decodeCopyField(escapeCopyText(safe))).toBe(safe);
  });
});

describe('formatArrayLiteral', () => {
  it('quotes every element and escapes quotes and backslashes', () => {
    expect(formatArrayLiteral(['stop', 'a"b', 'c\\d', 'NULL', 'x,y', ''])).toBe(
      '{"stop","a\\"b","c\\\\d","NULL","x,y",""}',
    );
    expect(formatArrayLiteral([])).toBe('{}');
    expect(formatArrayLiteral(['a', null])).toBe('{"a",NULL}');
  });

  it('round-trips through COPY and the array parser', () => {
    fc.assert(
      fc.property(fc.array(fc.option(nasty, { nil: null })), (values) => {
        const safe = values.map((v) => (v === null ? null : sanitizeString(v, BIG, [])));
        const field = decodeCopyField(escapeCopyText(formatArrayLiteral(safe)));
        expect(decodeArrayLiteral(field!)).toEqual(safe);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('encodeCopyRow', () => {
  it('writes one newline-terminated line with a field per staging column', () => {
    const r = row();
    const fields = decodeCopyLine(encodeCopyRow(r));
    expect(fields).toHaveLength(STAGING_COLUMNS.length);
    const byName = Object.fromEntries(STAGING_COLUMNS.map(([name], i) => [name, fields[i]]));
    expect(byName.trace_id).toBe(r.trace_id);
    expect(byName.started_at).toBe('2025-10-01T12:00:00.000250Z');
    expect(byName.duration_ms).toBe('1234.25');
    expect(byName.user_id).toBeNull();
    expect(byName.input_tokens).toBe('1200');
    expect(byName.cost_usd).toBe('0.0047500000');
    expect(byName.billable).toBe('t');
    expect(decodeArrayLiteral(byName.finish_reasons!)).toEqual(['stop']);
    expect(byName.flags).toBe('{}');
    expect(JSON.parse(byName.attributes!)).toEqual(r.attributes);
  });

  it('encodes nulls, false and empty arrays', () => {
    const r = { ...row(), billable: false, finish_reasons: null, input_tokens: null };
    const fields = decodeCopyLine(encodeCopyRow(r));
    const at = (name: string) => fields[STAGING_COLUMNS.findIndex(([c]) => c === name)];
    expect([at('billable'), at('finish_reasons'), at('input_tokens')]).toEqual(['f', null, null]);
  });

  it('keeps every row of a transformed span on one line, whatever its attributes', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 12 }), nasty, { maxKeys: 6 }),
        nasty,
        (attributes, name) => {
          const result = transformSpan({ ...otelChat(attributes), name }, OPTIONS);
          if (result.kind !== 'row') return;
          const fields = decodeCopyLine(encodeCopyRow(result.row));
          expect(fields).toHaveLength(STAGING_COLUMNS.length);
          expect(fields[STAGING_COLUMNS.findIndex(([c]) => c === 'span_name')]).toBe(
            result.row.span_name,
          );
          const json = fields[STAGING_COLUMNS.findIndex(([c]) => c === 'attributes')]!;
          // JSON.stringify escapes only lone surrogates; jsonb rejects those and \u0000.
          expect(json).not.toMatch(/\\u0000|\\ud[89a-f][0-9a-f]{2}/i);
          expect(JSON.parse(json)).toEqual(result.row.attributes);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses values a column cannot hold instead of writing a bad line', () => {
    expect(() => encodeCopyRow({ ...row(), input_tokens: 2 ** 60 })).toThrow(/input_tokens/);
    expect(() => encodeCopyRow({ ...row(), input_tokens: 1.5 })).toThrow(/input_tokens/);
    expect(() => encodeCopyRow({ ...row(), duration_ms: Number.NaN })).toThrow(/duration_ms/);
    expect(() => encodeCopyRow({ ...row(), billable: 'yes' as unknown as boolean })).toThrow(
      /billable/,
    );
  });
});
