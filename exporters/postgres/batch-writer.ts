import type { Pool } from 'pg';
import { type BatchWriteCounts, writeBatchOnce } from './copy-writer.js';
import { type DeadLetter, writeDeadLetters } from './dead-letter.js';
import { type EncodedRows, rowPayload } from './encoded-rows.js';
import { classifyWriteError, type WriteErrorKind } from './pg-errors.js';

/** What writing a set of rows did. */
export interface WriteReport extends BatchWriteCounts {
  /** Rows that were already stored (re-sent spans): staged − inserted. */
  duplicates: number;
  /** Entries written to dead_letter (invalid spans and rows Postgres rejected). */
  deadLettered: number;
  /** Rows Postgres rejected (isolated by bisection, now in dead_letter), with the reason. */
  rejected: RejectedRow[];
  /** Transactions used (1 unless a poison row had to be isolated). */
  transactions: number;
  retries: number;
}

export interface BatchWriterOptions {
  pool: Pool;
  /** The hash chain this writer extends (one per write lane; see merge_stage). */
  chain: string;
  role?: string | undefined;
  /** Attempts per transaction for transient errors before giving up (default 4). */
  maxRetries?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

/** A row Postgres refused, identified as the sender knows it. */
export interface RejectedRow {
  traceId: string;
  spanId: string;
  reason: string;
}

/** The database could not take the batch now (down, restarting, misconfigured): spool it. */
export class WriteUnavailableError extends Error {
  override name = 'WriteUnavailableError';
  constructor(
    readonly kind: WriteErrorKind,
    override readonly cause: unknown,
  ) {
    super(`postgres unavailable (${kind}): ${(cause as Error)?.message ?? String(cause)}`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function describeRejection(err: unknown): string {
  const e = err as { message?: string; code?: string; detail?: string; column?: string };
  return `postgres rejected the row: ${e.message ?? String(err)}${e.code ? ` (SQLSTATE ${e.code})` : ''}${
    e.detail ? `; ${e.detail}` : ''
  }`;
}

/**
 * Writes rows (and dead letters) with the guarantees the exporter promises: transient failures
 * are retried with exponential backoff; a row Postgres rejects is isolated by bisection and
 * dead-lettered while the rest commits; anything else throws WriteUnavailableError so the caller
 * can spool the whole set and replay it later (idempotently).
 */
export async function writeRows(
  rows: EncodedRows,
  deadLetters: readonly DeadLetter[],
  options: BatchWriterOptions,
): Promise<WriteReport> {
  const report: WriteReport = {
    staged: 0,
    inserted: 0,
    billed: 0,
    unpriced: 0,
    duplicates: 0,
    deadLettered: 0,
    rejected: [],
    transactions: 0,
    retries: 0,
  };
  const rejected: DeadLetter[] = [];
  if (rows.length > 0) await writeIsolating(rows, options, report, rejected);
  const all = [...deadLetters, ...rejected];
  if (all.length > 0) {
    await withRetry(() => writeDeadLetters(options.pool, all), options, report);
    report.deadLettered = all.length;
  }
  for (const r of rejected) {
    report.rejected.push({ traceId: r.trace_id!, spanId: r.span_id!, reason: r.reason });
  }
  report.duplicates = report.staged - report.inserted;
  return report;
}

async function writeIsolating(
  rows: EncodedRows,
  options: BatchWriterOptions,
  report: WriteReport,
  rejected: DeadLetter[],
): Promise<void> {
  try {
    const counts = await withRetry(
      () => writeBatchOnce(options.pool, rows, options.chain, options.role),
      options,
      report,
    );
    report.transactions++;
    report.staged += counts.staged;
    report.inserted += counts.inserted;
    report.billed += counts.billed;
    report.unpriced += counts.unpriced;
  } catch (err) {
    if (err instanceof WriteUnavailableError) throw err;
    // A data error: COPY and INSERT fail as a whole, so split until the culprit is alone.
    if (rows.length === 1) {
      const payload = rowPayload(rows.line(0));
      rejected.push({
        source: 'exporter',
        reason: describeRejection(err),
        tenant_id: (payload.tenant_id as string | null) ?? null,
        trace_id: rows.traceId(0),
        span_id: rows.spanId(0),
        payload,
      });
      return;
    }
    const mid = Math.ceil(rows.length / 2);
    await writeIsolating(rows.slice(0, mid), options, report, rejected);
    await writeIsolating(rows.slice(mid, rows.length), options, report, rejected);
  }
}

/** Retries transient errors; rethrows data errors as-is and the rest as WriteUnavailableError. */
async function withRetry<T>(
  fn: () => Promise<T>,
  options: BatchWriterOptions,
  report: WriteReport,
): Promise<T> {
  const maxRetries = options.maxRetries ?? 4;
  const base = options.retryBaseMs ?? 100;
  const cap = options.retryMaxMs ?? 2_000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const kind = classifyWriteError(err);
      if (kind === 'data') throw err;
      if (kind === 'systemic' || attempt >= maxRetries) throw new WriteUnavailableError(kind, err);
      // Full jitter: concurrent exporters reconnecting after a restart do not stampede.
      const delay = Math.random() * Math.min(cap, base * 2 ** attempt);
      report.retries++;
      options.onRetry?.(err, attempt + 1, delay);
      await sleep(delay);
    }
  }
}
