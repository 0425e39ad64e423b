import type { Meter } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import pg from 'pg';
import type { MessageLogger } from '../../shared/index.js';
import type { TransformOptionsInput } from './transform.js';

/** Logger shape; the OTel diag logger by default, pino in the collector. */
export type ExporterLogger = MessageLogger;

export interface PgSpanExporterOptions {
  /** Connection string; defaults to DATABASE_URL. Ignored when `pool` is given. */
  databaseUrl?: string;
  /** An existing pool (not closed by shutdown()). */
  pool?: pg.Pool;
  /** SET ROLE to this role on each connection (e.g. spanledger_writer). */
  role?: string;
  /** Connections in the exporter's own pool (default 2). */
  maxConnections?: number;
  applicationName?: string;
  /** Durable local spool for outages; false disables it (then an outage fails exports). */
  spool?: { dir: string; maxBytes?: number } | false;
  /** Mapping options: price book, content capture, hash key, caps. */
  transform?: TransformOptionsInput;
  /** Upper bound of rows merged into one transaction when exports queue up (default 20000). */
  maxRowsPerWrite?: number;
  /**
   * How long an idle writer waits for more exports before writing, so that concurrent small
   * exports share one transaction (default 0: write at once; busy writers coalesce anyway).
   */
  flushIntervalMs?: number;
  /**
   * Concurrent transactions for one large write, split by trace id (default 2). Each lane takes
   * a pool connection, so maxConnections should be at least this.
   */
  writeLanes?: number;
  /** Retries of a transient failure before spooling (default 4). */
  maxRetries?: number;
  retryBaseMs?: number;
  /** First delay before replaying the spool; doubles up to 10 s while Postgres stays down. */
  replayIntervalMs?: number;
  meter?: Meter;
  logger?: ExporterLogger;
  /** `source` recorded on dead letters (default 'exporter'). */
  source?: string;
  /**
   * Names this exporter's hash chains (one per write lane: `<chainId>/<lane>`). Default: host,
   * pid and a random suffix, so no two exporters ever extend the same chain.
   */
  chainId?: string;
  /**
   * How often to write a ledger checkpoint binding the chain heads that moved (default 60 s;
   * 0 disables). One is also written at shutdown.
   */
  checkpointIntervalMs?: number;
}

/** Per-call result of exportSpans(), richer than the SDK's ExportResult. */
export interface ExportOutcome {
  code: ExportResultCode;
  /** GenAI spans now durable: committed to Postgres or fsync'd to the spool. */
  accepted: number;
  spooled: number;
  ignored: number;
  /** Spans that could not be mapped; each went to dead_letter with the reason. */
  rejected: Array<{ traceId?: string | undefined; spanId?: string | undefined; reason: string }>;
  error?: Error;
}

/** An outcome before anything happened: success, nothing counted yet. */
export function emptyOutcome(): ExportOutcome {
  return { code: ExportResultCode.SUCCESS, accepted: 0, spooled: 0, ignored: 0, rejected: [] };
}

/** The exporter's own pool when none is given: small, named, never crashing on idle errors. */
export function createExporterPool(options: PgSpanExporterOptions, log: ExporterLogger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl ?? process.env.DATABASE_URL,
    application_name: options.applicationName ?? 'spanledger-exporter',
    max: options.maxConnections ?? 2,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', (err) => log.warn(`spanledger exporter: idle connection error: ${err.message}`));
  return pool;
}
