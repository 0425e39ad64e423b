import { hostname } from 'node:os';
import cron, { type ScheduledTask } from 'node-cron';
import type { Pool } from 'pg';
import type { MessageLogger } from '../shared/index.js';
import type { McpHealthConfig } from './config.js';
import { type HealthRow, HealthWriter } from './health-writer.js';
import { type ProbeResult, type ProbeTarget, probeServer } from './probe.js';
import { latestStatuses, loadTargets, syncRegistry } from './registry.js';

/** The prober's logger (the shared message logger). */
export type ProberLogger = MessageLogger;

export interface HealthProberOptions {
  pool: Pool;
  config: McpHealthConfig;
  logger: ProberLogger;
  /** Identifies this prober in claims (several collectors may share one database). */
  proberId?: string;
}

/**
 * Called after every probe this prober ran. The collector turns it into Prometheus metrics;
 * the prober itself records into nothing (the collector registers no OTel SDK, so spans and
 * OTel metrics made here would go nowhere).
 */
export type ProbeObserver = (server: string, result: Readonly<ProbeResult>) => void;

/** Counters of what the prober did. */
export interface ProberStats {
  probes: number;
  /** Ticks skipped because this server's previous probe was still running. */
  skippedOverlap: number;
  /** Ticks another prober claimed first. */
  skippedClaimed: number;
}

const CLAIM_SQL = 'SELECT spanledger.claim_mcp_probe($1, $2, $3) AS claimed';
const PRUNE_CLAIMS_SQL = 'SELECT spanledger.prune_mcp_probe_claims()';

/**
 * Probes every enabled MCP server on its own node-cron schedule and records the results in
 * mcp_health_log. One probe per server per tick across all probers sharing the database.
 */
