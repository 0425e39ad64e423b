/**
 * npm run bench:exporter — spans/s through PgSpanExporter for 100k and 1M spans, beside the
 * raw COPY of the same rows into the same tables (no staging: the practical limit) and per-row
 * INSERT (what hand-written audit writers do), all on one Postgres in one run.
 *
 * BENCH_LARGE (default 1000000) and BENCH_SMALL (default 100000) scale the runs. The exporter is
 * the compiled package (dist/), as users run it.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { SpanRow } from '../exporters/index.js';
import { importDist } from './lib/dist.js';
import { genaiSpan } from './lib/genai-spans.js';
import { benchServer, freshDatabase, rssSampler } from './lib/postgres.js';

const LARGE = Number(process.env.BENCH_LARGE ?? 1_000_000);
const SMALL = Number(process.env.BENCH_SMALL ?? 100_000);
const BATCH = 5_000;
const ROW_INSERT_SAMPLE = Number(process.env.BENCH_ROW_INSERT ?? 5_000);
const { encodeCopyRow, PgSpanExporter, resolveTransformOptions, STAGING_COLUMNS, transformSpan } =
  await importDist<typeof import('../exporters/index.js')>('exporters');
const options = resolveTransformOptions({});

function rowsFor(n: number): SpanRow[] {
  const rows: SpanRow[] = [];
  for (let i = 0; i < n; i++) {
    const r = transformSpan(genaiSpan(), options);
    if (r.kind === 'row') rows.push(r.row);
  }
  return rows;
}

function nodeCost(n: number) {
  const spans = Array.from({ length: n }, () => genaiSpan());
  const t0 = performance.now();
  let bytes = 0;
  for (const s of spans) {
    const r = transformSpan(s, options);
    if (r.kind === 'row') bytes += encodeCopyRow(r.row).length;
  }
  const us = ((performance.now() - t0) * 1000) / n;
  return { us, bytesPerRow: bytes / n };
}

async function exporterRun(serverUrl: string, n: number, db: string) {
  const url = await freshDatabase(serverUrl, db);
  const spoolDir = await mkdtemp(join(tmpdir(), 'spanledger-bench-spool-'));
  const exporter = new PgSpanExporter({ databaseUrl: url, spool: { dir: spoolDir } });
  const rss = rssSampler();
  let busy = 0;
  for (let done = 0; done < n; done += BATCH) {
    const spans = Array.from({ length: Math.min(BATCH, n - done) }, () => genaiSpan());
    const t0 = performance.now();
    const outcome = await exporter.exportSpans(spans);
    busy += performance.now() - t0;
    if (outcome.code !== 0 || outcome.spooled > 0)
      throw new Error(`export failed: ${outcome.error?.message}`);
  }
  rss.stop();
  const stats = exporter.stats();
  await exporter.shutdown();
  await rm(spoolDir, { recursive: true, force: true });
  if (stats.rowsInserted !== n) throw new Error(`expected ${n} rows, got ${stats.rowsInserted}`);
  return { rate: n / (busy / 1000), rssMb: rss.peakMb() };
}

const AUDIT_COPY = `COPY spanledger.audit_log (${STAGING_COLUMNS.map(([c]) => (c === 'billable' ? 'billed' : c)).join(', ')}) FROM STDIN`;
const USAGE_COLUMNS = [
  'trace_id',
  'span_id',
  'started_at',
  'tenant_id',
  'user_id',
  'provider',
  'model',
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'usage_source',
] as const;
const USAGE_COPY = `COPY spanledger.llm_usage (${USAGE_COLUMNS.join(', ')}) FROM STDIN`;
// The llm_usage values of a row, in USAGE_COLUMNS order (shared by raw COPY and per-row INSERT).
const usageValues = (r: SpanRow) => [
  r.trace_id,
  r.span_id,
  r.started_at,
  r.tenant_id,
  r.user_id,
  r.provider,
  r.request_model,
  r.input_tokens,
  r.output_tokens,
  r.cost_usd,
  r.usage_source,
];
const usageLine = (r: SpanRow) =>
  `${usageValues(r)
    .map((v) => (v === null ? '\\N' : String(v)))
    .join('\t')}\n`;

async function rawCopyRun(serverUrl: string, n: number) {
  const url = await freshDatabase(serverUrl, 'bench_raw_copy');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let busy = 0;
  for (let done = 0; done < n; done += BATCH) {
    const rows = rowsFor(Math.min(BATCH, n - done));
    const t0 = performance.now();
    await client.query('BEGIN');
    await pipeline(
      Readable.from([rows.map(encodeCopyRow).join('')]),
      client.query(copyFrom(AUDIT_COPY)),
    );
    await pipeline(
      Readable.from([rows.map(usageLine).join('')]),
      client.query(copyFrom(USAGE_COPY)),
    );
    await client.query('COMMIT');
    busy += performance.now() - t0;
  }
  await client.end();
  return n / (busy / 1000);
}

async function rowInsertRun(serverUrl: string, n: number) {
  const url = await freshDatabase(serverUrl, 'bench_row_insert');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const rows = rowsFor(n);
  const cols = STAGING_COLUMNS.map(([c]) => (c === 'billable' ? 'billed' : c));
  const sql = `INSERT INTO spanledger.audit_log (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT DO NOTHING`;
  const usageSql = `INSERT INTO spanledger.llm_usage (${USAGE_COLUMNS.join(', ')}) VALUES (${USAGE_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT DO NOTHING`;
  const t0 = performance.now();
  for (const r of rows) {
    await client.query(
      sql,
      STAGING_COLUMNS.map(([c]) => r[c]),
    );
    await client.query(usageSql, usageValues(r));
  }
  const rate = n / ((performance.now() - t0) / 1000);
  await client.end();
  return rate;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main() {
  const server = await benchServer();
  try {
    // The large run first, in a fresh process, so its RSS is the exporter's and not what
    // earlier phases left in the heap.
    const large = await exporterRun(server.url, LARGE, 'bench_exporter_large');
    console.log(
      `exporter ${fmt(LARGE)} spans: ${fmt(large.rate)} spans/s, peak RSS ${large.rssMb} MB`,
    );
    const small = await exporterRun(server.url, SMALL, 'bench_exporter_small');
    console.log(`exporter ${fmt(SMALL)} spans: ${fmt(small.rate)} spans/s`);
    const raw = await rawCopyRun(server.url, LARGE);
    console.log(`raw COPY ${fmt(LARGE)} rows (no staging, no merge): ${fmt(raw)} rows/s`);
    const perRow = await rowInsertRun(server.url, ROW_INSERT_SAMPLE);
    // Last, so its 20k spans in memory do not count in the exporter's RSS. Warm-up pass first.
    nodeCost(5_000);
    const node = nodeCost(20_000);
    console.log(
      `node transform+encode: ${node.us.toFixed(2)} µs/span, ${Math.round(node.bytesPerRow)} COPY bytes/row`,
    );
    console.log(
      `per-row INSERT (${fmt(ROW_INSERT_SAMPLE)} rows, autocommit): ${fmt(perRow)} rows/s`,
    );
    console.log(
      `RESULT spans_per_s=${Math.round(large.rate)} small_spans_per_s=${Math.round(small.rate)} raw_copy_per_s=${Math.round(raw)} row_insert_per_s=${Math.round(perRow)} vs_raw_copy=${(large.rate / raw).toFixed(2)} vs_row_insert=${(large.rate / perRow).toFixed(1)} node_us_per_span=${node.us.toFixed(1)} rss_mb=${large.rssMb}`,
    );
  } finally {
    await server.stop();
  }
}

await main();
