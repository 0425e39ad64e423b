import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Attributes } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type pg from 'pg';
import { type BuildCollectorOptions, buildCollector } from '../../../collector/index.js';
import otlp from '../../../collector/otlp/proto/generated/otlp.js';
import { PgSpanExporter, type PgSpanExporterOptions } from '../../../exporters/index.js';
import { createLogger } from '../../../shared/index.js';

/** A collector app on a loopback port with an exporter of its own (short retry delays). */
export interface TestCollector {
  url: string;
  exporter: PgSpanExporter;
  spoolDir: string;
  stop(): Promise<void>;
}

export async function startTestCollector(
  databaseUrl: string,
  pool: pg.Pool,
  options: Omit<Partial<BuildCollectorOptions>, 'exporter'> & {
    exporterOptions?: Partial<PgSpanExporterOptions>;
    spoolDir?: string;
  } = {},
): Promise<TestCollector> {
  const spoolDir = options.spoolDir ?? (await mkdtemp(join(tmpdir(), 'spanledger-collector-')));
  const exporter = new PgSpanExporter({
    databaseUrl,
    spool: { dir: spoolDir, maxBytes: 64 * 1024 * 1024 },
    retryBaseMs: 20,
    replayIntervalMs: 100,
    source: 'collector',
    ...options.exporterOptions,
  });
  const { exporterOptions: _options, spoolDir: _dir, ...appOptions } = options;
  const app = buildCollector({ pool, exporter, logger: createLogger('silent'), ...appOptions });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    exporter,
    spoolDir,
    async stop() {
      await app.close();
      await exporter.shutdown();
      await options.forward?.shutdown(100);
      if (!options.spoolDir) await rm(spoolDir, { recursive: true, force: true });
    },
  };
}

/** Sends spans with the OpenTelemetry JS OTLP exporter: 'proto' (binary) or 'json'. */
export function sendWithSdk(
  protocol: 'proto' | 'json',
  baseUrl: string,
  spans: ReadableSpan[],
  config: { headers?: Record<string, string>; compression?: 'gzip' | 'none' } = {},
): Promise<{ code: number; error?: Error | undefined }> {
  const Exporter = protocol === 'proto' ? ProtoExporter : JsonExporter;
  const exporter = new Exporter({
    url: `${baseUrl}/v1/traces`,
    headers: config.headers,
    compression: (config.compression ?? 'none') as never,
  });
  return new Promise((resolve) => {
    exporter.export(spans as never, (result) => {
      void exporter.shutdown();
      resolve({ code: result.code, error: result.error });
    });
  });
}

/** The response of one raw OTLP POST. */
export interface OtlpReply {
  status: number;
  headers: Headers;
  body: Buffer;
}

/** POSTs a body to /v1/traces as given (no client-side retries, unlike the SDK exporters). */
export async function postTraces(
  baseUrl: string,
  body: Uint8Array | string,
  headers: Record<string, string>,
): Promise<OtlpReply> {
  const response = await fetch(`${baseUrl}/v1/traces`, { method: 'POST', headers, body });
  return {
    status: response.status,
    headers: response.headers,
    body: Buffer.from(await response.arrayBuffer()),
  };
}

export const PROTOBUF = { 'content-type': 'application/x-protobuf' };
export const JSON_TYPE = { 'content-type': 'application/json' };

/** An OTLP span for hand-built requests (JSON mapping: hex ids, integer enums). */
export interface OtlpSpanSpec {
  traceId: string;
  spanId: string;
  name?: string;
  startNs?: bigint;
  attributes: Attributes;
}

function anyValue(value: unknown): Record<string, unknown> {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  }
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  return {};
}

function keyValues(attributes: Attributes) {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));
}

/** An ExportTraceServiceRequest in the OTLP/JSON mapping. */
export function otlpJsonRequest(spans: OtlpSpanSpec[], resource: Attributes = {}) {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceSpans: [
      {
        resource: { attributes: keyValues({ 'service.name': 'hand-built', ...resource }) },
        scopeSpans: [
          {
            scope: { name: 'spanledger-test', version: '1.0.0' },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              name: s.name ?? 'chat gpt-4o-mini',
              kind: 3,
              startTimeUnixNano: String(s.startNs ?? now),
              endTimeUnixNano: String((s.startNs ?? now) + 250_000_000n),
              attributes: keyValues(s.attributes),
              status: { code: 0 },
            })),
          },
        ],
      },
    ],
  };
}

const traceV1 = otlp.opentelemetry.proto.collector.trace.v1;

function hexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

/**
 * The same request in binary protobuf. Ids that are not even-length hex still encode (as the
 * bytes of their valid prefix), which is how a broken sender produces wrong-length ids.
 */
export function otlpProtobufRequest(json: ReturnType<typeof otlpJsonRequest>): Uint8Array {
  const object = structuredClone(json) as ReturnType<typeof otlpJsonRequest>;
  for (const span of object.resourceSpans[0]!.scopeSpans[0]!.spans) {
    span.traceId = hexToBase64(span.traceId);
    span.spanId = hexToBase64(span.spanId);
  }
  const Request = traceV1.ExportTraceServiceRequest;
  return Request.encode(Request.fromObject(object)).finish();
}

/** Decodes a binary ExportTraceServiceResponse into its JSON shape. */
export function decodeProtobufResponse(body: Uint8Array): Record<string, unknown> {
  const Response = traceV1.ExportTraceServiceResponse;
  return Response.toObject(Response.decode(body), { longs: String, defaults: false });
}

/** Rows of spanledger.audit_log for these span ids. */
export async function auditRows(pool: pg.Pool, spanIds: string[]) {
  const { rows } = await pool.query<{
    trace_id: string;
    span_id: string;
    tenant_id: string | null;
    provider: string | null;
    request_model: string | null;
    input_tokens: string | null;
    output_tokens: string | null;
    service_name: string | null;
  }>(
    `SELECT trace_id, span_id, tenant_id, provider, request_model, input_tokens::text,
            output_tokens::text, service_name
       FROM spanledger.audit_log WHERE span_id = ANY($1) ORDER BY span_id`,
    [spanIds],
  );
  return rows;
}

export async function countAudit(pool: pg.Pool, spanIds: string[]): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM spanledger.audit_log WHERE span_id = ANY($1)',
    [spanIds],
  );
  return rows[0]!.n;
}
