import { z } from 'zod';
import { duration, intBetween, size } from '../../shared/index.js';

/** `otlphttp` or `otlphttp/<name>`, as the OpenTelemetry Collector names exporter instances. */
export const OTLPHTTP_EXPORTER_NAME = /^otlphttp(\/[A-Za-z0-9_.-]+)?$/;

const httpUrl = z.string({ error: 'must be an http(s) URL such as "http://jaeger:4318"' }).refine(
  (value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  },
  { error: 'must be an http(s) URL such as "http://jaeger:4318"' },
);

/**
 * A forward target: every span the receiver accepts is sent on, unchanged, as OTLP/HTTP.
 * Field names follow the OpenTelemetry Collector's otlphttp exporter so its config can be
 * copied over (`sending_queue`, `retry_on_failure`).
 */
export const otlpHttpExporterSchema = z.strictObject({
  /** Base URL; /v1/traces is appended unless the URL already ends with it. */
  endpoint: httpUrl,
  headers: z
    .record(z.string(), z.string({ error: 'must be a string (quote numbers in YAML)' }))
    .default({}),
  timeout: duration('10s'),
  compression: z.enum(['gzip', 'none'], { error: 'must be "gzip" or "none"' }).default('gzip'),
  sending_queue: z
    .strictObject({
      /** Requests (batches) waiting per target; the oldest is dropped when full. */
      queue_size: intBetween(1, 1_000_000, 1_000),
      /** Bytes waiting per target, the same drop-oldest rule: a count alone does not bound memory. */
      max_size: size('256MiB'),
      /** Requests in flight to this target at once. */
      num_consumers: intBetween(1, 64, 4),
    })
    .prefault({}),
  retry_on_failure: z
    .strictObject({
      enabled: z.boolean({ error: 'must be true or false' }).default(true),
      initial_interval: duration('5s'),
      max_interval: duration('30s'),
      /** Give a batch up after this long; 0 retries forever (until the queue drops it). */
      max_elapsed_time: duration('300s'),
    })
    .prefault({}),
});

/** One forward target's resolved settings (durations in ms, sizes in bytes). */
export type OtlpHttpExporterConfig = z.output<typeof otlpHttpExporterSchema>;
