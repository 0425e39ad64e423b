import { context, diag, type Histogram } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type pg from 'pg';
import {
  type RejectedRow,
  type WriteReport,
  WriteUnavailableError,
  writeRows,
} from './batch-writer.js';
import type { DeadLetter } from './dead-letter.js';
import { EncodedRows } from './encoded-rows.js';
import {
  createExporterPool,
  type ExporterLogger,
  type ExportOutcome,
  emptyOutcome,
  type PgSpanExporterOptions,
} from './exporter-options.js';
import { spanLikeFromReadable } from './from-readable-span.js';
import { defaultChainId, LedgerCheckpoints } from './ledger-checkpoints.js';
import { type MappedSpans, mapSpans } from './map-spans.js';
import { createStats, type ExporterStats, registerExporterMetrics } from './metrics.js';
import type { SpanLike } from './rows.js';
import { SpoolKeeper, type SpoolRecord } from './spool-keeper.js';
import { resolveTransformOptions, type TransformOptions } from './transform.js';

interface JobResult {
  spooled: boolean;
  /** Rows Postgres refused (dead-lettered): the sender hears of them in partial_success. */
  rejected?: RejectedRow[];
  error?: Error;
}

interface Job {
  /** Mapped and encoded already, by write lane: a queued job holds text, not row objects. */
  lanes: EncodedRows[];
  count: number;
  dead: DeadLetter[];
  resolve(result: JobResult): void;
}

const DEFAULT_SPOOL_BYTES = 1024 ** 3;
// Below this many rows per lane, a second transaction costs more than it saves.
const MIN_ROWS_PER_LANE = 500;
const DEFAULT_SPOOL_DIR = '.spanledger/spool';

/**
 * OpenTelemetry SpanExporter writing GenAI spans into spanledger's audit and usage tables.
 * Batches are COPY'd into a staging table and merged idempotently, so retries and re-sends leave
 * exactly one row per span. Never throws: every path ends in an ExportResult.
 */
export class PgSpanExporter implements SpanExporter {
  private readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly transformOptions: TransformOptions;
  private readonly log: ExporterLogger;
  private readonly statsValue: ExporterStats = createStats();
  private readonly latency: Histogram | undefined;
  private readonly ready: Promise<void>;
  private readonly spool: SpoolKeeper;
  private queue: Job[] = [];
  private running: Promise<void> | undefined;
  private isShutdown = false;
  private shutdownPromise: Promise<void> | undefined;
  private readonly checkpoints: LedgerCheckpoints;
  private readonly chainId: string;

  constructor(private readonly options: PgSpanExporterOptions = {}) {
    this.log = options.logger ?? diag;
    this.ownsPool = !options.pool;
    this.pool = options.pool ?? createExporterPool(options, this.log);
    this.transformOptions = resolveTransformOptions(options.transform ?? {});
    this.latency = options.meter
      ? registerExporterMetrics(options.meter, this.statsValue)
      : undefined;
    this.spool = new SpoolKeeper({
      dir: options.spool === false ? undefined : (options.spool?.dir ?? DEFAULT_SPOOL_DIR),
      maxBytes: (options.spool || undefined)?.maxBytes ?? DEFAULT_SPOOL_BYTES,
      replayIntervalMs: options.replayIntervalMs ?? 1_000,
      maxRowsPerWrite: options.maxRowsPerWrite ?? 20_000,
      log: this.log,
      stats: this.statsValue,
      write: async ({ rows, dead }) => this.count(await this.write(rows, dead, 0)),
      requestReplay: () => this.kick(),
    });
    this.chainId = options.chainId ?? defaultChainId();
    this.checkpoints = new LedgerCheckpoints(
      this.pool,
      options.checkpointIntervalMs ?? 60_000,
      this.log,
    );
    // Batches left by an earlier process are replayed without waiting for the next export.
    this.ready = this.spool.open().then(() => {
      if (this.spool.replayDue) this.kick();
    });
  }

  /** A snapshot of the self-observability counters. */
  stats(): ExporterStats {
    return { ...this.statsValue, spoolBytes: this.spool.pendingBytes };
  }

