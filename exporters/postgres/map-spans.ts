import { encodeCopyRow } from './copy-text.js';
import type { DeadLetter } from './dead-letter.js';
import { EncodedRows } from './encoded-rows.js';
import type { ExportOutcome } from './exporter-options.js';
import { addFlag } from './flags.js';
import type { ExporterStats } from './metrics.js';
import { RowEncodingError } from './pg-errors.js';
import type { SpanLike, SpanRow, TransformResult } from './rows.js';
import { storedSpanName } from './span-name.js';
import { implausibleStart } from './timestamps.js';
import { type TransformOptions, transformSpan } from './transform.js';

export interface MapSpansOptions {
  transform: TransformOptions;
  /** The dead letters' source ('exporter', 'otlp'). */
  source: string;
  /** Overrides every row's tenant (the collector's authenticated sender). */
  tenantId?: string | undefined;
  /** Encodes a row into COPY text; copy-text.ts's unless a test needs one that fails. */
  encode?: (row: SpanRow) => string;
  /**
   * Write lanes the rows are sorted into, by trace ({@link laneOf}); default 1. Sorting them
   * here, as they are encoded, spares copying every line again when a write is split.
   */
  lanes?: number;
}

/** A request's spans, mapped: rows ready for COPY, one set per lane, and the dead letters. */
export interface MappedSpans {
  /** Rows by lane: `lanes[k]` holds the rows whose trace belongs to lane k. */
  lanes: EncodedRows[];
  /** Rows over all lanes. */
  count: number;
  dead: DeadLetter[];
}

/**
 * The write lane of a trace: the leaf-billing rules compare spans of one trace, so one trace
 * always goes to one lane and its decisions are serialised as with a single lane.
 */
export function laneOf(traceId: string, lanes: number): number {
  return lanes <= 1 ? 0 : Number.parseInt(traceId.slice(0, 8), 16) % lanes;
}

// A mapping bug must cost one span (dead-lettered with the reason), never the batch.
function transformOne(span: SpanLike, options: TransformOptions): TransformResult {
  try {
    return transformSpan(span, options);
  } catch (err) {
    return {
      kind: 'invalid',
      reason: `internal mapping error: ${(err as Error).message}`,
      traceId: span.traceId,
      spanId: span.spanId,
    };
  }
}

/**
 * Maps spans into COPY lines as they arrive, so a batch waiting for the write lane holds text
 * rather than row objects (encoded-rows.ts says why). Spans that are not GenAI are
 * counted in `outcome.ignored`; spans that cannot be stored are dead-lettered and reported in
 * `outcome.rejected`, with the reason.
 */
export function mapSpans(
  spans: readonly SpanLike[],
  options: MapSpansOptions,
  outcome: ExportOutcome,
  stats: ExporterStats,
): MappedSpans {
  const laneCount = Math.max(1, options.lanes ?? 1);
  const lanes = Array.from({ length: laneCount }, () =>
    EncodedRows.empty(Math.ceil(spans.length / laneCount)),
  );
  const encode = options.encode ?? encodeCopyRow;
  let count = 0;
  const dead: DeadLetter[] = [];
  const now = Date.now();
  stats.spansReceived += spans.length;
  for (const span of spans) {
    const result = transformOne(span, options.transform);
    if (result.kind === 'ignored') {
      outcome.ignored++;
      stats.spansIgnored++;
      continue;
    }
    let failure: { reason: string; traceId?: string | undefined; spanId?: string | undefined };
    if (result.kind === 'row') {
      const row = result.row;
      if (options.tenantId !== undefined) row.tenant_id = options.tenantId;
      if (implausibleStart(span.startTimeMs, now)) addFlag(row.flags, 'implausible_start_time');
      try {
        const line = encode(row);
        lanes[laneOf(row.trace_id, laneCount)]!.push(line);
        count++;
        continue;
      } catch (err) {
        // A value that does not fit its column is a mapping bug: this span is dead-lettered.
        const { message: reason } = new RowEncodingError(err);
        failure = { reason, traceId: row.trace_id, spanId: row.span_id };
      }
    } else failure = result;
    const { reason, traceId, spanId } = failure;
    stats.spansInvalid++;
    outcome.rejected.push({ traceId, spanId, reason });
    dead.push({
      source: options.source,
      reason,
      tenant_id: options.tenantId ?? null,
      trace_id: traceId ?? null,
      span_id: spanId ?? null,
      // The name goes through the same privacy rule as span_name (it may be a prompt).
      payload: {
        name: storedSpanName(span.name, options.transform, []),
        traceId: span.traceId,
        spanId: span.spanId,
      },
    });
  }
  return { lanes, count, dead };
}
