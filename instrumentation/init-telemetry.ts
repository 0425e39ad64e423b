import { diag } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { PgSpanExporter, type PgSpanExporterOptions } from '../exporters/index.js';
import { SERVICE_NAME, SERVICE_VERSION } from '../semconv/index.js';
import { DATABASE_URL_FORM, invalidDatabaseUrl } from '../shared/database/index.js';
import { AuditContextSpanProcessor } from './audit-span-processor.js';
import { configureInstrumentation, type InstrumentationOptions } from './config.js';

/** Options of {@link initTelemetry}; code overrides environment overrides defaults. */
export interface InitTelemetryOptions extends InstrumentationOptions {
  /** service.name; else OTEL_SERVICE_NAME, else the SDK default. */
  serviceName?: string;
  serviceVersion?: string;
  /** Extra resource attributes, e.g. deployment.environment.name. */
  resourceAttributes?: Record<string, string>;
  /**
   * Write spans straight to Postgres (direct mode). Default: when databaseUrl or DATABASE_URL is
   * set. `false` disables it.
   */
  databaseUrl?: string | false;
  /** More PgSpanExporter options (spool directory, price book, ...). */
  postgres?: Omit<PgSpanExporterOptions, 'databaseUrl'>;
  /**
   * Send spans over OTLP/HTTP (to a spanledger collector, Jaeger, Tempo). Default: when
   * OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set. A string is the
   * traces URL; the standard OTEL_EXPORTER_OTLP_* variables configure the rest.
   */
  otlp?: boolean | string;
  /** Flush on SIGTERM, SIGINT and beforeExit (default true). */
  handleSignals?: boolean;
  /** Extra span processors, run after the audit-context one. */
  spanProcessors?: SpanProcessor[];
}

/** What initTelemetry returns. */
export interface TelemetryHandle {
  readonly provider: NodeTracerProvider;
  /** Which exporters are wired, for a start-up log line. */
  readonly exporters: ReadonlyArray<'postgres' | 'otlp'>;
  forceFlush(): Promise<void>;
  /** Flushes and stops; safe to call more than once. */
  shutdown(): Promise<void>;
}

/** Never throws into the app at run time; warns (stderr and diag) once, at start. */
function warnAtStart(message: string, code: string): void {
  diag.warn(message);
  try {
    process.emitWarning(message, { code });
  } catch {}
}

function postgresUrl(options: InitTelemetryOptions): string | undefined {
  if (options.databaseUrl === false) return undefined;
  if (options.databaseUrl) {
    const problem = invalidDatabaseUrl(options.databaseUrl);
    // A bad option in code is the caller's bug: it throws here, at start.
    if (problem) {
      throw new Error(
        `initTelemetry: databaseUrl ${problem}; expected a PostgreSQL connection URL such as ${DATABASE_URL_FORM}`,
      );
    }
    return options.databaseUrl;
  }
  const fromEnv = process.env.DATABASE_URL || undefined;
  const problem = fromEnv && invalidDatabaseUrl(fromEnv);
  if (problem) {
    // DATABASE_URL may be the app's own (MySQL...) database: skip it rather than fail the app.
    warnAtStart(
      `spanledger: DATABASE_URL ${problem}, so spans are not written to it; expected a PostgreSQL connection URL such as ${DATABASE_URL_FORM} (or pass initTelemetry({ databaseUrl }) / databaseUrl: false)`,
      'SPANLEDGER_BAD_DATABASE_URL',
    );
    return undefined;
  }
  return fromEnv;
}

function otlpTarget(options: InitTelemetryOptions): string | true | undefined {
  if (options.otlp === false) return undefined;
  if (typeof options.otlp === 'string') return options.otlp;
  const env =
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return options.otlp === true || env ? true : undefined;
}

function buildResource(options: InitTelemetryOptions) {
  const attributes: Record<string, string> = { ...options.resourceAttributes };
  const serviceName = options.serviceName ?? process.env.OTEL_SERVICE_NAME;
  if (serviceName) attributes[SERVICE_NAME] = serviceName;
  if (options.serviceVersion) attributes[SERVICE_VERSION] = options.serviceVersion;
  return defaultResource()
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(resourceFromAttributes(attributes));
}

function exportProcessors(options: InitTelemetryOptions) {
  const processors: SpanProcessor[] = [];
  const exporters: Array<'postgres' | 'otlp'> = [];
  const databaseUrl = postgresUrl(options);
  if (databaseUrl) {
    processors.push(
      new BatchSpanProcessor(new PgSpanExporter({ ...options.postgres, databaseUrl })),
    );
    exporters.push('postgres');
  }
  const otlp = otlpTarget(options);
  if (otlp) {
    const exporter = new OTLPTraceExporter(typeof otlp === 'string' ? { url: otlp } : {});
    processors.push(new BatchSpanProcessor(exporter));
    exporters.push('otlp');
  }
  if (exporters.length === 0) {
    // Also where it is seen without a diag logger (stderr, once).
    warnAtStart(
      'spanledger: initTelemetry has no exporter, so no span will land anywhere: set DATABASE_URL (direct to Postgres) or OTEL_EXPORTER_OTLP_ENDPOINT (a collector), or pass databaseUrl / otlp',
      'SPANLEDGER_NO_EXPORTER',
    );
  }
  return { processors, exporters };
}

/**
 * Wires the OpenTelemetry Node SDK for spanledger: resource, the audit-context processor, a
 * BatchSpanProcessor to Postgres (direct mode) and/or to OTLP/HTTP, registered globally with the
 * AsyncLocalStorage context manager and W3C propagation. Bad options throw here, at start.
 */
export function initTelemetry(options: InitTelemetryOptions = {}): TelemetryHandle {
  configureInstrumentation(options);
  const { processors, exporters } = exportProcessors(options);
  const provider = new NodeTracerProvider({
    resource: buildResource(options),
    spanProcessors: [
      new AuditContextSpanProcessor(),
      ...(options.spanProcessors ?? []),
      ...processors,
    ],
  });
  provider.register();
  let stopping: Promise<void> | undefined;
  const handle: TelemetryHandle = {
    provider,
    exporters: Object.freeze(exporters),
    // Apps flush after each request (serverless): an unreachable backend must not reject there.
    forceFlush: () =>
      provider.forceFlush().catch((error) => {
        diag.error('spanledger: telemetry flush failed', error);
      }),
    shutdown() {
      stopping ??= provider.shutdown().catch((error) => {
        diag.error('spanledger: telemetry shutdown failed', error);
      });
      return stopping;
    },
  };
  if (options.handleSignals !== false) flushOnExit(handle);
  return handle;
}

/**
 * Short-lived processes lose nothing: beforeExit flushes; SIGTERM/SIGINT shut down, then the
 * signal is raised again so the process still stops as it would have without us.
 */
function flushOnExit(handle: TelemetryHandle): void {
  const onSignal = (signal: NodeJS.Signals) => {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
    void handle.shutdown().finally(() => {
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  process.once('beforeExit', () => void handle.shutdown());
}
