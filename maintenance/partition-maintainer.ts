import cron, { type ScheduledTask } from 'node-cron';
import type { Pool } from 'pg';
import { holdClient } from '../shared/database/index.js';
import type { Logger } from '../shared/index.js';
import {
  type PartitionStatus,
  partitionWarnings,
  readPartitionStatus,
} from './partition-status.js';

/** Options for {@link PartitionMaintainer}. */
export interface PartitionMaintainerOptions {
  pool: Pool;
  /** node-cron expression (extensions.maintenance.schedule). */
  schedule: string;
  /** Months of partitions to keep ahead of the current one (0–24). */
  monthsAhead: number;
  logger: Logger;
}

/** What one tick did. */
export interface MaintenanceTick {
  /** False when another collector held the maintenance lock (it creates; this one only reads). */
  locked: boolean;
  /** Partitions created by this tick. */
  created: number;
  status: PartitionStatus[];
  warnings: string[];
}

// One collector per tick creates partitions; the others skip straight to reading the status.
const LOCK_SQL = "SELECT pg_try_advisory_xact_lock(hashtext('spanledger.maintenance')) AS locked";

/**
 * Keeps monthly partitions ahead on a schedule: each tick, under an advisory lock (several
 * collectors may share a database), calls spanledger.ensure_partitions, then reads
 * spanledger.partition_status() and logs a warning when partitions run short or a default
 * partition holds rows. Errors are logged, never thrown; a tick still running makes the next
 * one skip; stop() waits for a tick in flight.
 */
export class PartitionMaintainer {
  private task: ScheduledTask | undefined;
  private inFlight: Promise<MaintenanceTick | undefined> | undefined;
  private latest: MaintenanceTick | undefined;
  private stopped = false;

  constructor(private readonly options: PartitionMaintainerOptions) {}

  /** Runs the first tick now, then one per schedule tick. */
  async start(): Promise<void> {
    if (this.task || this.stopped) return;
    this.task = cron.schedule(this.options.schedule, () => void this.tickSafely(), {
      name: 'spanledger-partition-maintenance',
      noOverlap: true,
    });
    await this.tickSafely();
  }

  /** Stops scheduling and waits for a tick in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.task?.destroy();
    this.task = undefined;
    await this.inFlight;
  }

  /** The latest tick's status, or undefined before the first one finished. */
  status(): readonly PartitionStatus[] | undefined {
    return this.latest?.status;
  }

  /** The latest tick's warnings (empty when all is well or before the first tick). */
  warnings(): readonly string[] {
    return this.latest?.warnings ?? [];
  }

  /** One tick; throws what went wrong (`spanledger maintain` reports it). */
  async tick(): Promise<MaintenanceTick> {
    const held = await holdClient(this.options.pool);
    const { client } = held;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ locked: boolean }>(LOCK_SQL);
      const locked = rows[0]?.locked === true;
      let created = 0;
      if (locked) {
        const r = await client.query<{ n: number }>(
          'SELECT spanledger.ensure_partitions(1, $1) AS n',
          [this.options.monthsAhead],
        );
        created = r.rows[0]?.n ?? 0;
      }
      await client.query('COMMIT');
      const status = await readPartitionStatus(client);
      const result = { locked, created, status, warnings: partitionWarnings(status) };
      this.latest = result;
      held.release();
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((e) => held.markBroken(e));
      held.release(err);
      throw err;
    }
  }

  private async tickSafely(): Promise<MaintenanceTick | undefined> {
    if (this.inFlight || this.stopped) return undefined;
    const { logger } = this.options;
    this.inFlight = this.tick().then(
      (result) => {
        if (result.created > 0) logger.info(`created ${result.created} partition(s)`);
        for (const warning of result.warnings) logger.warn(warning);
        return result;
      },
      (err: unknown) => {
        logger.warn(
          { error: err instanceof Error ? err.message : String(err) },
          'partition maintenance failed; retrying at the next tick',
        );
        return undefined;
      },
    );
    try {
      return await this.inFlight;
    } finally {
      this.inFlight = undefined;
    }
  }
}
