import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { consoleMount } from '../console/index.js';
import { loadPriceBookFile, PgSpanExporter } from '../exporters/index.js';
import { verifyLedger } from '../ledger/index.js';
import { PartitionMaintainer } from '../maintenance/index.js';
import { ensureSchema } from '../migrations/index.js';
import type { HealthProber } from '../prober/index.js';
import { createProber } from '../prober/index.js';
import { type QueryApiServer, startQueryApi } from '../query/index.js';
import { createPool, type DatabaseTarget, openDatabaseTarget } from '../shared/database/index.js';
import { createLogger, type Logger } from '../shared/index.js';
import { buildCollector } from './app.js';
import { bannerLines } from './banner.js';
import {
  ConfigError,
  loadConfigFile,
  resolveConfig,
  type SpanledgerConfig,
} from './config/index.js';
import { DatabaseSupervisor } from './database-supervisor.js';
import { createForwardSet, type ForwardSet } from './forward/index.js';
import { resolveHashKey } from './hash-key.js';
import { checkPorts, type Endpoint, portInUse } from './ports.js';

/** The default config file, resolved against the working directory. */
export const DEFAULT_CONFIG_FILE = 'otel-config.yaml';
/** How long stop() lets forward targets deliver what is queued before dropping it. */
const FORWARD_SHUTDOWN_GRACE_MS = 5_000;

export interface StartCollectorOptions {
  /** Path to otel-config.yaml; when omitted, ./otel-config.yaml is used if present. */
  configPath?: string;
  /** An already-resolved config (tests); takes precedence over configPath. */
  config?: Readonly<SpanledgerConfig>;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Where the human-readable start banner goes (default: stdout). */
  print?: (line: string) => void;
}

/** A running collector. */
export interface CollectorHandle {
  /** Base URL of the OTLP/HTTP receiver, e.g. http://127.0.0.1:4318 */
  otlpUrl: string;
  /** Base URL of the query API (extensions.query_api), e.g. http://127.0.0.1:4319; else undefined. */
  queryUrl: string | undefined;
  /** The console's URL (extensions.console, on the query API's port), e.g. http://127.0.0.1:4319/; else undefined. */
  consoleUrl: string | undefined;
  database: { maskedUrl: string; embedded: boolean; serverVersion: string };
  app: FastifyInstance;
  pool: Pool;
  /** The Postgres exporter every received span goes through. */
  exporter: PgSpanExporter;
  /** The forward targets (service.pipelines.traces.exporters other than postgres). */
  forward: ForwardSet;
  /** Stops accepting requests, flushes work in flight, closes pools and stops embedded Postgres. */
  stop(): Promise<void>;
}

/** What a start has built so far: stop() and a failed start release the same things. */
interface Parts {
  target: DatabaseTarget;
  pool?: Pool;
  exporter?: PgSpanExporter;
  prober?: HealthProber | undefined;
  maintainer?: PartitionMaintainer | undefined;
  queryApi?: QueryApiServer | undefined;
  supervisor?: DatabaseSupervisor;
  app?: FastifyInstance;
  forward?: ForwardSet;
}

/**
 * Starts the collector: config, ports, database (embedded when no URL is configured), the
 * exporter and its spool, the query API, the database supervisor (migrations, partitions and
 * the prober once Postgres answers; the collector starts and spools while it does not), then
 * the OTLP listener. Any failure before listening releases what was started.
 */
export async function startCollector(
  options: StartCollectorOptions = {},
): Promise<CollectorHandle> {
  const env = options.env ?? process.env;
  const config = await loadConfig(options, env);
  const logger = options.logger ?? createLogger(config.service.telemetry.logs.level);
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const { otlp, query } = await checkPorts(config);
  const parts: Parts = { target: await openDatabaseTarget(config.exporters.postgres, env, logger) };
  try {
    const pool = createCollectorPool(config, parts.target, logger);
    parts.pool = pool;
    const exporter = await createCollectorExporter(config, parts.target, env, logger);
    parts.exporter = exporter;
    parts.prober = createProber(config.extensions.mcp_health, pool, logger);
    parts.maintainer = createMaintainer(config, pool, logger);
    if (query) parts.queryApi = await startQuery(config, parts.target, query, logger);
    const supervisor = superviseDatabase(config, parts, logger);
    parts.supervisor = supervisor;
    await supervisor.connectFirst();
    const forward = createForwardSet(
      config.exporters.otlphttp,
      config.service.pipelines.traces.exporters,
      logger,
    );
    parts.forward = forward;
    const app = buildCollectorApp(config, parts as Required<Parts>, logger);
    parts.app = app;
    const otlpUrl = await listen(app, otlp);
    for (const line of bannerLines(otlpUrl, config, parts.target, forward, {
      queryUrl: config.extensions.query_api.enabled ? parts.queryApi?.url : undefined,
      consoleUrl: consoleUrl(config, parts),
      serverVersion: supervisor.serverVersion,
      notReady: supervisor.notReadyReason(),
    })) {
      print(line);
    }
    let stopping: Promise<void> | undefined;
    return {
      otlpUrl,
      queryUrl: config.extensions.query_api.enabled ? parts.queryApi?.url : undefined,
      consoleUrl: consoleUrl(config, parts),
      database: {
        maskedUrl: parts.target.maskedUrl,
        embedded: Boolean(parts.target.embedded),
        serverVersion: supervisor.serverVersion ?? 'unknown (not connected yet)',
      },
      app,
      pool,
      exporter,
      forward,
      stop() {
        stopping ??= release(parts);
        return stopping;
      },
    };
  } catch (err) {
    await release(parts).catch(() => {});
    throw err;
  }
}

