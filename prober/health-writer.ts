import type { Pool } from 'pg';

/** One mcp_health_log row. */
export interface HealthRow {
  mcp_server_id: number;
  timestamp: Date;
  status: string | null;
  response_time_ms: number | null;
  error_message: string | null;
  meta_data: Record<string, unknown> | null;
  event_type: 'health_check' | 'status_change' | 'startup' | 'shutdown';
}

// Through the database's door for the prober: the runtime login cannot INSERT itself.
const INSERT_SQL = 'SELECT spanledger.append_mcp_health($1::jsonb)';

/**
 * Buffers health rows and writes them in batches (one multi-row INSERT). While the database is
 * unreachable rows stay buffered, in order, and are written when it answers again; past
 * `maxBuffered` the oldest are dropped and counted.
 */
export class HealthWriter {
  private buffer: HealthRow[] = [];
  private writing: Promise<void> | undefined;
  private droppedDuringWrite = 0;
  dropped = 0;
  written = 0;

  constructor(
    private readonly pool: Pool,
    private readonly onError: (err: Error) => void,
    private readonly maxBuffered = 100_000,
  ) {}

  get pending(): number {
    return this.buffer.length;
  }

  enqueue(rows: readonly HealthRow[]): void {
    this.buffer.push(...rows);
    const excess = this.buffer.length - this.maxBuffered;
    if (excess > 0) {
      this.buffer.splice(0, excess);
      this.dropped += excess;
      // Rows dropped from the front while a write is in flight were part of that write's
      // batch: flush() must not remove them a second time.
      this.droppedDuringWrite += excess;
    }
  }

  /** Writes everything buffered; resolves false (rows kept) when the database refused. */
  async flush(): Promise<boolean> {
    while (this.writing) await this.writing;
    if (this.buffer.length === 0) return true;
    const batch = this.buffer.slice();
    let ok = false;
    this.droppedDuringWrite = 0;
    this.writing = this.pool
      .query(INSERT_SQL, [JSON.stringify(batch)])
      .then(() => {
        this.buffer.splice(0, Math.max(0, batch.length - this.droppedDuringWrite));
        this.written += batch.length;
        ok = true;
      })
      .catch((err: Error) => this.onError(err))
      .finally(() => {
        this.writing = undefined;
      });
    await this.writing;
    return ok;
  }
}
