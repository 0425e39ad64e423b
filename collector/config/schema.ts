import { z } from 'zod';
import { parseDuration, parseSize } from './units.js';

const duration = (fallback: string) =>
  z
    .union([z.string(), z.number()])
    .default(fallback)
    .transform((v, ctx) => {
      const ms = parseDuration(v);
      if (ms === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be a duration such as "500ms", "1s" or "5m"',
        });
        return z.NEVER;
      }
      return ms;
    });

const size = (fallback: string) =>
  z
    .union([z.string(), z.number()])
    .default(fallback)
    .transform((v, ctx) => {
      const bytes = parseSize(v);
      if (bytes === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be a size such as "512KiB", "20MiB" or "1GiB"',
        });
        return z.NEVER;
      }
      return bytes;
    });

const intBetween = (min: number, max: number, fallback: number) =>
  z
    .number({ error: `must be an integer between ${min} and ${max}` })
    .int({ error: `must be an integer between ${min} and ${max}` })
    .min(min, { error: `must be an integer between ${min} and ${max}` })
    .max(max, { error: `must be an integer between ${min} and ${max}` })
    .default(fallback);

const hostPort = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, {
  error: 'must be host:port, such as "127.0.0.1:4318"',
});

// `key: ${env:UNSET:-}` parses as YAML null: treat it as "not set".
const optionalString = z
  .string()
  .nullable()
  .default('')
  .transform((v) => v ?? '');

const authToken = z.strictObject({
  token: z.string().min(16, { error: 'must be at least 16 characters' }),
  tenant: z.string().min(1, { error: 'must name a tenant' }),
});

const otlpHttpReceiver = z.strictObject({
  endpoint: hostPort.default('127.0.0.1:4318'),
  max_request_body_size: size('20MiB'),
  auth: z.strictObject({ tokens: z.array(authToken).default([]) }).prefault({}),
});

const postgresExporter = z.strictObject({
  /** Empty means: DATABASE_URL, else an embedded Postgres. */
  url: optionalString,
  /** Role the writer switches to with SET ROLE; empty keeps the login role. */
  role: optionalString,
  batch_size: intBetween(1, 100_000, 2_000),
  flush_interval: duration('1s'),
  max_connections: intBetween(1, 100, 4),
  connect_timeout: duration('10s'),
  spool: z
    .strictObject({ dir: z.string().default('.spanledger/spool'), max_size: size('1GiB') })
    .prefault({}),
  embedded: z
    .strictObject({
      data_dir: z.string().default('.spanledger/pg'),
      port: intBetween(1, 65_535, 54_329),
    })
    .prefault({}),
});

const pipeline = z.strictObject({
  receivers: z.array(z.string()).default(['otlp']),
  exporters: z.array(z.string()).default(['postgres']),
});

export const configSchema = z.strictObject({
  receivers: z
    .strictObject({
      otlp: z
        .strictObject({
          protocols: z.strictObject({ http: otlpHttpReceiver.prefault({}) }).prefault({}),
        })
        .prefault({}),
    })
    .prefault({}),
  exporters: z.strictObject({ postgres: postgresExporter.prefault({}) }).prefault({}),
  // Filled in by the MCP health prober; accepted as-is until then.
  extensions: z.record(z.string(), z.unknown()).default({}),
  service: z
    .strictObject({
      pipelines: z.strictObject({ traces: pipeline.prefault({}) }).prefault({}),
      telemetry: z
        .strictObject({
          logs: z
            .strictObject({
              level: z
                .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
                .default('info'),
            })
            .prefault({}),
        })
        .prefault({}),
    })
    .prefault({}),
});

/** The validated, defaulted configuration (durations in ms, sizes in bytes). */
export type SpanledgerConfig = z.output<typeof configSchema>;
/** What a user may write in otel-config.yaml. */
export type SpanledgerConfigInput = z.input<typeof configSchema>;
