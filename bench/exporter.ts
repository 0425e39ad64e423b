/**
 * npm run bench:exporter — spans/s through PgSpanExporter for 100k and 1M spans, beside the
 * raw COPY of the same rows into the same tables (no staging: the practical limit) and per-row
 * writes (what the seed systems did: per span, insert the audit and usage rows and upsert the
 * rollup), all on one Postgres in one run.
 *
 * BENCH_LARGE (default 1000000) and BENCH_SMALL (default 100000) scale the runs. The npm script
 * compiles the benchmark with the package (tsconfig.bench.json) and runs plain JavaScript, as users
 * run the exporter: no TypeScript loader adds its own memory or per-closure work to what is measured.
 */

import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  encodeCopyRow,
  PgSpanExporter,
  resolveTransformOptions,
  type SpanRow,
  STAGING_COLUMNS,
  transformSpan,
} from '../exporters/index.js';
import { ROLLUP_ON_CONFLICT_SQL } from '../exporters/postgres/write-sql.js';
import { genaiSpan } from './lib/genai-spans.js';
import type { NodeCost } from './lib/node-cost.js';
import { benchServer, freshDatabase, rssSampler } from './lib/postgres.js';
import { unchainedMergeSql } from './lib/unchained-merge.js';
import { WITHOUT_OVERVIEW_ROLLUPS_SQL } from './lib/without-overview-rollups.js';

const LARGE = Number(process.env.BENCH_LARGE ?? 1_000_000);
/** Spans per run of a feature's price (hash chain, overview rollups): runs with and without it, interleaved. */
const CHAIN_RUN = Number(process.env.BENCH_CHAIN ?? 50_000);
const CHAIN_ROUNDS = Number(process.env.BENCH_CHAIN_ROUNDS ?? 5);
const SMALL = Number(process.env.BENCH_SMALL ?? 100_000);
const BATCH = 5_000;
const ROW_INSERT_SAMPLE = Number(process.env.BENCH_ROW_INSERT ?? 5_000);
const options = resolveTransformOptions({});

function rowsFor(n: number): SpanRow[] {
  const rows: SpanRow[] = [];
  for (let i = 0; i < n; i++) {
    const r = transformSpan(genaiSpan(), options);
    if (r.kind === 'row') rows.push(r.row);
  }
  return rows;
}

/**
 * Node's CPU time for mapping and COPY-encoding, per span, from a fresh child process
 * (bench/lib/node-cost.ts says why, and what `span` and `batch` measure).
 */
function nodeCost(mode: 'span' | 'batch'): NodeCost {
  const script = fileURLToPath(new URL('./lib/node-cost.js', import.meta.url));
  const out = execFileSync(process.execPath, [script, mode], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!) as NodeCost;
}

/** One exporter run into a fresh database; `without`: SQL that removes a feature there first. */
async function exporterRun(serverUrl: string, n: number, db: string, without?: string) {
  const url = await freshDatabase(serverUrl, db);
  if (without) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(without);
    await admin.end();
  }
  const spoolDir = await mkdtemp(join(tmpdir(), 'spanledger-bench-spool-'));
  const exporter = new PgSpanExporter({ databaseUrl: url, spool: { dir: spoolDir } });
  const rss = rssSampler();
  let busy = 0;
  // The process's CPU time while exportSpans runs: the exporter's whole Node side (mapping,
  // encoding, pg protocol, streams, garbage collection), not the spans' making.
  let cpuUs = 0;
  for (let done = 0; done < n; done += BATCH) {
    const spans = Array.from({ length: Math.min(BATCH, n - done) }, () => genaiSpan());
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const outcome = await exporter.exportSpans(spans);
    const cpu = process.cpuUsage(cpu0);
    cpuUs += cpu.user + cpu.system;
    busy += performance.now() - t0;
    if (outcome.code !== 0 || outcome.spooled > 0)
      throw new Error(`export failed: ${outcome.error?.message}`);
  }
  rss.stop();
  const stats = exporter.stats();
  await exporter.shutdown();
  await rm(spoolDir, { recursive: true, force: true });
  if (stats.rowsInserted !== n) throw new Error(`expected ${n} rows, got ${stats.rowsInserted}`);
  return { rate: n / (busy / 1000), rssMb: rss.peakMb(), cpuUsPerSpan: cpuUs / n };
}

