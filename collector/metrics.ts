import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ExporterStats } from '../exporters/index.js';
import type { PartitionStatus } from '../maintenance/index.js';
import type { HealthProber } from '../prober/index.js';
import type { ForwarderStats } from './forward/index.js';
import type { ReceiverObserver } from './otlp/index.js';
import type { QuotaRatio } from './quota-metrics.js';

/** Where the exporter's and forwarders' counters are read from at scrape time. */
export interface MetricSources {
  exporterStats: () => ExporterStats;
  forwarders: () => ReadonlyArray<{ name: string; stats(): ForwarderStats }>;
  /** The MCP health prober, once started (absent when disabled). */
  prober?: () => HealthProber | undefined;
  /** Partition maintenance's latest status (absent when disabled). */
  partitions?: () => readonly PartitionStatus[] | undefined;
  /** True when /readyz would answer 200 (checked at scrape time). */
  ready?: () => Promise<boolean>;
  /** Quota ratios, when extensions.query_api.quotas has rules. */
  quotaRatios?: () => Promise<QuotaRatio[]>;
}

/** The collector's Prometheus registry and the receiver's side of it. */
export interface CollectorMetrics {
  registry: Registry;
  receiver: ReceiverObserver;
}

const EXPORTER_COUNTERS: ReadonlyArray<[keyof ExporterStats, string, string]> = [
  ['spansReceived', 'spans_received', 'Spans handed to the Postgres exporter'],
  ['spansIgnored', 'spans_ignored', 'Non-GenAI spans (forwarded, not stored)'],
  ['spansInvalid', 'spans_invalid', 'Spans dead-lettered as unmappable'],
  ['rowsInserted', 'rows_inserted', 'New audit_log rows'],
  ['duplicatesSkipped', 'rows_duplicate', 'Re-sent spans already stored'],
  ['billed', 'usage_billed', 'New llm_usage rows'],
  ['unpriced', 'usage_unpriced', 'New llm_usage rows without a price'],
  ['deadLettered', 'dead_lettered', 'Entries written to dead_letter'],
  ['spooledSpans', 'spans_spooled', 'Spans written to the local spool during an outage'],
  ['replayedSpans', 'spans_replayed', 'Spooled spans replayed into Postgres'],
  ['droppedSpans', 'spans_dropped', 'Spans lost: Postgres unreachable and the spool full'],
  ['retries', 'retries', 'Transient write failures retried'],
  ['batchesWritten', 'batches_written', 'Transactions committed'],
  ['spoolWriteErrors', 'spool_write_errors', 'Batches refused: the spool could not be written'],
  ['replayFailures', 'spool_replay_failures', 'Spool replays that failed and wait to retry'],
];

const FORWARD_COUNTERS: ReadonlyArray<[keyof ForwarderStats, string, string]> = [
  ['sentBatches', 'batches_sent', 'Requests the target accepted'],
  ['sentSpans', 'spans_sent', 'Spans the target accepted'],
  ['droppedSpans', 'spans_dropped', 'Spans dropped unsent (queue full or collector stopped)'],
  ['failedSpans', 'spans_failed', 'Spans given up on (permanent error or retries exhausted)'],
  ['retries', 'retries', 'Retried requests'],
];

/**
 * Prometheus metrics for /metrics: the receiver's traffic (counted as it happens) and the
 * exporter's and forwarders' counters (read from their stats() at scrape time, so the hot path
 * only bumps plain numbers). One registry per app, so several collectors can share a process.
 */
export function createCollectorMetrics(sources: MetricSources): CollectorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  for (const [key, name, help] of EXPORTER_COUNTERS) {
    new Counter({
      name: `spanledger_exporter_${name}_total`,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(sources.exporterStats()[key]);
      },
    });
  }
  new Gauge({
    name: 'spanledger_exporter_spool_bytes',
    help: 'Bytes waiting in the spool for Postgres to come back',
    registers,
    collect() {
      this.set(sources.exporterStats().spoolBytes);
    },
  });

  for (const [key, name, help] of FORWARD_COUNTERS) {
    new Counter({
      name: `spanledger_forward_${name}_total`,
      help,
      labelNames: ['target'],
      registers,
      collect() {
        this.reset();
        for (const f of sources.forwarders()) this.inc({ target: f.name }, f.stats()[key]);
      },
    });
  }
  new Gauge({
    name: 'spanledger_forward_queue_batches',
    help: 'Requests waiting to be forwarded',
    labelNames: ['target'],
    registers,
    collect() {
      for (const f of sources.forwarders()) this.set({ target: f.name }, f.stats().queuedBatches);
    },
  });

  if (sources.prober) proberMetrics(registers, sources.prober);
  if (sources.partitions) partitionMetrics(registers, sources.partitions);
  alertMetrics(registers, sources);
  return { registry, receiver: receiverMetrics(registers) };
}

// Health beside tool-call error rates in Grafana: up/down and latency per server, probe counts.
function partitionMetrics(
  registers: Registry[],
  partitions: () => readonly PartitionStatus[] | undefined,
) {
  new Gauge({
    name: 'spanledger_partitions_months_ahead',
    help: 'Consecutive future months with a partition, per table (fewer than 2 is logged and shown by /readyz)',
    labelNames: ['table'],
    registers,
    collect() {
      this.reset();
      for (const s of partitions() ?? []) this.set({ table: s.table }, s.monthsAhead);
    },
  });
  new Gauge({
    name: 'spanledger_partitions_default_rows',
    help: "1 when the table's default partition holds rows (their months can no longer get a partition)",
    labelNames: ['table'],
    registers,
    collect() {
      this.reset();
      for (const s of partitions() ?? []) this.set({ table: s.table }, s.defaultHasRows ? 1 : 0);
    },
  });
}

