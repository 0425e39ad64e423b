import { z } from 'zod';
import { consoleSchema } from '../../console/index.js';
import { maintenanceSchema } from '../../maintenance/index.js';
import { mcpHealthSchema } from '../../prober/index.js';
import { queryApiSchema } from '../../query/index.js';
import {
  duration,
  endpointHost,
  hostPort,
  intBetween,
  isLoopbackHost,
  optionalIntBetween,
  optionalString,
  size,
  timeout,
} from '../../shared/index.js';
import { defaultPerTenantLimit } from '../otlp/index.js';
import {
  OTLPHTTP_EXPORTER_NAME,
  type OtlpHttpExporterConfig,
  otlpHttpExporterSchema,
} from './otlphttp-exporter.js';

// A token from an unset ${env:VAR} arrives as null: the same message says what is wanted.
const authToken = z.strictObject({
  token: z
    .string({ error: 'must be at least 16 characters' })
    .min(16, { error: 'must be at least 16 characters' }),
  tenant: z.string({ error: 'must name a tenant' }).min(1, { error: 'must name a tenant' }),
});

const otlpHttpReceiver = z
  .strictObject({
    endpoint: hostPort.default('127.0.0.1:4318'),
    max_request_body_size: size('20MiB'),
    /** Requests decoded or waiting on Postgres at once; more get 429 with Retry-After. */
    max_concurrent_requests: intBetween(1, 100_000, 64),
    /** One tenant's share of those slots; default half of max_concurrent_requests. */
    max_concurrent_requests_per_tenant: optionalIntBetween(1, 100_000),
    /** An admitted request's body must arrive within this; 408 after. */
    read_timeout: timeout('30s'),
    /** The request line and headers must arrive within this. */
    read_header_timeout: timeout('10s'),
    /** A keep-alive connection closes after this long without a request. */
    idle_timeout: timeout('60s'),
    auth: z.strictObject({ tokens: z.array(authToken).default([]) }).prefault({}),
  })
  .superRefine((http, ctx) => {
    const perTenant = http.max_concurrent_requests_per_tenant;
    if (perTenant !== undefined && perTenant > http.max_concurrent_requests) {
      ctx.addIssue({
        code: 'custom',
        path: ['max_concurrent_requests_per_tenant'],
        message: `must be at most max_concurrent_requests (${http.max_concurrent_requests})`,
      });
    }
    // Without tokens anyone who can reach the port could write audit rows as any tenant.
    if (http.auth.tokens.length === 0 && !isLoopbackHost(endpointHost(http.endpoint))) {
      ctx.addIssue({
        code: 'custom',
        path: ['endpoint'],
        message:
          'must be a loopback address (such as "127.0.0.1:4318") while receivers.otlp.protocols.http.auth.tokens is empty; configure tokens to listen on other interfaces',
      });
    }
  })
  .transform((http) => ({
    ...http,
    max_concurrent_requests_per_tenant:
      http.max_concurrent_requests_per_tenant ??
      defaultPerTenantLimit(http.max_concurrent_requests),
  }));