async function loadConfig(options: StartCollectorOptions, env: NodeJS.ProcessEnv) {
  if (options.config) return options.config;
  if (options.configPath) return loadConfigFile(options.configPath, env);
  if (existsSync(DEFAULT_CONFIG_FILE)) return loadConfigFile(DEFAULT_CONFIG_FILE, env);
  return resolveConfig({}, 'defaults');
}

function createCollectorPool(
  config: Readonly<SpanledgerConfig>,
  target: DatabaseTarget,
  logger: Logger,
): Pool {
  return createPool({
    url: target.url,
    applicationName: 'spanledger-collector',
    max: config.exporters.postgres.max_connections,
    connectTimeoutMs: config.exporters.postgres.connect_timeout,
    onError: (error) => logger.warn({ error }, 'postgres pool error'),
  });
}

async function createCollectorExporter(
  config: Readonly<SpanledgerConfig>,
  target: DatabaseTarget,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<PgSpanExporter> {
  const pgConfig = config.exporters.postgres;
  const log = logger.child({ component: 'pg-exporter' });
  return new PgSpanExporter({
    databaseUrl: target.url,
    role: pgConfig.role || undefined,
    maxConnections: pgConfig.max_connections,
    applicationName: 'spanledger-collector-exporter',
    spool: { dir: pgConfig.spool.dir, maxBytes: pgConfig.spool.max_size },
    maxRowsPerWrite: Math.max(pgConfig.batch_size, 1),
    flushIntervalMs: pgConfig.flush_interval,
    transform: {
      captureContent: pgConfig.capture_content,
      allowedAttributes: pgConfig.allowed_attributes,
      hashKey: await resolveHashKey(
        pgConfig.hash_key || env.SPANLEDGER_HASH_KEY || '',
        join(dirname(resolve(pgConfig.spool.dir)), 'hash-key'),
      ),
      ...(pgConfig.price_book ? { priceBook: loadPriceBookFile(pgConfig.price_book) } : {}),
    },
    source: 'collector',
    logger: log,
  });
}

function consoleUrl(config: Readonly<SpanledgerConfig>, parts: Parts): string | undefined {
  return config.extensions.console.enabled && parts.queryApi ? `${parts.queryApi.url}/` : undefined;
}

/**
 * The query API (and the console beside it) listens at once; its role check waits for the
 * database (the supervisor).
 */
async function startQuery(
  config: Readonly<SpanledgerConfig>,
  target: DatabaseTarget,
  endpoint: Endpoint,
  logger: Logger,
): Promise<QueryApiServer> {
  const queryConfig = config.extensions.query_api;
  const consoleConfig = config.extensions.console;
  let server: QueryApiServer | undefined;
  // Verify reads every tenant's rows through the API's pool (the login the API runs as).
  const verify = async () => {
    if (!server) throw new Error('the console is not started');
    const report = await verifyLedger(server.pool);
    return {
      ok: report.intact,
      summary: report.intact
        ? `intact: ${report.rows} rows in ${report.batches} batches of ${report.chains} chain(s), ${report.checkpoints} checkpoint(s)`
        : `${report.problems.length} problem(s): ${report.problems
            .slice(0, 3)
            .map((p) => p.message)
            .join('; ')}`,
      ...(report.digest ? { digest: report.digest } : {}),
    };
  };
  server = await startQueryApi({
    config: queryConfig,
    databaseUrl: target.url,
    host: endpoint.host,
    port: endpoint.port,
    logger,
    connectTimeoutMs: config.exporters.postgres.connect_timeout,
    deferRoleCheck: true,
    api: queryConfig.enabled,
    ...(consoleConfig.enabled
      ? {
          mount: consoleMount({
            config: consoleConfig,
            open:
              queryConfig.auth.tokens.length === 0 && queryConfig.auth.admin_tokens.length === 0,
            logger: logger.child({ component: 'console' }),
            verify,
          }),
        }
      : {}),
  }).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'EADDRINUSE' ? portInUse(endpoint) : err;
  });
  return server;
}