const AUDIT_COPY = `COPY spanledger.audit_log (${STAGING_COLUMNS.map(([c]) => (c === 'billable' ? 'billed' : c)).join(', ')}) FROM STDIN`;
// The llm_usage row the exporter's merge writes for a billed span (write-sql.ts), column by column.
const USAGE_COLUMNS = [
  'trace_id',
  'span_id',
  'parent_span_id',
  'started_at',
  'ended_at',
  'tenant_id',
  'user_id',
  'service_name',
  'provider',
  'model',
  'operation',
  'response_id',
  'status',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'total_tokens',
  'usage_source',
  'cost_usd',
  'price_ref',
] as const;
const USAGE_COPY = `COPY spanledger.llm_usage (${USAGE_COLUMNS.join(', ')}) FROM STDIN`;
// The llm_usage values of a row, in USAGE_COLUMNS order (shared by raw COPY and per-row INSERT).
const usageValues = (r: SpanRow) => [
  r.trace_id,
  r.span_id,
  r.parent_span_id,
  r.started_at,
  r.ended_at,
  r.tenant_id,
  r.user_id,
  r.service_name,
  r.provider,
  r.response_model ?? r.request_model,
  r.operation,
  r.response_id,
  r.status,
  r.input_tokens,
  r.output_tokens,
  r.cache_read_tokens,
  r.cache_write_tokens,
  r.reasoning_tokens,
  r.input_tokens === null && r.output_tokens === null
    ? null
    : (r.input_tokens ?? 0) + (r.output_tokens ?? 0),
  r.usage_source,
  r.cost_usd,
  r.price_ref,
];
// Bench rows hold ids, numbers and plain words only: nothing needs COPY escaping.
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

const AUDIT_INSERT_COLUMNS = STAGING_COLUMNS.map(([c]) => c);
const AUDIT_INSERT = `INSERT INTO spanledger.audit_log (${AUDIT_INSERT_COLUMNS.map((c) => (c === 'billable' ? 'billed' : c)).join(', ')}) VALUES (${AUDIT_INSERT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT DO NOTHING`;
const USAGE_INSERT = `INSERT INTO spanledger.llm_usage (${USAGE_COLUMNS.join(', ')}) VALUES (${USAGE_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT DO NOTHING`;
// The exporter's rollup upsert (write-sql.ts), for one call.
const ROLLUP_UPSERT = `INSERT INTO spanledger.usage_daily AS d (day, tenant_id, user_id, provider, model, calls,
  error_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
  cost_usd, unpriced_calls)
VALUES (($1::timestamptz AT TIME ZONE 'UTC')::date, coalesce($2, ''), coalesce($3, ''), coalesce($4, ''),
  coalesce($5, ''), 1, CASE WHEN $6 = 'error' THEN 1 ELSE 0 END, coalesce($7::bigint, 0),
  coalesce($8::bigint, 0), coalesce($9::bigint, 0), coalesce($10::bigint, 0), coalesce($11::bigint, 0),
  coalesce($12::numeric, 0), CASE WHEN $12 IS NULL THEN 1 ELSE 0 END)
${ROLLUP_ON_CONFLICT_SQL}`;
const rollupValues = (r: SpanRow) => [
  r.started_at,
  r.tenant_id,
  r.user_id,
  r.provider,
  r.response_model ?? r.request_model,
  r.status,
  r.input_tokens,
  r.output_tokens,
  r.cache_read_tokens,
  r.cache_write_tokens,
  r.reasoning_tokens,
  r.cost_usd,
];

/**
 * Per-row writes, the way the seed systems wrote: per span one transaction that inserts the audit
 * row, inserts the usage row and upserts the daily rollup (the same three tables and rows the
 * exporter writes). `tablesOnly` is the older, lighter baseline: two autocommit INSERTs
 * (audit_log and llm_usage) and no rollup.
 */
