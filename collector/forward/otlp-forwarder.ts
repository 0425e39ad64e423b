import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { Logger } from '../../shared/index.js';
import type { OtlpHttpExporterConfig } from '../config/index.js';
import type { OtlpEncoding } from '../otlp/index.js';
import { backoffDelay, type RetryPolicy, sleep } from './backoff.js';
import { type SendResult, sendBatch } from './send-batch.js';
import { tracesUrl } from './traces-url.js';

const gzip = promisify(gzipCallback);
/** At most one "dropped" or "gave up" warning per target this often; counters keep the rest. */
const WARN_EVERY_MS = 10_000;

/** One accepted request body, shared (never copied) by every target's queue. */
export interface ForwardBatch {
  body: Buffer;
  encoding: OtlpEncoding;
  spans: number;
}

/** A forward target's counters since start. */
export interface ForwarderStats {
  queuedBatches: number;
  queuedBytes: number;
  sentBatches: number;
  sentSpans: number;
  /** Dropped unsent because the queue was full (oldest first) or the collector stopped. */
  droppedBatches: number;
  droppedSpans: number;
  /** Given up after a permanent error or when retries ran out. */
  failedBatches: number;
  failedSpans: number;
  retries: number;
}

/**
 * Forwards accepted OTLP bodies, unchanged, to one OTLP/HTTP endpoint: its own bounded queue
 * (drop-oldest), `num_consumers` requests in flight, retries with backoff that honour
 * Retry-After. enqueue() never waits, so a slow or dead target cannot hold up the receiver or
 * the Postgres path.
 */
export class OtlpForwarder {
  private readonly queue: ForwardBatch[] = [];
  private readonly counters: Omit<ForwarderStats, 'queuedBatches' | 'queuedBytes'> = {
    sentBatches: 0,
    sentSpans: 0,
    droppedBatches: 0,
    droppedSpans: 0,
    failedBatches: 0,
    failedSpans: 0,
    retries: 0,
  };
  private readonly url: string;
  private readonly retry: RetryPolicy;
  private readonly stopping = new AbortController();
  private queuedBytes = 0;
  private active = 0;
  private closed = false;
  private idle: Array<() => void> = [];
  private lastWarn = Number.NEGATIVE_INFINITY;

  constructor(
    readonly name: string,
    private readonly config: OtlpHttpExporterConfig,
    private readonly log: Logger,
  ) {
    this.url = tracesUrl(config.endpoint);
    const r = config.retry_on_failure;
    this.retry = {
      enabled: r.enabled,
      initialIntervalMs: r.initial_interval,
      maxIntervalMs: r.max_interval,
      maxElapsedMs: r.max_elapsed_time,
    };
  }

  /** Where batches go (endpoint + /v1/traces). */
  get targetUrl(): string {
    return this.url;
  }

  stats(): ForwarderStats {
    return { ...this.counters, queuedBatches: this.queue.length, queuedBytes: this.queuedBytes };
  }

  /** Queues a batch; drops the oldest queued ones when the queue is over its count or size. */
  enqueue(batch: ForwardBatch): void {
    if (this.closed) return;
    this.queue.push(batch);
    this.queuedBytes += batch.body.length;
    const { queue_size, max_size } = this.config.sending_queue;
    while (
      this.queue.length > queue_size ||
      (this.queuedBytes > max_size && this.queue.length > 1)
    ) {
      this.drop(this.take()!, 'the queue is full (sending_queue.queue_size / max_size)');
    }
    this.pump();
  }

  /**
   * Stops taking batches, gives those queued or in flight up to `graceMs` to be delivered,
   * then abandons the rest (counted as dropped).
   */
  async shutdown(graceMs: number): Promise<void> {
    this.closed = true;
    const drained = new Promise<void>((resolve) => {
      if (this.active === 0 && this.queue.length === 0) resolve();
      else this.idle.push(resolve);
    });
    const timer = setTimeout(() => this.stopping.abort(), graceMs);
    timer.unref();
    await drained;
    clearTimeout(timer);
  }

  private take(): ForwardBatch | undefined {
    const batch = this.queue.shift();
    if (batch) this.queuedBytes -= batch.body.length;
    return batch;
  }

  private pump() {
    while (this.active < this.config.sending_queue.num_consumers && this.queue.length > 0) {
      const batch = this.take()!;
      this.active++;
      this.deliver(batch)
        .catch((err: unknown) => {
          this.log.error({ err, target: this.name }, 'forwarding failed unexpectedly');
        })
        .finally(() => {
          this.active--;
          this.pump();
          if (this.active === 0 && this.queue.length === 0) {
            for (const resolve of this.idle.splice(0)) resolve();
          }
        });
    }
  }

  private async deliver(batch: ForwardBatch): Promise<void> {
    const gzipped = this.config.compression === 'gzip';
    const payload = gzipped ? await gzip(batch.body) : batch.body;
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      if (this.stopping.signal.aborted) return this.drop(batch, 'the collector stopped');
      const result = await sendBatch(payload, batch.encoding, gzipped, {
        url: this.url,
        headers: this.config.headers,
        timeoutMs: this.config.timeout,
        signal: this.stopping.signal,
      });
      if (result.kind === 'ok') {
        this.counters.sentBatches++;
        this.counters.sentSpans += batch.spans;
        return;
      }
      const delay = this.retryDelay(result, attempt, performance.now() - started);
      if (delay === undefined) return this.fail(batch, result.reason);
      this.counters.retries++;
      this.log.debug({ target: this.name, reason: result.reason, delay }, 'forward retry');
      await sleep(delay, this.stopping.signal);
    }
  }

  /** Milliseconds until the next attempt, or undefined to give the batch up. */
  private retryDelay(result: SendResult, attempt: number, elapsedMs: number): number | undefined {
    if (result.kind !== 'retry' || !this.retry.enabled) return undefined;
    const delay = result.retryAfterMs ?? backoffDelay(attempt, this.retry);
    const max = this.retry.maxElapsedMs;
    return max > 0 && elapsedMs + delay > max ? undefined : delay;
  }

  private drop(batch: ForwardBatch, why: string) {
    this.counters.droppedBatches++;
    this.counters.droppedSpans += batch.spans;
    this.warn(`forward target ${this.name}: dropped a batch of ${batch.spans} span(s): ${why}`);
  }

  private fail(batch: ForwardBatch, reason: string) {
    this.counters.failedBatches++;
    this.counters.failedSpans += batch.spans;
    this.warn(
      `forward target ${this.name} (${this.url}): gave up on ${batch.spans} span(s): ${reason}`,
    );
  }

  private warn(message: string) {
    const now = performance.now();
    if (now - this.lastWarn < WARN_EVERY_MS) return;
    this.lastWarn = now;
    this.log.warn({ target: this.name, ...this.stats() }, message);
  }
}
