import type { Histogram, Meter } from '@opentelemetry/api';

/** The exporter's self-observability counters (monotonic, since the exporter was created). */
export interface ExporterStats {
  /** Spans handed to export(), GenAI or not. */
  spansReceived: number;
  /** Non-GenAI spans: counted, not stored. */
  spansIgnored: number;
  /** Spans that could not be mapped (bad ids/times) and went to dead_letter. */
  spansInvalid: number;
  rowsInserted: number;
  duplicatesSkipped: number;
  billed: number;
  unpriced: number;
  deadLettered: number;
  spooledBatches: number;
  spooledSpans: number;
  replayedBatches: number;
  replayedSpans: number;
  /** Spans lost because Postgres was unreachable and the spool was full (or disabled). */
  droppedSpans: number;
  retries: number;
  batchesWritten: number;
  /** Batches refused because the spool could not be written (disk full, read-only). */
  spoolWriteErrors: number;
  /** Spool replays that failed (the database still unavailable); each is retried later. */
  replayFailures: number;
  /** Bytes currently waiting in the spool. */
  spoolBytes: number;
}

export function createStats(): ExporterStats {
  return {
    spansReceived: 0,
    spansIgnored: 0,
    spansInvalid: 0,
    rowsInserted: 0,
    duplicatesSkipped: 0,
    billed: 0,
    unpriced: 0,
    deadLettered: 0,
    spooledBatches: 0,
    spooledSpans: 0,
    replayedBatches: 0,
    replayedSpans: 0,
    droppedSpans: 0,
    retries: 0,
    batchesWritten: 0,
    spoolWriteErrors: 0,
    replayFailures: 0,
    spoolBytes: 0,
  };
}

const COUNTERS: ReadonlyArray<[keyof ExporterStats, string, string]> = [
  ['spansReceived', 'spanledger.exporter.spans.received', 'Spans handed to the exporter'],
  ['spansIgnored', 'spanledger.exporter.spans.ignored', 'Non-GenAI spans (not stored)'],
  ['spansInvalid', 'spanledger.exporter.spans.invalid', 'Spans dead-lettered as unmappable'],
  ['rowsInserted', 'spanledger.exporter.rows.inserted', 'New audit_log rows'],
  ['duplicatesSkipped', 'spanledger.exporter.rows.duplicate', 'Re-sent spans already stored'],
  ['billed', 'spanledger.exporter.usage.billed', 'New llm_usage rows'],
  ['unpriced', 'spanledger.exporter.usage.unpriced', 'New llm_usage rows without a price'],
  ['deadLettered', 'spanledger.exporter.dead_lettered', 'Entries written to dead_letter'],
  ['spooledSpans', 'spanledger.exporter.spans.spooled', 'Spans written to the local spool'],
  ['replayedSpans', 'spanledger.exporter.spans.replayed', 'Spooled spans replayed into Postgres'],
  ['droppedSpans', 'spanledger.exporter.spans.dropped', 'Spans lost: Postgres down and spool full'],
  ['retries', 'spanledger.exporter.retries', 'Transient write failures retried'],
  ['spoolWriteErrors', 'spanledger.exporter.spool.write_errors', 'Spool writes the disk refused'],
  ['replayFailures', 'spanledger.exporter.spool.replay_failures', 'Spool replays that failed'],
];

/**
 * Publishes the stats through the OTel metrics API (observable counters, read at collection
 * time, so the hot path only increments plain numbers) and returns a batch-latency histogram.
 */
export function registerExporterMetrics(meter: Meter, stats: ExporterStats): Histogram {
  for (const [key, name, description] of COUNTERS) {
    meter.createObservableCounter(name, { description }).addCallback((r) => r.observe(stats[key]));
  }
  meter
    .createObservableGauge('spanledger.exporter.spool.bytes', {
      description: 'Bytes waiting in the spool',
      unit: 'By',
    })
    .addCallback((r) => r.observe(stats.spoolBytes));
  return meter.createHistogram('spanledger.exporter.batch.duration', {
    description: 'Time to commit one batch to Postgres',
    unit: 'ms',
  });
}
