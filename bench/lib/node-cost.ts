/**
 * Node's CPU time for mapping and COPY-encoding spans, measured in a process of its own.
 *
 * Run as a child of bench:exporter (`node node-cost.js <mode>`), it prints one JSON line. A fresh
 * process, because the same code measured at the end of the benchmark's own process cost 2–2.5×
 * as much as in a fresh process at the same moment on the same machine: the exporter runs before it
 * had taught V8 to allocate the transform's objects straight into the old generation
 * (allocation-site pretenuring; with `--no-allocation-site-pretenuring` the in-process figure
 * fell back). The spans are made, and promoted by a warm-up pass, before the clock starts: making
 * them and moving them out of the young generation is the generator's cost, not the exporter's.
 *
 * Modes:
 * - `span`: each span mapped and encoded, its row dropped at once (the figure issue 18 set its
 *   10 µs goal on);
 * - `batch`: what the exporter does with a batch: all its spans mapped and encoded as they come
 *   (`mapSpans`, two write lanes) into 256 KiB segments, held, sent as COPY chunks (views of the
 *   segments, as copy-writer.ts sends them), then the segments recycled as after a commit;
 * - `rows`: the same batch the way the exporter held it before (row objects held, encoded into
 *   chunks at write time), for comparison: every young-generation collection copied the held
 *   rows, which was the larger cost.
 *
 * NODE_COST_BATCH (default 5000, the benchmark's batch) sets the spans per batch.
 */
import {
  createStats,
  emptyOutcome,
  encodeCopyRow,
  mapSpans,
  resolveTransformOptions,
  type SpanRow,
  transformSpan,
} from '../../exporters/index.js';
import { genaiSpan } from './genai-spans.js';

const BATCH = Number(process.env.NODE_COST_BATCH ?? 5_000);
const BATCHES = 4;
const ROUNDS = 9;
const CHUNK = 256 * 1024;
const options = resolveTransformOptions({});

let sink = 0;

function perSpan(spans: ReturnType<typeof genaiSpan>[]): void {
  for (const span of spans) {
    const r = transformSpan(span, options);
    if (r.kind === 'row') sink += encodeCopyRow(r.row).length;
  }
}

const stats = createStats();

function perBatch(spans: ReturnType<typeof genaiSpan>[]): void {
  const outcome = emptyOutcome();
  // Two lanes, as the exporter's default writeLanes sorts a large batch.
  const { lanes } = mapSpans(
    spans,
    { transform: options, source: 'bench', lanes: 2 },
    outcome,
    stats,
  );
  // As copy-writer.ts sends them: each lane's chunks, views of its segments; then, as after a
  // commit, the segments go back to the pool.
  for (const rows of lanes) for (const chunk of rows.chunks()) sink += chunk.length;
  for (const rows of lanes) rows.recycle();
}

function perBatchOfRows(spans: ReturnType<typeof genaiSpan>[]): void {
  const rows: SpanRow[] = [];
  for (const span of spans) {
    const r = transformSpan(span, options);
    if (r.kind === 'row') rows.push(r.row);
  }
  let chunk = '';
  for (const row of rows) {
    chunk += encodeCopyRow(row);
    if (chunk.length >= CHUNK) {
      sink += Buffer.from(chunk).length;
      chunk = '';
    }
  }
  if (chunk) sink += Buffer.from(chunk).length;
}

export interface NodeCost {
  mode: string;
  /** Median over the rounds, µs of CPU (user + system) per span. */
  medianUs: number;
  minUs: number;
  bytesPerRow: number;
}

function measure(mode: string): NodeCost {
  const run = mode === 'batch' ? perBatch : mode === 'rows' ? perBatchOfRows : perSpan;
  const batches = Array.from({ length: BATCHES }, () =>
    Array.from({ length: BATCH }, () => genaiSpan()),
  );
  for (let warm = 0; warm < 2; warm++) for (const spans of batches) run(spans);
  const perRound: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const cpu0 = process.cpuUsage();
    for (const spans of batches) run(spans);
    const cpu = process.cpuUsage(cpu0);
    perRound.push((cpu.user + cpu.system) / (BATCH * BATCHES));
  }
  perRound.sort((a, b) => a - b);
  const sample = transformSpan(batches[0]![0]!, options);
  const bytesPerRow = sample.kind === 'row' ? Buffer.byteLength(encodeCopyRow(sample.row)) : 0;
  return {
    mode,
    medianUs: perRound[Math.floor(ROUNDS / 2)]!,
    minUs: perRound[0]!,
    bytesPerRow: sink > 0 ? bytesPerRow : 0,
  };
}

const mode = process.argv[2];
if (mode === 'span' || mode === 'batch' || mode === 'rows')
  console.log(JSON.stringify(measure(mode)));