function proberMetrics(registers: Registry[], prober: () => HealthProber | undefined) {
  new Gauge({
    name: 'spanledger_mcp_server_up',
    help: '1 when the latest probe found the MCP server healthy or degraded, else 0',
    labelNames: ['server', 'status'],
    registers,
    collect() {
      this.reset();
      for (const [server, r] of prober()?.latest() ?? []) {
        this.set(
          { server, status: r.status },
          r.status === 'healthy' || r.status === 'degraded' ? 1 : 0,
        );
      }
    },
  });
  new Gauge({
    name: 'spanledger_mcp_probe_duration_seconds',
    help: 'Duration of the latest probe of each MCP server',
    labelNames: ['server'],
    registers,
    collect() {
      this.reset();
      for (const [server, r] of prober()?.latest() ?? [])
        this.set({ server }, r.responseTimeMs / 1000);
    },
  });
  // Every probe's response time, so Grafana can draw percentiles per server; the gauge above
  // holds only the latest one.
  const responseTime = new Histogram({
    name: 'spanledger_mcp_probe_response_seconds',
    help: 'Response time of each MCP probe this collector ran, by server and outcome',
    labelNames: ['server', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  prober()?.onProbe((server, result) =>
    responseTime.observe({ server, status: result.status }, result.responseTimeMs / 1000),
  );
  new Counter({
    name: 'spanledger_mcp_probes_total',
    help: 'MCP probes run by this collector',
    registers,
    collect() {
      this.reset();
      this.inc(prober()?.stats.probes ?? 0);
    },
  });
  new Counter({
    name: 'spanledger_mcp_probe_ticks_skipped_total',
    help: 'Scheduled probes skipped: overlap (previous still running) or claimed (another prober)',
    labelNames: ['reason'],
    registers,
    collect() {
      this.reset();
      const stats = prober()?.stats;
      this.inc({ reason: 'overlap' }, stats?.skippedOverlap ?? 0);
      this.inc({ reason: 'claimed' }, stats?.skippedClaimed ?? 0);
    },
  });
}

/**
 * A scrape must not wait on a database that does not answer (Prometheus would time out and lose
 * every other series, the spool's included, exactly when they matter): database-backed gauges
 * give up after this long.
 */
const DATABASE_GAUGE_TIMEOUT_MS = 2_000;

function within<T>(promise: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), DATABASE_GAUGE_TIMEOUT_MS);
    timer.unref();
  });
  return Promise.race([promise.catch(() => fallback), timeout]).finally(() => clearTimeout(timer));
}

// What the alert rules need besides counters: "not ready" (up only says the process answers)
// and "a quota above 90%" (the quota rules live in this process's config, not in Postgres).
function alertMetrics(registers: Registry[], sources: MetricSources) {
  const { ready, quotaRatios } = sources;
  if (ready) {
    new Gauge({
      name: 'spanledger_collector_ready',
      help: '1 when /readyz answers 200 (Postgres reachable, schema current, spool below 90%), else 0',
      registers,
      async collect() {
        this.set((await within(ready(), false)) ? 1 : 0);
      },
    });
  }
  if (quotaRatios) {
    new Gauge({
      name: 'spanledger_quota_used_ratio',
      help: 'Quota used / limit in the current UTC period (scope user: the fullest user of the tenant)',
      labelNames: ['tenant', 'scope', 'unit', 'period'],
      registers,
      async collect() {
        this.reset();
        for (const q of await within(quotaRatios(), [])) {
          this.set({ tenant: q.tenant, scope: q.scope, unit: q.unit, period: q.period }, q.ratio);
        }
      },
    });
  }
}

function receiverMetrics(registers: Registry[]): ReceiverObserver {
  const requests = new Counter({
    name: 'spanledger_otlp_requests_total',
    help: 'OTLP/HTTP trace requests by response status code',
    labelNames: ['code'],
    registers,
  });
  const duration = new Histogram({
    name: 'spanledger_otlp_request_duration_seconds',
    help: 'Time from request to response (includes waiting for Postgres or the spool)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const wire = new Counter({
    name: 'spanledger_otlp_request_bytes_total',
    help: 'Request body bytes as received (compressed when the client used gzip)',
    registers,
  });
  const decoded = new Counter({
    name: 'spanledger_otlp_request_decoded_bytes_total',
    help: 'Request body bytes after decompression',
    registers,
  });
  const received = new Counter({
    name: 'spanledger_otlp_spans_received_total',
    help: 'Spans decoded from OTLP requests',
    registers,
  });
  const rejected = new Counter({
    name: 'spanledger_otlp_spans_rejected_total',
    help: 'Spans reported back as rejected in partial_success',
    registers,
  });
  const inFlight = new Gauge({
    name: 'spanledger_otlp_requests_in_flight',
    help: 'OTLP requests being read, decoded or written',
    registers,
  });
  return {
    request(statusCode, durationMs) {
      requests.inc({ code: String(statusCode) });
      duration.observe(durationMs / 1000);
    },
    bytes(wireBytes, decodedBytes) {
      wire.inc(wireBytes);
      decoded.inc(decodedBytes);
    },
    spansReceived: (count) => received.inc(count),
    spansRejected: (count) => rejected.inc(count),
    inFlight: (count) => inFlight.set(count),
  };
}