const postgresExporter = z.strictObject({
  /** Empty means: DATABASE_URL, else an embedded Postgres. */
  url: optionalString,
  /** Role the writer switches to with SET ROLE; empty keeps the login role. */
  role: optionalString,
  batch_size: intBetween(1, 100_000, 2_000),
  /** How long a write waits to gather concurrent requests into one transaction. */
  flush_interval: duration('0ms'),
  /** HMAC key for input/output digests of foreign spans' content (SPANLEDGER_HASH_KEY). */
  hash_key: optionalString,
  /** Store prompt/completion content instead of digests only (off: privacy by default). */
  capture_content: z.boolean({ error: 'must be true or false' }).default(false),
  /** Attribute keys stored verbatim with capture off, besides the built-in metadata allowlist. */
  allowed_attributes: z
    .array(
      z.string({ error: 'must be an attribute key' }).min(1, { error: 'must be an attribute key' }),
      { error: 'must be a list of attribute keys' },
    )
    .default([]),
  /** A price book JSON file merged over the built-in one. */
  price_book: optionalString,
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

/**
 * `postgres` plus any number of `otlphttp` / `otlphttp/<name>` forward targets. The output
 * gathers the forward targets under `otlphttp`, keyed by their full name.
 */
const exporters = z
  .looseObject({ postgres: postgresExporter.prefault({}) })
  .superRefine((value, ctx) => {
    const unknown = Object.keys(value).filter(
      (key) => key !== 'postgres' && !OTLPHTTP_EXPORTER_NAME.test(key),
    );
    if (unknown.length > 0) {
      ctx.addIssue({ code: 'unrecognized_keys', keys: unknown, input: value });
    }
  })
  .transform((value, ctx) => {
    const otlphttp: Record<string, OtlpHttpExporterConfig> = {};
    for (const [key, raw] of Object.entries(value)) {
      if (!OTLPHTTP_EXPORTER_NAME.test(key)) continue;
      const parsed = otlpHttpExporterSchema.safeParse(raw ?? {});
      if (parsed.success) otlphttp[key] = parsed.data;
      else for (const issue of parsed.error.issues) addNested(ctx, key, raw, issue);
    }
    return { postgres: value.postgres, otlphttp };
  });

// Re-roots a forward target's issue under its key, so the message names the full field.
function addNested(ctx: z.RefinementCtx, key: string, raw: unknown, issue: z.core.$ZodIssue) {
  const path = [key, ...issue.path];
  if (issue.code === 'unrecognized_keys') {
    ctx.addIssue({ code: 'unrecognized_keys', keys: issue.keys, path, input: undefined });
    return;
  }
  let node = raw;
  for (const part of issue.path) node = (node as Record<PropertyKey, unknown> | undefined)?.[part];
  const message = node === undefined ? 'is required' : issue.message;
  ctx.addIssue({ code: 'custom', message, path });
}

const pipeline = z.strictObject({
  receivers: z.array(z.string()).default(['otlp']),
  exporters: z.array(z.string()).default(['postgres']),
});

const shape = z.strictObject({
  receivers: z
    .strictObject({
      otlp: z
        .strictObject({
          protocols: z.strictObject({ http: otlpHttpReceiver.prefault({}) }).prefault({}),
        })
        .prefault({}),
    })
    .prefault({}),
  exporters: exporters.prefault({}),
  extensions: z
    .strictObject({
      maintenance: maintenanceSchema.prefault({}),
      mcp_health: mcpHealthSchema.optional(),
      query_api: queryApiSchema.prefault({}),
      console: consoleSchema,
    })
    .prefault({}),
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

export const configSchema = shape.superRefine((config, ctx) => {
  const traces = config.service.pipelines.traces;
  const path = ['service', 'pipelines', 'traces'];
  traces.receivers.forEach((name, i) => {
    if (name !== 'otlp') {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'receivers', i],
        message: 'names a receiver that is not defined (the only receiver is "otlp")',
      });
    }
  });
  // A non-fatal issue inside exporters (a string too short) skips its transform, so the
  // gathered otlphttp map is missing here: that issue is reported, names cannot be checked.
  const gathered = config.exporters.otlphttp as typeof config.exporters.otlphttp | undefined;
  const defined = ['postgres', ...Object.keys(gathered ?? {})];
  traces.exporters.forEach((name, i) => {
    if (gathered !== undefined && !defined.includes(name)) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'exporters', i],
        message: `names an exporter that is not defined under exporters (defined: ${defined.join(', ')})`,
      });
    }
  });
  const queryApi = config.extensions.query_api;
  const consoleOn = config.extensions.console.enabled;
  if (
    (queryApi.enabled || consoleOn) &&
    queryApi.endpoint === config.receivers.otlp.protocols.http.endpoint &&
    // Port 0 twice is two different ephemeral ports.
    !queryApi.endpoint.endsWith(':0')
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['extensions', 'query_api', 'endpoint'],
      message:
        'must differ from receivers.otlp.protocols.http.endpoint (the query API and the console have a port of their own)',
    });
  }
  const noQueryTokens =
    queryApi.auth.tokens.length === 0 && queryApi.auth.admin_tokens.length === 0;
  if (consoleOn && noQueryTokens && !isLoopbackHost(endpointHost(queryApi.endpoint))) {
    ctx.addIssue({
      code: 'custom',
      path: ['extensions', 'query_api', 'endpoint'],
      message:
        'must be a loopback address (such as "127.0.0.1:4319") while the console is enabled and extensions.query_api.auth has no tokens; configure tokens or admin_tokens to serve the console on other interfaces, or set extensions.console.enabled: false',
    });
  }
  if (!traces.exporters.includes('postgres')) {
    ctx.addIssue({
      code: 'custom',
      path: [...path, 'exporters'],
      message: 'must include "postgres": it is where spanledger writes the audit and usage rows',
    });
  }
});

/** The validated, defaulted configuration (durations in ms, sizes in bytes). */
export type SpanledgerConfig = z.output<typeof configSchema>;
/** What a user may write in otel-config.yaml. */
export type SpanledgerConfigInput = z.input<typeof configSchema>;
export type { OtlpHttpExporterConfig };