async function rowInsertRun(serverUrl: string, n: number, tablesOnly: boolean) {
  const url = await freshDatabase(serverUrl, 'bench_row_insert');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const rows = rowsFor(n);
  const t0 = performance.now();
  for (const r of rows) {
    const audit = AUDIT_INSERT_COLUMNS.map((c) => r[c]);
    if (tablesOnly) {
      await client.query(AUDIT_INSERT, audit);
      await client.query(USAGE_INSERT, usageValues(r));
      continue;
    }
    await client.query('BEGIN');
    await client.query(AUDIT_INSERT, audit);
    if (r.billable) {
      await client.query(USAGE_INSERT, usageValues(r));
      await client.query(ROLLUP_UPSERT, rollupValues(r));
    }
    await client.query('COMMIT');
  }
  const rate = n / ((performance.now() - t0) / 1000);
  await client.end();
  return rate;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * What a feature of the write path costs: the same exporter with it and without it (`without`
 * removes it from that database), in interleaved rounds (the order alternating, so neither side
 * always runs on a warmer or busier machine); the cost is the median of the per-round ratios.
 */
async function featureCost(serverUrl: string, feature: string, without: string) {
  const ratios: number[] = [];
  const rates = { with: [] as number[], without: [] as number[] };
  const slug = feature.replace(/\W+/g, '_');
  for (let i = 0; i < CHAIN_ROUNDS; i++) {
    const run = (off: boolean) =>
      exporterRun(
        serverUrl,
        CHAIN_RUN,
        `bench_${slug}_${off ? 'off' : 'on'}_${i}`,
        off ? without : undefined,
      );
    const [a, b] =
      i % 2 === 0 ? [await run(true), await run(false)] : [await run(false), await run(true)];
    const [off, on] = i % 2 === 0 ? [a, b] : [b, a];
    rates.with.push(on.rate);
    rates.without.push(off.rate);
    ratios.push(on.rate / off.rate);
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const on = median(rates.with);
  const off = median(rates.without);
  const cost = 1 - median(ratios);
  console.log(
    `${feature}: ${fmt(on)} spans/s with it, ${fmt(off)} without (medians of ${CHAIN_ROUNDS} interleaved rounds of ${fmt(CHAIN_RUN)} spans; per-round costs ${ratios.map((r) => `${((1 - r) * 100).toFixed(1)}%`).join(', ')}): ${(cost * 100).toFixed(1)}% of throughput`,
  );
  return { on, off, cost };
}

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
    const chain = await featureCost(server.url, 'hash chain', await unchainedMergeSql());
    const rollups = await featureCost(
      server.url,
      'overview rollups and ranking indexes',
      WITHOUT_OVERVIEW_ROLLUPS_SQL,
    );
    const raw = await rawCopyRun(server.url, LARGE);
    console.log(`raw COPY ${fmt(LARGE)} rows (no staging, no merge): ${fmt(raw)} rows/s`);
    const perRow = await rowInsertRun(server.url, ROW_INSERT_SAMPLE, false);
    const perRowTables = await rowInsertRun(server.url, ROW_INSERT_SAMPLE, true);
    const node = nodeCost('span');
    const nodeBatch = nodeCost('batch');
    console.log(
      `node transform+encode (fresh process, median of 9 rounds): ${node.medianUs.toFixed(2)} µs CPU/span (min ${node.minUs.toFixed(2)}) span by span; ${nodeBatch.medianUs.toFixed(2)} µs (min ${nodeBatch.minUs.toFixed(2)}) as the exporter holds a batch; ${node.bytesPerRow} COPY bytes/row`,
    );
    console.log(
      `exporter's process CPU during exportSpans (${fmt(LARGE)} spans): ${large.cpuUsPerSpan.toFixed(1)} µs/span`,
    );
    console.log(
      `per-row writes (${fmt(ROW_INSERT_SAMPLE)} spans, one transaction each: audit + usage INSERT, rollup upsert): ${fmt(perRow)} spans/s`,
    );
    console.log(
      `per-row INSERT, lighter (${fmt(ROW_INSERT_SAMPLE)} spans, audit + usage autocommit, no rollup): ${fmt(perRowTables)} spans/s`,
    );
    console.log(
      `RESULT spans_per_s=${Math.round(large.rate)} small_spans_per_s=${Math.round(small.rate)} raw_copy_per_s=${Math.round(raw)} row_insert_per_s=${Math.round(perRow)} vs_raw_copy=${(large.rate / raw).toFixed(2)} vs_row_insert=${(large.rate / perRow).toFixed(1)} row_insert_no_rollup_per_s=${Math.round(perRowTables)} vs_row_insert_no_rollup=${(large.rate / perRowTables).toFixed(1)} node_us_per_span=${node.medianUs.toFixed(1)} node_batch_us_per_span=${nodeBatch.medianUs.toFixed(1)} exporter_cpu_us_per_span=${large.cpuUsPerSpan.toFixed(1)} rss_mb=${large.rssMb} chained_per_s=${Math.round(chain.on)} unchained_per_s=${Math.round(chain.off)} chain_cost=${chain.cost.toFixed(3)} overview_rollups_per_s=${Math.round(rollups.on)} no_overview_rollups_per_s=${Math.round(rollups.off)} overview_rollups_cost=${rollups.cost.toFixed(3)}`,
    );
  } finally {
    await server.stop();
  }
}

await main();
