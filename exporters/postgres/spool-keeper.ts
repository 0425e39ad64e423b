import { describeDatabaseError } from '../../shared/database/index.js';
import { encodeCopyRow } from './copy-text.js';
import type { DeadLetter } from './dead-letter.js';
import { EncodedRows } from './encoded-rows.js';
import type { ExporterLogger } from './exporter-options.js';
import type { ExporterStats } from './metrics.js';
import { RowEncodingError } from './pg-errors.js';
import type { SpanRow } from './rows.js';
import { releaseSpoolLock, Spool } from './spool.js';

/** What one spool record holds: a batch the database could not take. */
export interface SpoolRecord {
  rows: EncodedRows;
  dead: DeadLetter[];
}

/**
 * A record as written to disk. `lines` (version 2) holds each row's COPY line as text; spools
 * written before version 2 hold `rows`, the row objects, which are encoded when replayed.
 */
interface StoredRecord {
  lines?: string[];
  rows?: SpanRow[];
  dead?: DeadLetter[];
}

export function toStoredRecord(record: SpoolRecord): StoredRecord {
  const lines: string[] = [];
  for (let i = 0; i < record.rows.length; i++) lines.push(record.rows.line(i).toString('utf8'));
  return { lines, dead: record.dead };
}

/**
 * A record read back from disk, either version. A version 1 row that does not encode any more
 * goes to dead_letter whole, with the reason, as the write path did with it before.
 */
export function fromStoredRecord(stored: StoredRecord): SpoolRecord {
  const dead = [...(stored.dead ?? [])];
  if (stored.lines) return { rows: EncodedRows.of(stored.lines), dead };
  const rows = EncodedRows.empty(stored.rows?.length ?? 0);
  for (const row of stored.rows ?? []) {
    try {
      rows.push(encodeCopyRow(row));
    } catch (err) {
      dead.push({
        source: 'spool',
        reason: new RowEncodingError(err).message,
        tenant_id: row.tenant_id ?? null,
        trace_id: row.trace_id ?? null,
        span_id: row.span_id ?? null,
        payload: row,
      });
    }
  }
  return { rows, dead };
}

export interface SpoolKeeperOptions {
  /** The spool directory; undefined means no spool (an outage fails exports). */
  dir: string | undefined;
  maxBytes: number;
  /** First delay before a replay; doubles up to {@link MAX_REPLAY_DELAY_MS} while it fails. */
  replayIntervalMs: number;
  /** Spooled batches are merged into writes of up to this many rows when replayed. */
  maxRowsPerWrite: number;
  log: ExporterLogger;
  stats: ExporterStats;
  /** Writes one replayed record (throws while the database is still unavailable). */
  write(record: SpoolRecord): Promise<void>;
  /** Asks the write lane to run a replay (it calls {@link SpoolKeeper.replay} in its turn). */
  requestReplay(): void;
}

const MAX_REPLAY_DELAY_MS = 10_000;

/** Consecutive records merged, in order, into groups of at most `maxRows` rows. */
export function mergeRecords(records: readonly SpoolRecord[], maxRows: number): SpoolRecord[] {
  const groups: { parts: EncodedRows[]; count: number; dead: DeadLetter[] }[] = [];
  let current: (typeof groups)[number] | undefined;
  for (const record of records) {
    if (!current || (current.count > 0 && current.count + record.rows.length > maxRows)) {
      current = { parts: [], count: 0, dead: [] };
      groups.push(current);
    }
    current.parts.push(record.rows);
    current.count += record.rows.length;
    for (const entry of record.dead) current.dead.push(entry);
  }
  return groups.map((g) => ({ rows: EncodedRows.concat(g.parts), dead: g.dead }));
}

/**
 * The exporter's side of the spool: storing batches the database could not take, and replaying
 * them in order when it is back. Every failure is settled here (logged, counted, returned):
 * nothing it does can reject into the write lane.
 */
export class SpoolKeeper {
  private spool: Spool | undefined;
  private timer: NodeJS.Timeout | undefined;
  private delay: number;
  private closed = false;
  /** True when a replay should run before the next batch is written. */
  replayDue = false;
  /** Records replayed since the spool last became empty, for the log line. */
  private replayed = 0;

  constructor(private readonly options: SpoolKeeperOptions) {
    this.delay = options.replayIntervalMs;
  }

