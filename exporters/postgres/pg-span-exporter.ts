import { context, diag, type Histogram } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type pg from 'pg';
import { type WriteReport, WriteUnavailableError, writeRows } from './batch-writer.js';
import { encodeCopyRow } from './copy-text.js';
import type { DeadLetter } from './dead-letter.js';
import {
  createExporterPool,
  type ExporterLogger,
  type ExportOutcome,
  type PgSpanExporterOptions,
} from './exporter-options.js';
import { spanLikeFromReadable } from './from-readable-span.js';
import { createStats, type ExporterStats, registerExporterMetrics } from './metrics.js';
import type { SpanLike, SpanRow, TransformResult } from './rows.js';
import { releaseSpoolLock, Spool } from './spool.js';
import { resolveTransformOptions, type TransformOptions, transformSpan } from './transform.js';

interface Job {
  rows: SpanRow[];
  dead: DeadLetter[];
  resolve(outcome: { spooled: boolean; error?: Error }): void;
}

interface SpoolRecord {
  rows: SpanRow[];
  dead: DeadLetter[];
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
  private spool: Spool | undefined;
  private readonly spoolDir: string | undefined;
  private queue: Job[] = [];
  private running: Promise<void> | undefined;
  private replayTimer: NodeJS.Timeout | undefined;
  private replayDelay: number;
  private replayPending = false;
  private isShutdown = false;
  private shutdownPromise: Promise<void> | undefined;

  constructor(private readonly options: PgSpanExporterOptions = {}) {
    this.log = options.logger ?? diag;
    this.ownsPool = !options.pool;
    this.pool = options.pool ?? createExporterPool(options, this.log);
    this.transformOptions = resolveTransformOptions(options.transform ?? {});
    this.latency = options.meter
      ? registerExporterMetrics(options.meter, this.statsValue)
      : undefined;
    this.replayDelay = options.replayIntervalMs ?? 1_000;
    this.spoolDir = options.spool === false ? undefined : (options.spool?.dir ?? DEFAULT_SPOOL_DIR);
    this.ready = this.openSpool().then(() => {
      // Batches left by an earlier process are replayed without waiting for the next export.
      if (this.replayPending) this.kick();
    });
  }

