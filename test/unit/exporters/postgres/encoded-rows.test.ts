import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCopyRow } from '../../../../exporters/postgres/copy-text.js';
import { uniqueRows } from '../../../../exporters/postgres/copy-writer.js';
import {
  EncodedRows,
  rowPayload,
  SEGMENT_BYTES,
  segmentPool,
} from '../../../../exporters/postgres/encoded-rows.js';
import { emptyOutcome } from '../../../../exporters/postgres/exporter-options.js';
import { laneOf, mapSpans } from '../../../../exporters/postgres/map-spans.js';
import { createStats } from '../../../../exporters/postgres/metrics.js';
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

const texts = (rows: EncodedRows) => [...rows].map((line) => line.toString('utf8'));

describe('EncodedRows', () => {
  it('holds each COPY line as UTF-8 and reads the ids and key back from it', () => {
    const rows = [rowOf({ 'app.note': 'tab\there ünïcode \\ backslash 😀' }), rowOf({})];
    const encoded = EncodedRows.of(rows.map(encodeCopyRow));
    expect(encoded.length).toBe(2);
    expect(texts(encoded)).toEqual(rows.map(encodeCopyRow));
    rows.forEach((row, i) => {
      expect(encoded.traceId(i)).toBe(row.trace_id);
      expect(encoded.spanId(i)).toBe(row.span_id);
      expect(encoded.key(i)).toBe(`${row.trace_id}\t${row.span_id}\t${row.started_at}`);
    });
  });

  it('grows past its first buffer, slices and concatenates without changing a byte', () => {
    const lines = Array.from({ length: 800 }, (_, i) =>
      encodeCopyRow(rowOf({ i: `é${i}`.repeat(i % 7) })),
    );
    const rows = EncodedRows.empty(1);
    for (const line of lines) rows.push(line);
    expect(texts(rows)).toEqual(lines);
    // Chunks are whole lines, at most one segment each, together every byte in order.
    const chunks = [...rows.chunks()];
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(SEGMENT_BYTES);
      expect(chunk.toString().endsWith('\n')).toBe(true);
    }
    expect(Buffer.concat(chunks).toString()).toBe(lines.join(''));
    expect(Buffer.concat([...rows.slice(7, 390).chunks()]).toString()).toBe(
      lines.slice(7, 390).join(''),
    );
    expect(() => rows.slice(0, 2).push(lines[0]!)).toThrow(/read-only/);
    expect(texts(rows.slice(0, 150))).toEqual(lines.slice(0, 150));
    expect(texts(rows.slice(150, 800))).toEqual(lines.slice(150));
    expect(rows.slice(150, 800).spanId(3)).toBe(rows.spanId(153));
    expect(rows.slice(150, 800).key(500)).toBe(rows.key(650));
    expect(texts(EncodedRows.concat([rows.slice(0, 10), rows.slice(10, 800)]))).toEqual(lines);
  });

  it('drops in-batch repeats of one span (same ids and start), keeping the first', () => {
    const [a, b] = [rowOf({ n: '1' }), rowOf({ n: '2' })];
    const again = { ...a, span_name: 'resent' };
    const later = { ...a, started_at: '2030-01-01T00:00:00.000000Z' };
    const unique = uniqueRows(EncodedRows.of([a, b, again, later, b].map(encodeCopyRow)));
    expect(texts(unique)).toEqual([a, b, later].map(encodeCopyRow));
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
          const line = EncodedRows.of([encodeCopyRow(row)]).line(0);
          expect(rowPayload(line)).toEqual(JSON.parse(JSON.stringify(row)));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('spool records', () => {
  it('round-trip through their JSON form byte for byte', () => {
    const rows = [rowOf({ 'app.x': 'a\tb\nc' }), rowOf({ 'app.y': '\u00e9\u{1F600}' })];
    const record = {
      rows: EncodedRows.of(rows.map(encodeCopyRow)),
      dead: [{ source: 's', reason: 'r' }],
    };
    const back = fromStoredRecord(JSON.parse(JSON.stringify(toStoredRecord(record))));
    expect(back.dead).toEqual(record.dead);
    expect(texts(back.rows)).toEqual(rows.map(encodeCopyRow));
  });

  it('written by version 1 (row objects) replay as the same lines', () => {
    const rows = [rowOf({ 'app.x': 'v1' }), rowOf({})];
    const back = fromStoredRecord(JSON.parse(JSON.stringify({ rows, dead: [] })));
    expect(texts(back.rows)).toEqual(rows.map(encodeCopyRow));
    expect(back.dead).toEqual([]);
  });

  it('a version 1 row that no longer encodes goes to dead_letter whole, not lost', () => {
    const good = rowOf({});
    const bad = { ...rowOf({}), duration_ms: 'soon' as unknown as number };
    const back = fromStoredRecord(JSON.parse(JSON.stringify({ rows: [good, bad], dead: [] })));
    expect(texts(back.rows)).toEqual([encodeCopyRow(good)]);
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

describe('mapSpans', () => {
  it('sorts rows into their trace’s lane as it encodes them, losing none', () => {
    const spans = Array.from({ length: 200 }, (_, i) => ({
      ...otelChat({ i: String(i) }),
      traceId: randomBytes(16).toString('hex'),
    }));
    const { lanes, count, dead } = mapSpans(
      spans,
      { transform: OPTIONS, source: 'test', lanes: 3 },
      emptyOutcome(),
      createStats(),
    );
    expect(count).toBe(200);
    expect(dead).toEqual([]);
    expect(lanes.map((l) => l.length).reduce((a, b) => a + b)).toBe(200);
    for (const rows of lanes) expect(rows.length).toBeGreaterThan(30);
    lanes.forEach((rows, lane) => {
      for (let i = 0; i < rows.length; i++) expect(laneOf(rows.traceId(i), 3)).toBe(lane);
    });
    const spanIds = lanes.flatMap((rows) =>
      Array.from({ length: rows.length }, (_, i) => rows.spanId(i)),
    );
    expect(spanIds.sort()).toEqual(spans.map((s) => s.spanId).sort());
  });
});

describe('recycled segments', () => {
  it('come back only from a whole set, and the set cannot be read or grown afterwards', () => {
    const line = encodeCopyRow(rowOf({ big: 'x'.repeat(2000) }));
    const rows = EncodedRows.empty(1000);
    for (let i = 0; i < 300; i++) rows.push(line);
    const slice = rows.slice(0, 10);
    slice.recycle();
    expect(texts(slice)).toHaveLength(10);
    const before = segmentPool.freeSegments;
    rows.recycle();
    rows.recycle();
    expect(segmentPool.freeSegments).toBeGreaterThan(before);
    expect(() => rows.line(0)).toThrow(/after recycle/);
    expect(() => [...rows.chunks()]).toThrow(/after recycle/);
    expect(() => rows.push(line)).toThrow(/read-only/);
    // A new set reuses a segment and holds only its own lines.
    const next = EncodedRows.empty(1000);
    next.push('a\tb\n');
    expect([...next.chunks()].map((c) => c.toString())).toEqual(['a\tb\n']);
  });
});