  /** Opens the spool; a spool left by an earlier process makes a replay due at once. */
  async open(): Promise<void> {
    const { dir, maxBytes, log } = this.options;
    if (!dir) return;
    try {
      this.spool = await Spool.open({
        dir,
        maxBytes,
        onCorruption: (segment, lost) =>
          log.error(
            `spanledger exporter: spool segment ${segment} has a corrupt tail; ${lost} byte(s) unreadable`,
          ),
      });
      if (!this.spool.isEmpty) {
        log.info(
          `spanledger exporter: ${this.spool.pendingBytes} spooled byte(s) found; replaying`,
        );
        this.replayDue = true;
      }
    } catch (err) {
      log.error(
        `spanledger exporter: spool unavailable, outages will fail exports: ${(err as Error).message}`,
      );
    }
  }

  get pendingBytes(): number {
    return this.spool?.pendingBytes ?? 0;
  }

  /** True while batches wait in the spool: new ones must queue behind them to keep order. */
  get holdsBatches(): boolean {
    return this.spool !== undefined && !this.spool.isEmpty;
  }

  /**
   * Stores a batch durably. Returns undefined once it is fsync'd, else the error to report to
   * the senders (no spool, spool full, or the disk refused the write).
   */
  store(record: SpoolRecord, cause: Error): Error | undefined {
    const { log, stats } = this.options;
    const spans = record.rows.length;
    let why: string;
    if (!this.spool) why = 'no spool is configured';
    else {
      try {
        if (this.spool.append(toStoredRecord(record)) === 'ok') {
          stats.spooledBatches++;
          stats.spooledSpans += spans;
          log.warn(`spanledger exporter: ${spans} span(s) spooled to disk: ${cause.message}`);
          this.schedule();
          return undefined;
        }
        why = 'the spool is full (exporters.postgres.spool.max_size)';
      } catch (err) {
        stats.spoolWriteErrors++;
        why = (err as Error).message;
      }
    }
    stats.droppedSpans += spans;
    const error = new Error(`${spans} span(s) not stored: ${cause.message}, and ${why}`);
    log.error(`spanledger exporter: ${error.message}`);
    return error;
  }

  /**
   * Replays the oldest spool segment; when more remain, another replay is due at once, so the
   * write lane takes queued exports in between (they are spooled behind, keeping order, and
   * acknowledged without waiting for the whole backlog). On failure logs why and tries again
   * later (backoff).
   */
  async replay(): Promise<void> {
    this.replayDue = false;
    if (!this.spool || this.spool.isEmpty) return;
    const { log, stats } = this.options;
    try {
      const replayed = await this.spool.replay(async (records) => {
        // Many small batches spooled during an outage become few large writes: a backlog of
        // thousands of requests replays at the exporter's full rate, not one commit each.
        const stored = (records as StoredRecord[]).map(fromStoredRecord);
        for (const group of mergeRecords(stored, this.options.maxRowsPerWrite)) {
          await this.options.write(group);
          stats.replayedBatches++;
          stats.replayedSpans += group.rows.length;
        }
      }, 1);
      this.delay = this.options.replayIntervalMs;
      this.replayed += replayed;
      if (!this.spool.isEmpty) {
        this.replayDue = true;
        return;
      }
      log.info(`spanledger exporter: replayed ${this.replayed} spooled batch(es) into Postgres`);
      this.replayed = 0;
    } catch (err) {
      stats.replayFailures++;
      this.delay = Math.min(this.delay * 2, MAX_REPLAY_DELAY_MS);
      log.warn(
        `spanledger exporter: spool replay postponed ${this.delay} ms (${this.pendingBytes} byte(s) waiting): ${describeDatabaseError(err)}`,
      );
      this.schedule();
    }
  }

  /** Makes a replay due now (the database is known to be back), skipping the backoff. */
  replayNow(): void {
    if (!this.holdsBatches) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.delay = this.options.replayIntervalMs;
    this.replayDue = true;
    this.options.requestReplay();
  }

  /** Stops scheduling replays and releases the spool (records stay on disk). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.spool && this.options.dir) {
      this.spool.close();
      await releaseSpoolLock(this.options.dir);
    }
  }

  private schedule() {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.replayDue = true;
      this.options.requestReplay();
    }, this.delay);
    this.timer.unref();
  }
}