  /** A snapshot of the self-observability counters. */
  stats(): ExporterStats {
    return { ...this.statsValue, spoolBytes: this.spool?.pendingBytes ?? 0 };
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
   */
  async exportSpans(
    spans: readonly SpanLike[],
    meta: { tenantId?: string | undefined } = {},
  ): Promise<ExportOutcome> {
    const outcome: ExportOutcome = {
      code: ExportResultCode.SUCCESS,
      accepted: 0,
      spooled: 0,
      ignored: 0,
      rejected: [],
    };
    if (this.isShutdown) {
      return {
        ...outcome,
        code: ExportResultCode.FAILED,
        error: new Error('exporter is shut down'),
      };
    }
    const rows: SpanRow[] = [];
    const dead: DeadLetter[] = [];
    this.mapSpans(spans, meta.tenantId, rows, dead, outcome);
    if (rows.length === 0 && dead.length === 0) return outcome;
    const result = await new Promise<{ spooled: boolean; error?: Error }>((resolve) => {
      this.queue.push({ rows, dead, resolve });
      this.kick();
    });
    if (result.error) return { ...outcome, code: ExportResultCode.FAILED, error: result.error };
    return { ...outcome, accepted: rows.length, spooled: result.spooled ? rows.length : 0 };
  }

  /** Waits until every export handed in so far is committed or spooled. */
  async forceFlush(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Flushes, then releases the pool (if owned) and the spool. Idempotent. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      this.isShutdown = true;
      await this.forceFlush();
      if (this.replayTimer) clearTimeout(this.replayTimer);
      if (this.spool && this.spoolDir) {
        this.spool.close();
        await releaseSpoolLock(this.spoolDir);
      }
      if (this.ownsPool) await this.pool.end().catch(() => {});
    })();
    return this.shutdownPromise;
  }

  private mapSpans(
    spans: readonly SpanLike[],
    tenantId: string | undefined,
    rows: SpanRow[],
    dead: DeadLetter[],
    outcome: ExportOutcome,
  ) {
    const source = this.options.source ?? 'exporter';
    this.statsValue.spansReceived += spans.length;
    for (const span of spans) {
      const result = this.transformOne(span);
      if (result.kind === 'row') {
        if (tenantId !== undefined) result.row.tenant_id = tenantId;
        rows.push(result.row);
      } else if (result.kind === 'ignored') {
        outcome.ignored++;
        this.statsValue.spansIgnored++;
      } else {
        this.statsValue.spansInvalid++;
        outcome.rejected.push({
          traceId: result.traceId,
          spanId: result.spanId,
          reason: result.reason,
        });
        dead.push({
          source,
          reason: result.reason,
          tenant_id: tenantId ?? null,
          trace_id: result.traceId ?? null,
          span_id: result.spanId ?? null,
          payload: { name: span.name, traceId: span.traceId, spanId: span.spanId },
        });
      }
    }
  }

  // A mapping bug must cost one span (dead-lettered with the reason), never the batch.
  private transformOne(span: SpanLike): TransformResult {
    try {
      return transformSpan(span, this.transformOptions);
    } catch (err) {
      return {
        kind: 'invalid',
        reason: `internal mapping error: ${(err as Error).message}`,
        traceId: span.traceId,
        spanId: span.spanId,
      };
    }
  }

  private kick() {
    if (this.running) return;
    this.running = context
      .with(suppressTracing(context.active()), () => this.drain())
      .finally(() => {
        this.running = undefined;
        if (this.queue.length > 0 || this.replayPending) this.kick();
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
      if (this.replayPending) await this.replaySpool();
      const jobs = this.takeJobs();
      if (jobs.length === 0) return;
      await this.process(jobs);
    }
  }

  private queuedRows(): number {
    let n = 0;
    for (const job of this.queue) n += job.rows.length;
    return n;
  }

  private takeJobs(): Job[] {
    const limit = this.options.maxRowsPerWrite ?? 20_000;
    const jobs: Job[] = [];
    let count = 0;
    while (
      this.queue.length > 0 &&
      (jobs.length === 0 || count + this.queue[0]!.rows.length <= limit)
    ) {
      const job = this.queue.shift()!;
      count += job.rows.length;
      jobs.push(job);
    }
    return jobs;
  }

  private async process(jobs: Job[]) {
    const rows = jobs.length === 1 ? jobs[0]!.rows : jobs.flatMap((j) => j.rows);
    const dead = jobs.flatMap((j) => j.dead);
    if (this.spool && !this.spool.isEmpty) {
      this.toSpool(jobs, rows, dead, new Error('earlier batches are still spooled'));
      return;
    }
    const parts = this.splitByTrace(rows, dead);
    const started = performance.now();
    const results = await Promise.allSettled(parts.map((p) => this.write(p.rows, p.dead)));
    this.latency?.record(performance.now() - started);
    const unwritten: SpoolRecord[] = [];
    let unavailable: Error | undefined;
    let unexpected: Error | undefined;
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') this.count(r.value);
      else if (r.reason instanceof WriteUnavailableError) {
        unavailable = r.reason;
        unwritten.push(parts[i]!);
      } else unexpected = r.reason as Error;
    });
    if (unexpected) {
      this.log.error(
        `spanledger exporter: unexpected write failure: ${unexpected.stack ?? unexpected}`,
      );
      this.statsValue.droppedSpans += rows.length;
      for (const j of jobs) j.resolve({ spooled: false, error: unexpected });
    } else if (unavailable) {
      // Lanes that committed stay committed; the rest is spooled (replay is idempotent anyway).
      this.toSpool(
        jobs,
        unwritten.flatMap((p) => p.rows),
        unwritten.flatMap((p) => p.dead),
        unavailable,
      );
    } else {
      for (const j of jobs) j.resolve({ spooled: false });
    }
  }

  /**
   * Large writes are split into `writeLanes` transactions that run at once, by trace id: the
   * leaf-billing rules compare spans of one trace, so one trace always stays in one lane and its
   * decisions are serialised exactly as with a single lane.
   */
  private splitByTrace(rows: SpanRow[], dead: DeadLetter[]): SpoolRecord[] {
    const lanes = this.options.writeLanes ?? 2;
    if (lanes <= 1 || rows.length < MIN_ROWS_PER_LANE * 2) return [{ rows, dead }];
    const parts: SpoolRecord[] = Array.from({ length: lanes }, () => ({ rows: [], dead: [] }));
    for (const row of rows)
      parts[Number.parseInt(row.trace_id.slice(0, 8), 16) % lanes]!.rows.push(row);
    parts[0]!.dead = dead;
    return parts.filter((p) => p.rows.length > 0 || p.dead.length > 0);
  }

  private write(rows: SpanRow[], dead: DeadLetter[]): Promise<WriteReport> {
    return writeRows(rows, dead, {
      pool: this.pool,
      encode: encodeCopyRow,
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
    const s = this.statsValue;
    s.batchesWritten++;
    s.rowsInserted += report.inserted;
    s.duplicatesSkipped += report.duplicates;
    s.billed += report.billed;
    s.unpriced += report.unpriced;
    s.deadLettered += report.deadLettered;
  }

  private toSpool(jobs: Job[], rows: SpanRow[], dead: DeadLetter[], cause: Error) {
    const status = this.spool ? this.spool.append({ rows, dead } satisfies SpoolRecord) : 'full';
    if (status === 'ok') {
      this.statsValue.spooledBatches++;
      this.statsValue.spooledSpans += rows.length;
      this.log.warn(
        `spanledger exporter: ${rows.length} span(s) spooled to disk: ${cause.message}`,
      );
      this.scheduleReplay();
      for (const j of jobs) j.resolve({ spooled: true });
      return;
    }
    this.statsValue.droppedSpans += rows.length;
    const why = this.spool ? 'the spool is full' : 'no spool is configured';
    const error = new Error(`${rows.length} span(s) not stored: ${cause.message}, and ${why}`);
    this.log.error(`spanledger exporter: ${error.message}`);
    for (const j of jobs) j.resolve({ spooled: false, error });
  }

  private scheduleReplay(delay = this.replayDelay) {
    if (this.replayTimer || this.isShutdown) return;
    this.replayTimer = setTimeout(() => {
      this.replayTimer = undefined;
      this.replayPending = true;
      this.kick();
    }, delay);
    this.replayTimer.unref();
  }

  private async replaySpool() {
    this.replayPending = false;
    if (!this.spool || this.spool.isEmpty) return;
    try {
      const replayed = await this.spool.replay(async (record) => {
        const { rows, dead } = record as SpoolRecord;
        this.count(await this.write(rows, dead));
        this.statsValue.replayedBatches++;
        this.statsValue.replayedSpans += rows.length;
      });
      this.replayDelay = this.options.replayIntervalMs ?? 1_000;
      this.log.info(`spanledger exporter: replayed ${replayed} spooled batch(es) into Postgres`);
    } catch (err) {
      this.replayDelay = Math.min(this.replayDelay * 2, 10_000);
      this.log.debug(`spanledger exporter: spool replay postponed: ${(err as Error).message}`);
      this.scheduleReplay();
    }
  }

  private async openSpool() {
    if (!this.spoolDir) return;
    const maxBytes = (this.options.spool || undefined)?.maxBytes ?? DEFAULT_SPOOL_BYTES;
    try {
      this.spool = await Spool.open({
        dir: this.spoolDir,
        maxBytes,
        onCorruption: (segment, lost) =>
          this.log.error(
            `spanledger exporter: spool segment ${segment} has a corrupt tail; ${lost} byte(s) unreadable`,
          ),
      });
      if (!this.spool.isEmpty) {
        this.log.info(
          `spanledger exporter: ${this.spool.pendingBytes} spooled byte(s) found; replaying`,
        );
        this.replayPending = true;
      }
    } catch (err) {
      this.log.error(
        `spanledger exporter: spool unavailable, outages will fail exports: ${(err as Error).message}`,
      );
    }
  }
}