  /** SpanExporter contract, for the SDK's BatchSpanProcessor. */
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let likes: SpanLike[];
    try {
      likes = spans.map(spanLikeFromReadable);
    } catch (err) {
      resultCallback({ code: ExportResultCode.FAILED, error: err as Error });
      return;
    }
    this.exportSpans(likes).then(
      (o) => resultCallback(o.error ? { code: o.code, error: o.error } : { code: o.code }),
      (err) => resultCallback({ code: ExportResultCode.FAILED, error: err as Error }),
    );
  }

  /**
   * Exports spans from any source (the collector passes decoded OTLP spans). Resolves once the
   * spans are durable; `tenantId` overrides the tenant of every row (authenticated senders).
   *
   * Deliberately not `async`: V8 keeps a suspended async function's parameters alive, so an
   * `await` here would hold every span object until the commit (hundreds of ms under load),
   * promoting them to the old generation. The spans are mapped to COPY text synchronously and
   * only the text waits for Postgres.
   */
  exportSpans(
    spans: readonly SpanLike[],
    meta: { tenantId?: string | undefined } = {},
  ): Promise<ExportOutcome> {
    const outcome = emptyOutcome();
    if (this.isShutdown) {
      return Promise.resolve({
        ...outcome,
        code: ExportResultCode.FAILED,
        error: new Error('exporter is shut down'),
      });
    }
    let mapped: MappedSpans;
    try {
      mapped = mapSpans(
        spans,
        {
          transform: this.transformOptions,
          source: this.options.source ?? 'exporter',
          tenantId: meta.tenantId,
          lanes: this.laneCount,
        },
        outcome,
        this.statsValue,
      );
    } catch (err) {
      return Promise.reject(err);
    }
    if (mapped.count === 0 && mapped.dead.length === 0) return Promise.resolve(outcome);
    return this.settle(mapped, outcome);
  }

  /** Queues mapped rows for the write loop and turns its result into the caller's outcome. */
  private async settle(
    { lanes, count, dead }: MappedSpans,
    outcome: ExportOutcome,
  ): Promise<ExportOutcome> {
    const result = await new Promise<JobResult>((resolve) => {
      this.queue.push({ lanes, count, dead, resolve });
      this.kick();
    });
    if (result.error) return { ...outcome, code: ExportResultCode.FAILED, error: result.error };
    const refused = result.rejected ?? [];
    for (const r of refused) outcome.rejected.push(r);
    const stored = count - refused.length;
    return { ...outcome, accepted: stored, spooled: result.spooled ? stored : 0 };
  }

  /** Waits until every export handed in so far is committed or spooled. */
  async forceFlush(): Promise<void> {
    while (this.running) await this.running;
  }

  /**
   * Replays the spool now instead of at the next backoff step: the caller knows the database
   * is back (the collector, once it has reconnected and migrated).
   */
  replayNow(): void {
    this.spool.replayNow();
  }

  /** Flushes, then releases the pool (if owned) and the spool. Idempotent. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      this.isShutdown = true;
      // The spool may still be opening (lock file, segments) when a short-lived exporter is shut
      // down: close it only once open, or its lock would be left behind in the directory.
      await this.ready.catch(() => {});
      await this.forceFlush();
      await this.checkpoints.stop();
      await this.spool.close();
      if (this.ownsPool) await this.pool.end().catch(() => {});
    })();
    return this.shutdownPromise;
  }

  private kick() {
    if (this.running) return;
    this.running = context
      .with(suppressTracing(context.active()), () => this.drain())
      .catch((err) => {
        // drain() settles every job itself; this is the last line, like BatchSpanProcessor's.
        this.log.error(`spanledger exporter: write loop failed: ${(err as Error)?.stack ?? err}`);
      })
      .finally(() => {
        this.running = undefined;
        if (this.queue.length > 0 || this.spool.replayDue) this.kick();
      });
  }

  // The single write lane: merges queued exports into one transaction (group commit), and keeps
  // order with the spool: while anything is spooled, new batches go behind it.
  private async drain(): Promise<void> {
    await this.ready;
    const wait = this.options.flushIntervalMs ?? 0;
    if (wait > 0 && this.queuedRows() < (this.options.maxRowsPerWrite ?? 20_000)) {
      await new Promise((r) => setTimeout(r, wait));
    }
    for (;;) {
      if (this.spool.replayDue) await this.spool.replay();
      const jobs = this.takeJobs();
      if (jobs.length === 0) return;
      try {
        await this.process(jobs);
      } catch (err) {
        // A bug, not an outage: the senders hear of it (and retry) instead of waiting forever.
        this.fail(jobs, err as Error);
      }
    }
  }

  private queuedRows(): number {
    let n = 0;
    for (const job of this.queue) n += job.count;
    return n;
  }

  private takeJobs(): Job[] {
    const limit = this.options.maxRowsPerWrite ?? 20_000;
    const jobs: Job[] = [];
    let count = 0;
    while (this.queue.length > 0 && (jobs.length === 0 || count + this.queue[0]!.count <= limit)) {
      const job = this.queue.shift()!;
      count += job.count;
      jobs.push(job);
    }
    return jobs;
  }

  private async process(jobs: Job[]) {
    const dead = jobs.flatMap((j) => j.dead);
    if (this.spool.holdsBatches) {
      const rows = EncodedRows.concat(jobs.flatMap((j) => j.lanes));
      this.toSpool(jobs, { rows, dead }, new Error('earlier batches are still spooled'));
      return;
    }
    const parts = this.writeParts(jobs, dead);
    const started = performance.now();
    const results = await Promise.allSettled(
      parts.map((p, lane) => this.write(p.rows, p.dead, lane)),
    );
    this.latency?.record(performance.now() - started);
    const unwritten: SpoolRecord[] = [];
    const rejected: RejectedRow[] = [];
    let unavailable: Error | undefined;
    let unexpected: Error | undefined;
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') {
        this.count(r.value);
        for (const x of r.value.rejected) rejected.push(x);
      } else if (r.reason instanceof WriteUnavailableError) {
        unavailable = r.reason;
        unwritten.push(parts[i]!);
      } else unexpected = r.reason as Error;
    });
    if (unexpected) this.fail(jobs, unexpected);
    else if (unavailable) {
      // Lanes that committed stay committed; the rest is spooled (replay is idempotent anyway).
      const record = {
        rows: EncodedRows.concat(unwritten.map((p) => p.rows)),
        dead: unwritten.flatMap((p) => p.dead),
      };
      this.toSpool(jobs, record, unavailable, rejected);
    } else {
      this.resolve(jobs, { spooled: false }, rejected);
      // Every lane committed, so Postgres has read every byte: the segments can carry the next
      // batches (segment-pool.ts). After a failure they are left to the garbage collector.
      for (const p of parts) p.rows.recycle();
      for (const j of jobs) for (const rows of j.lanes) rows.recycle();
    }
  }

  private fail(jobs: Job[], err: Error) {
    this.log.error(`spanledger exporter: unexpected write failure: ${err?.stack ?? err}`);
    for (const j of jobs) this.statsValue.droppedSpans += j.count;
    for (const j of jobs) j.resolve({ spooled: false, error: err });
  }

  /** Settles each job, handing it the refused rows that were its own. */
  private resolve(jobs: Job[], result: JobResult, rejected: readonly RejectedRow[] = []) {
    if (rejected.length === 0) {
      for (const j of jobs) j.resolve(result);
      return;
    }
    const byKey = new Map(rejected.map((r) => [`${r.traceId}/${r.spanId}`, r]));
    for (const j of jobs) {
      const own: RejectedRow[] = [];
      for (const rows of j.lanes) {
        for (let i = 0; i < rows.length; i++) {
          const hit = byKey.get(`${rows.traceId(i)}/${rows.spanId(i)}`);
          if (hit) own.push(hit);
        }
      }
      j.resolve(own.length > 0 ? { ...result, rejected: own } : result);
    }
  }

  private get laneCount(): number {
    return Math.max(1, this.options.writeLanes ?? 2);
  }

  /**
   * Large writes are split into `writeLanes` transactions that run at once, by trace id
   * ({@link laneOf}; mapSpans sorted each job's rows into their lanes already). Small writes are
   * one transaction: a second costs more than it saves.
   */
  private writeParts(jobs: Job[], dead: DeadLetter[]): SpoolRecord[] {
    let count = 0;
    for (const j of jobs) count += j.count;
    if (this.laneCount <= 1 || count < MIN_ROWS_PER_LANE * 2) {
      return [{ rows: EncodedRows.concat(jobs.flatMap((j) => j.lanes)), dead }];
    }
    const parts: SpoolRecord[] = [];
    for (let lane = 0; lane < this.laneCount; lane++) {
      const rows = EncodedRows.concat(jobs.map((j) => j.lanes[lane]!));
      parts.push({ rows, dead: lane === 0 ? dead : [] });
    }
    return parts.filter((p) => p.rows.length > 0 || p.dead.length > 0);
  }

  private write(rows: EncodedRows, dead: DeadLetter[], lane: number): Promise<WriteReport> {
    return writeRows(rows, dead, {
      pool: this.pool,
      chain: `${this.chainId}/${lane}`,
      role: this.options.role,
      maxRetries: this.options.maxRetries,
      retryBaseMs: this.options.retryBaseMs,
      onRetry: (err, attempt, delay) => {
        this.statsValue.retries++;
        this.log.debug(
          `spanledger exporter: retry ${attempt} in ${Math.round(delay)} ms: ${(err as Error).message}`,
        );
      },
    });
  }

  private count(report: WriteReport) {
    if (report.inserted > 0) this.checkpoints.due();
    const s = this.statsValue;
    s.batchesWritten++;
    s.rowsInserted += report.inserted;
    s.duplicatesSkipped += report.duplicates;
    s.billed += report.billed;
    s.unpriced += report.unpriced;
    s.deadLettered += report.deadLettered;
  }

  private toSpool(
    jobs: Job[],
    record: SpoolRecord,
    cause: Error,
    rejected: readonly RejectedRow[] = [],
  ) {
    const error = this.spool.store(record, cause);
    if (error) for (const j of jobs) j.resolve({ spooled: false, error });
    else this.resolve(jobs, { spooled: true }, rejected);
  }
}
