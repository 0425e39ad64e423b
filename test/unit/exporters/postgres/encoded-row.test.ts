import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCopyRow } from '../../../../exporters/postgres/copy-text.js';
import { encodeRow, rowPayload } from '../../../../exporters/postgres/encoded-row.js';
import type { SpanRow } from '../../../../exporters/postgres/rows.js';
import { fromStoredRecord, toStoredRecord } from '../../../../exporters/postgres/spool-keeper.js';
import {
  resolveTransformOptions,
  transformSpan,
} from '../../../../exporters/postgres/transform.js';
import { otelChat } from './fixtures.js';

const OPTIONS = resolveTransformOptions({ hashKey: 'test-hash-key', captureContent: true });
const hostile = fc.string({ unit: 'binary', maxLength: 40 });

function rowOf(attributes: Record<string, string>, name = 'chat gpt-4o'): SpanRow {
  const result = transformSpan({ ...otelChat(attributes), name }, OPTIONS);
  if (result.kind !== 'row') throw new Error('expected a row');
  return result.row;
}

describe('encodeRow', () => {
  it('holds the COPY line as UTF-8 and the fields the write lane reads', () => {
    const row = rowOf({ 'app.note': 'tab\there ünïcode \\ backslash' });
    const encoded = encodeRow(row);
    expect(encoded.line.toString('utf8')).toBe(encodeCopyRow(row));
    expect(encoded).toMatchObject({
      traceId: row.trace_id,
      spanId: row.span_id,
      startedAt: row.started_at,
      tenantId: row.tenant_id,
    });
  });

  it('wraps an encoder failure so the span is dead-lettered, not the batch', () => {
    const row = { ...rowOf({}), input_tokens: 2 ** 60 };
    expect(() => encodeRow(row)).toThrow(/could not be encoded: .*input_tokens/);
  });
});

describe('rowPayload (the dead letter of a row Postgres refused)', () => {
  it('reads every column back as the row held it, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 12 }), hostile, { maxKeys: 5 }),
        hostile,
        (attrs, name) => {
          const row = rowOf(attrs, name);
          row.flags.push('a "quoted", {braced} \\ flag');
          expect(rowPayload(encodeRow(row))).toEqual(JSON.parse(JSON.stringify(row)));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('spool records', () => {
  it('round-trip through their JSON form byte for byte', () => {
    const rows = [rowOf({ 'app.x': 'a\tb\nc' }), rowOf({ 'app.y': '\u00e9\u{1F600}' })];
    const record = { rows: rows.map((r) => encodeRow(r)), dead: [{ source: 's', reason: 'r' }] };
    const back = fromStoredRecord(JSON.parse(JSON.stringify(toStoredRecord(record))));
    expect(back.dead).toEqual(record.dead);
    expect(back.rows.map((r) => r.line.toString())).toEqual(rows.map(encodeCopyRow));
    expect(back.rows.map((r) => r.spanId)).toEqual(rows.map((r) => r.span_id));
  });

  it('written by version 1 (row objects) replay as the same lines', () => {
    const rows = [rowOf({ 'app.x': 'v1' }), rowOf({})];
    const back = fromStoredRecord(JSON.parse(JSON.stringify({ rows, dead: [] })));
    expect(back.rows.map((r) => r.line.toString())).toEqual(rows.map(encodeCopyRow));
    expect(back.dead).toEqual([]);
  });

  it('a version 1 row that no longer encodes goes to dead_letter whole, not lost', () => {
    const good = rowOf({});
    const bad = { ...rowOf({}), duration_ms: 'soon' as unknown as number };
    const back = fromStoredRecord(JSON.parse(JSON.stringify({ rows: [good, bad], dead: [] })));
    expect(back.rows).toHaveLength(1);
    expect(back.dead).toEqual([
      expect.objectContaining({
        source: 'spool',
        span_id: bad.span_id,
        reason: expect.stringMatching(/could not be encoded: .*duration_ms/),
        payload: JSON.parse(JSON.stringify(bad)),
      }),
    ]);
  });
});