/** What must hold on every (re)connection: schema current, partitions, roles, the prober. */
function superviseDatabase(
  config: Readonly<SpanledgerConfig>,
  parts: Parts,
  logger: Logger,
): DatabaseSupervisor {
  const { target, pool, exporter, prober, maintainer, queryApi } = parts;
  let proberStarted = false;
  let maintainerStarted = false;
  return new DatabaseSupervisor({
    source: target,
    embedded: target.embedded,
    connectTimeoutMs: config.exporters.postgres.connect_timeout,
    logger: logger.child({ component: 'database' }),
    async prepare() {
      // A least-privilege login waits for the owner's "spanledger migrate" instead.
      await ensureSchema(pool!, target.url, logger.child({ component: 'migrate' }));
      if (config.extensions.query_api.enabled) {
        await queryApi?.verifyRoles();
      } else {
        // The console alone (on by default) must not stop a least-privilege collector: its
        // pages answer with the error until the GRANT is made.
        await queryApi
          ?.verifyRoles()
          .catch((err: Error) =>
            logger.warn(`console: ${err.message.replace('extensions.query_api: ', '')}`),
          );
      }
      if (maintainer && !maintainerStarted) {
        maintainerStarted = true;
        await maintainer.start();
      }
      if (prober && !proberStarted) {
        await prober.start();
        proberStarted = true;
      }
    },
    onReady: () => exporter!.replayNow(),
  });
}

/** Partition maintenance (extensions.maintenance); undefined when disabled. */
function createMaintainer(
  config: Readonly<SpanledgerConfig>,
  pool: Pool,
  logger: Logger,
): PartitionMaintainer | undefined {
  const maintenance = config.extensions.maintenance;
  if (!maintenance.enabled) return undefined;
  return new PartitionMaintainer({
    pool,
    schedule: maintenance.schedule,
    monthsAhead: maintenance.months_ahead,
    logger: logger.child({ component: 'maintenance' }),
  });
}

function buildCollectorApp(
  config: Readonly<SpanledgerConfig>,
  parts: Required<Parts>,
  logger: Logger,
): FastifyInstance {
  const http = config.receivers.otlp.protocols.http;
  return buildCollector({
    pool: parts.pool,
    logger,
    exporter: parts.exporter,
    bodyLimit: http.max_request_body_size,
    maxConcurrentRequests: http.max_concurrent_requests,
    maxConcurrentRequestsPerTenant: http.max_concurrent_requests_per_tenant,
    readTimeoutMs: http.read_timeout,
    headerTimeoutMs: http.read_header_timeout,
    idleTimeoutMs: http.idle_timeout,
    authTokens: http.auth.tokens,
    forward: parts.forward,
    spoolMaxBytes: config.exporters.postgres.spool.max_size,
    prober: () => parts.prober,
    databaseState: () => parts.supervisor.notReadyReason(),
    maintenance: parts.maintainer,
    quotas: config.extensions.query_api.quotas,
  });
}

async function listen(app: FastifyInstance, endpoint: Endpoint): Promise<string> {
  await app
    .listen({ host: endpoint.host, port: endpoint.port })
    .catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'EADDRINUSE' ? portInUse(endpoint) : err;
    });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : endpoint.port;
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `http://${host}:${port}`;
}

/**
 * Stops in an order that loses nothing: no more retries or probes, stop taking requests
 * (finishing those in flight), flush the exporter (commit or spool every accepted span) while
 * forward queues drain, then let go of the database.
 */
async function release(parts: Parts): Promise<void> {
  parts.supervisor?.stop();
  await parts.prober?.stop().catch(() => {});
  await parts.maintainer?.stop().catch(() => {});
  await parts.queryApi?.close().catch(() => {});
  await parts.app?.close();
  await Promise.all([
    parts.exporter?.shutdown(),
    parts.forward?.shutdown(FORWARD_SHUTDOWN_GRACE_MS),
  ]);
  await parts.pool?.end().catch(() => {});
  await parts.target.release();
}

export { ConfigError };
