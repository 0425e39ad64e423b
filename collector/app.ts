import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Pool } from 'pg';
import type { PgSpanExporter } from '../exporters/index.js';
import type { PartitionStatus } from '../maintenance/index.js';
import { pendingMigrations } from '../migrations/index.js';
import type { HealthProber } from '../prober/index.js';
import type { QuotaRule } from '../query/index.js';
import type { Logger } from '../shared/index.js';
import type { ForwardSet } from './forward/index.js';
import { createCollectorMetrics } from './metrics.js';
import {
  createBearerAuth,
  DEFAULT_READ_TIMEOUT_MS,
  defaultPerTenantLimit,
  receiverServerOptions,
  type TokenGrant,
  tracesRoute,
} from './otlp/index.js';
import { createQuotaRatioReader } from './quota-metrics.js';

/** Default body limit (receivers.otlp.protocols.http.max_request_body_size). */
const DEFAULT_BODY_LIMIT = 20 * 1024 * 1024;
/** Default receivers.otlp.protocols.http.max_concurrent_requests. */
const DEFAULT_MAX_CONCURRENT_REQUESTS = 64;
/** Default receivers.otlp.protocols.http.read_header_timeout. */
const DEFAULT_HEADER_TIMEOUT_MS = 10_000;
/** Default receivers.otlp.protocols.http.idle_timeout. */
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/**
 * /readyz fails once the spool is this full, so a load balancer steers new traffic elsewhere
 * before the exporter has to answer 503 for want of spool space.
 */
const SPOOL_NOT_READY_RATIO = 0.9;

export interface BuildCollectorOptions {
  /** Pool used for readiness checks. */
  pool: Pool;
  /** Where received spans go (the OTLP receiver writes through it). */
  exporter: PgSpanExporter;
  logger: Logger;
  /** Maximum request body size in bytes (after decompression, for the OTLP receiver). */
  bodyLimit?: number;
  /** Requests the receiver handles at once; more are answered 429 (default 64). */
  maxConcurrentRequests?: number;
  /**
   * Requests one tenant (bearer token's tenant) may have in flight; more are answered 429.
   * Default: half of maxConcurrentRequests. Not applied without tokens.
   */
  maxConcurrentRequestsPerTenant?: number;
  /** How long an admitted request's body may take to arrive; 408 after that (default 30 s). */
  readTimeoutMs?: number;
  /** How long the request line and headers may take (default 10 s). */
  headerTimeoutMs?: number;
  /** How long a keep-alive connection may sit idle between requests (default 60 s). */
  idleTimeoutMs?: number;
  /** Bearer tokens and their tenants; none means no authentication (loopback only). */
  authTokens?: readonly TokenGrant[];
  /** Forward targets every accepted request is copied to. */
  forward?: ForwardSet;
  /** The spool's capacity (exporters.postgres.spool.max_size); /readyz checks against it. */
  spoolMaxBytes?: number;
  /** The MCP health prober, read at scrape time (it starts after the app is built). */
  prober?: () => HealthProber | undefined;
  /**
   * Why the database is not usable yet (waiting for it at start, restarting the embedded
   * server), checked before anything else by /readyz; undefined when it is.
   */
  databaseState?: () => string | undefined;
  /** Quota rules (extensions.query_api.quotas): /metrics reports how full each tenant's is. */
  quotas?: readonly QuotaRule[];
  /**
   * Partition maintenance: its warnings are /readyz details (never a failure) and its status
   * the spanledger_partitions_* gauges.
   */
  maintenance?: MaintenanceView | undefined;
}

/** What the app reads of the partition maintainer. */
export interface MaintenanceView {
  status(): readonly PartitionStatus[] | undefined;
  warnings(): readonly string[];
}

/**
 * Builds the collector's HTTP app without listening (fastify's testing pattern): tests drive it
 * with inject() or a loopback port; main.ts listens and owns signals.
 */
export function buildCollector(options: BuildCollectorOptions): FastifyInstance {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const maxConcurrentRequests = options.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT_REQUESTS;
  const readTimeoutMs = options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  const app = Fastify({
    ...receiverServerOptions({
      headerTimeoutMs: options.headerTimeoutMs ?? DEFAULT_HEADER_TIMEOUT_MS,
      readTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    }),
    loggerInstance: options.logger.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit,
    // Per-request logs would be one line per OTLP export; /metrics counts requests instead.
    logController: new LogController({ disableRequestLogging: true }),
  });
  const metrics = createCollectorMetrics({
    exporterStats: () => options.exporter.stats(),
    forwarders: () => options.forward?.targets ?? [],
    ...(options.prober ? { prober: options.prober } : {}),
    ...(options.maintenance ? { partitions: () => options.maintenance?.status() } : {}),
    ready: async () => (await notReadyReason(options)) === undefined,
    ...(options.quotas?.length
      ? { quotaRatios: createQuotaRatioReader({ pool: options.pool, rules: options.quotas }) }
      : {}),
  });
  const tokens = options.authTokens ?? [];

  app.register(tracesRoute, {
    exporter: options.exporter,
    bodyLimit,
    maxConcurrentRequests,
    maxConcurrentRequestsPerTenant:
      options.maxConcurrentRequestsPerTenant ?? defaultPerTenantLimit(maxConcurrentRequests),
    readTimeoutMs,
    authenticate: tokens.length > 0 ? createBearerAuth(tokens) : undefined,
    onAccepted: options.forward
      ? (body, encoding, spans) => options.forward!.enqueue(body, encoding, spans)
      : undefined,
    observer: metrics.receiver,
  });

  // Liveness: the process is up and serving. Never touches the database.
  app.get('/healthz', async () => ({ status: 'ok' }));

  // Readiness: Postgres reachable, the schema current, room left in the spool.
  app.get('/readyz', async (_req, reply) => {
    const reason = await notReadyReason(options);
    if (reason) return reply.code(503).send({ status: 'unavailable', reason });
    // Short partitions are a detail for the operator, not a reason to take traffic away.
    const warnings = options.maintenance?.warnings() ?? [];
    return warnings.length > 0 ? { status: 'ok', warnings } : { status: 'ok' };
  });

  app.get('/metrics', async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  return app;
}

async function notReadyReason(options: BuildCollectorOptions): Promise<string | undefined> {
  const database = options.databaseState?.();
  if (database) return database;
  const spooled = options.exporter.stats().spoolBytes;
  const capacity = options.spoolMaxBytes;
  if (capacity !== undefined && spooled >= capacity * SPOOL_NOT_READY_RATIO) {
    return `spool nearly full: ${spooled} of ${capacity} bytes (exporters.postgres.spool.max_size)`;
  }
  try {
    const pending = await pendingMigrations(options.pool);
    if (pending.length > 0) return `pending migrations: ${pending.join(', ')}`;
  } catch (err) {
    return `postgres unreachable: ${(err as Error).message}`;
  }
  return undefined;
}
