import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import { describeDatabaseError } from '../../shared/database/index.js';
import type { ExporterLogger } from './exporter-options.js';
import { CHECKPOINT_SQL } from './write-sql.js';

/** Host, pid and a random suffix: a chain id no other exporter uses. */
export function defaultChainId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/**
 * Writes a ledger checkpoint (spanledger.ledger_checkpoint()) at most every `intervalMs` while
 * batches are being committed, and once more at stop(): the checkpoints bind the chains' heads,
 * so a removed tail or a whole removed chain is caught by verify. Never throws; a failed
 * checkpoint is logged and retried at the next interval.
 */
export class LedgerCheckpoints {
  private timer: NodeJS.Timeout | undefined;
  private pending = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly intervalMs: number,
    private readonly log: ExporterLogger,
  ) {}

  /** Something was committed: a checkpoint is due within the interval. */
  due(): void {
    this.pending = true;
    if (this.timer || this.intervalMs <= 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Writes the last checkpoint if anything moved, and stops the timer. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    if (this.pending && this.intervalMs > 0) await this.write();
  }

  private write(): Promise<void> {
    this.pending = false;
    this.running = this.pool.query(CHECKPOINT_SQL).then(
      () => undefined,
      (err) => {
        this.pending = true;
        this.log.warn(
          `spanledger exporter: ledger checkpoint failed: ${describeDatabaseError(err)}`,
        );
      },
    );
    return this.running;
  }
}