export class HealthProber {
  readonly stats: ProberStats = { probes: 0, skippedOverlap: 0, skippedClaimed: 0 };
  private readonly writer: HealthWriter;
  private readonly proberId: string;
  private readonly observers = new Set<ProbeObserver>();
  private readonly inFlight = new Map<number, Promise<void>>();
  private readonly lastStatus = new Map<number, string>();
  private readonly lastResults = new Map<string, { status: string; responseTimeMs: number }>();
  private tasks: ScheduledTask[] = [];
  private targets: ProbeTarget[] = [];
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: HealthProberOptions) {
    this.proberId = options.proberId ?? `${hostname()}:${process.pid}`;
    this.writer = new HealthWriter(options.pool, (err) =>
      options.logger.warn(`mcp prober: health rows buffered, database unavailable: ${err.message}`),
    );
  }

  /** Calls `observer` after each probe; returns the function that stops it. */
  onProbe(observer: ProbeObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Registry sync, then startup rows, then one cron task per server. */
  async start(): Promise<void> {
    await this.prepare();
    this.recordEvent('startup');
    for (const target of this.targets) {
      this.tasks.push(
        cron.schedule(target.schedule, (ctx) => this.tick(target, ctx.date), {
          name: `mcp-probe-${target.name}`,
        }),
      );
    }
    this.flushTimer = setInterval(() => void this.flush(), 1_000);
    this.flushTimer.unref();
    await this.flush();
    this.options.logger.info(`mcp prober: watching ${this.targets.length} server(s)`);
  }

  /** One round: every enabled server probed once (subject to claims), rows written. */
  async runOnce(at: Date = new Date()): Promise<Array<ProbeResult & { name: string }>> {
    if (this.targets.length === 0) await this.prepare();
    // Rounds that start within the same second are one tick for the claims.
    const tick = new Date(Math.floor(at.getTime() / 1000) * 1000);
    const results = await Promise.all(
      this.targets.map(async (t) => {
        const result = await this.probeAndRecord(t, tick);
        return result && { name: t.name, ...result };
      }),
    );
    await this.flush();
    return results.filter((r) => r !== undefined);
  }

  /** Stops scheduling, waits for probes in flight, writes shutdown rows and flushes. */
  async stop(): Promise<void> {
    for (const task of this.tasks) await task.destroy();
    this.tasks = [];
    await Promise.all(this.inFlight.values());
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.recordEvent('shutdown');
    await this.flush();
  }

  /** The latest probe of each server this prober ran, by server name (for /metrics). */
  latest(): ReadonlyMap<string, { status: string; responseTimeMs: number }> {
    return this.lastResults;
  }

  /** Rows not yet written (database unavailable). */
  get pendingRows(): number {
    return this.writer.pending;
  }

  private async prepare() {
    const { pool, config } = this.options;
    await syncRegistry(pool, config.servers);
    this.targets = await loadTargets(pool, config, (name, why) =>
      this.options.logger.warn(`mcp prober: ${name} not probed: ${why}`),
    );
    for (const [id, status] of await latestStatuses(pool)) this.lastStatus.set(id, status);
    await pool.query(PRUNE_CLAIMS_SQL).catch(() => {});
  }

  private tick(target: ProbeTarget, scheduled: Date) {
    if (this.inFlight.has(target.id)) {
      this.stats.skippedOverlap++;
      this.options.logger.debug(`mcp prober: ${target.name} still probing; tick skipped`);
      return;
    }
    const tick = new Date(Math.floor(scheduled.getTime() / 1000) * 1000);
    const run = this.probeAndRecord(target, tick)
      .then(() => this.flush())
      .catch((err) =>
        this.options.logger.error(`mcp prober: ${target.name}: ${(err as Error).message}`),
      )
      .finally(() => this.inFlight.delete(target.id));
    this.inFlight.set(
      target.id,
      run.then(() => {}),
    );
  }

  private async claim(target: ProbeTarget, tick: Date): Promise<boolean> {
    try {
      const { rows } = await this.options.pool.query<{ claimed: boolean }>(CLAIM_SQL, [
        target.id,
        tick,
        this.proberId,
      ]);
      return rows[0]?.claimed === true;
    } catch {
      // No database to coordinate through: probe anyway (results are buffered); a duplicate
      // probe during an outage is better than none.
      return true;
    }
  }

  private async probeAndRecord(target: ProbeTarget, tick: Date): Promise<ProbeResult | undefined> {
    if (!(await this.claim(target, tick))) {
      this.stats.skippedClaimed++;
      return undefined;
    }
    const result = await probeServer(target, {
      allowPrivateTargets: this.options.config.allow_private_targets,
      degradedThresholdMs: this.options.config.degraded_threshold,
      maxResponseBytes: this.options.config.max_response_bytes,
    });
    this.stats.probes++;
    for (const observe of this.observers) {
      try {
        observe(target.name, result);
      } catch (err) {
        this.options.logger.warn(`mcp prober: probe observer failed: ${(err as Error).message}`);
      }
    }
    this.record(target, result, new Date());
    return result;
  }

  private record(target: ProbeTarget, result: ProbeResult, at: Date) {
    const meta = { ...result.meta, prober: this.proberId };
    const rows: HealthRow[] = [
      {
        mcp_server_id: target.id,
        timestamp: at,
        status: result.status,
        response_time_ms: result.responseTimeMs,
        error_message: result.errorMessage,
        meta_data: meta,
        event_type: 'health_check',
      },
    ];
    const previous = this.lastStatus.get(target.id);
    if (previous !== undefined && previous !== result.status) {
      rows.push({
        ...rows[0]!,
        meta_data: { from: previous, to: result.status, prober: this.proberId },
        event_type: 'status_change',
      });
    }
    this.lastStatus.set(target.id, result.status);
    this.lastResults.set(target.name, {
      status: result.status,
      responseTimeMs: result.responseTimeMs,
    });
    this.writer.enqueue(rows);
  }

  private recordEvent(event: 'startup' | 'shutdown') {
    const at = new Date();
    this.writer.enqueue(
      this.targets.map((t) => ({
        mcp_server_id: t.id,
        timestamp: at,
        status: null,
        response_time_ms: null,
        error_message: null,
        meta_data: { prober: this.proberId, schedule: t.schedule },
        event_type: event,
      })),
    );
  }

  private async flush() {
    await this.writer.flush();
  }
}
