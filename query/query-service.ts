import type { Readable } from 'node:stream';
import type { Pool, PoolClient } from 'pg';
import { openAuditExport } from './audit-export.js';
import type { AuditFilters } from './audit-params.js';
import { auditPageSql, type ExportFormat } from './audit-sql.js';
import type { QuotaRule } from './config.js';
import { decodeCursor, encodeCursor, filterFingerprint } from './cursor.js';
import { QueryApiError } from './errors.js';
import { LEDGER_CHECKPOINT_SQL, LEDGER_HEADS_SQL } from './ledger-sql.js';
import {
  MCP_HEALTH_SQL,
  MCP_RESPONSE_TIMES_SQL,
  MCP_SERVER_SQL,
  MCP_SERVERS_SQL,
  MCP_STATUS_CHANGES_SQL,
  MCP_UPTIME_SQL,
} from './mcp-sql.js';
import { type OverviewScope, overviewRankingsSql, TENANTS_SQL } from './overview-sql.js';
import type { Principal } from './principal.js';
import {
  applicableRules,
  evaluateQuota,
  periodBounds,
  type QuotaReport,
  type QuotaUsage,
} from './quota.js';
import { withReader } from './reader-transaction.js';
import type { QuotaParams, UsageParams } from './report-params.js';
import { bindValues, prepared } from './sql-values.js';
import { dimensionName, quotaUsageSql, USAGE_MEASURES, usageReportSql } from './usage-sql.js';

export interface QueryServiceOptions {
  pool: Pool;
  /** statement_timeout (ms) for everything but exports. */
  queryTimeoutMs: number;
  quotas: readonly QuotaRule[];
  /** Exports streaming at once; more are refused with 429. */
  maxConcurrentExports: number;
  /** The clock quota periods are computed from (tests). */
  now?: () => Date;
}

type Measures = Record<(typeof USAGE_MEASURES)[number], number>;

/** GET /v1/usage's answer. */
export interface UsageReport {
  group_by: string[];
  rows: Array<Record<string, string | number | null>>;
  totals: Measures;
  /** More groups matched than `limit`. */
  truncated: boolean;
}

/**
 * Every query the API answers, as the principal. Returns JSON text where Postgres builds the
 * JSON (audit pages, MCP), so numbers and timestamps arrive exactly as stored.
 */
export function createQueryService(options: QueryServiceOptions) {
  const { pool } = options;
  const reader = { timeoutMs: options.queryTimeoutMs };
  const now = options.now ?? (() => new Date());
  const exports = new Set<Readable>();
  let exporting = 0;

  async function auditPage(
    principal: Principal,
    filters: AuditFilters,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<string> {
    const fingerprint = filterFingerprint(filters);
    const position = page.cursor ? decodeCursor(page.cursor, fingerprint) : undefined;
    const values = bindValues();
    const sql = auditPageSql(filters, page.limit, position, values);
    const { rows } = await withReader(pool, principal, reader, (c) =>
      c.query<{ json: string; started_us: string; trace_id: string; span_id: string }>(
        prepared(sql, values.values),
      ),
    );
    const shown = rows.slice(0, page.limit);
    const last = shown[shown.length - 1];
    const next =
      rows.length > page.limit && last
        ? encodeCursor(
            { startedUs: last.started_us, traceId: last.trace_id, spanId: last.span_id },
            fingerprint,
          )
        : null;
    return `{"rows":[${shown.map((r) => r.json).join(',')}],"next_cursor":${JSON.stringify(next)}}`;
  }

  async function exportAudit(
    principal: Principal,
    filters: AuditFilters,
    format: ExportFormat,
  ): Promise<Readable> {
    // The slot is taken before the first await, so concurrent requests cannot all slip in.
    if (exporting >= options.maxConcurrentExports) {
      throw new QueryApiError(
        429,
        'too_many_requests',
        `${exporting} export(s) are already streaming (extensions.query_api.max_concurrent_exports); retry when one finishes`,
      );
    }
    exporting++;
    let stream: Readable;
    try {
      stream = await openAuditExport(pool, principal, filters, format);
    } catch (err) {
      exporting--;
      throw err;
    }
    exports.add(stream);
    stream.once('close', () => {
      exports.delete(stream);
      exporting--;
    });
    return stream;
  }

  async function usage(principal: Principal, params: UsageParams): Promise<UsageReport> {
    const values = bindValues();
    const sql = usageReportSql(params, values);
    const { rows } = await withReader(pool, principal, reader, (c) =>
      c.query<{ is_total: boolean } & Record<string, string | number | null>>(
        prepared(sql, values.values),
      ),
    );
    const [total, ...groups] = rows;
    const totals = Object.fromEntries(USAGE_MEASURES.map((m) => [m, total?.[m] ?? 0])) as Measures;
    return {
      group_by: params.group_by.map(dimensionName),
      rows: groups.slice(0, params.limit).map(({ is_total: _, ...row }) => row),
      totals,
      truncated: groups.length > params.limit,
    };
  }

  async function quota(principal: Principal, params: QuotaParams): Promise<QuotaReport> {
    const tenant = quotaTenant(principal, params.tenant_id);
    const user = params.user_id;
    const bounds = periodBounds(params.period, now());
    const rules = applicableRules(options.quotas, tenant, user, params.period);
    const read = (c: PoolClient, scopeUser: string | undefined) => {
      const values = bindValues();
      const sql = quotaUsageSql({ tenant, user: scopeUser, ...bounds }, values);
      return c.query<QuotaUsage>(prepared(sql, values.values)).then((r) => r.rows[0]!);
    };
    const usageByScope = await withReader(pool, principal, reader, async (c) => ({
      ...(user !== undefined ? { user: await read(c, user) } : {}),
      ...(rules.tenant || user === undefined ? { tenant: await read(c, undefined) } : {}),
    }));
    return evaluateQuota({
      tenant,
      user,
      period: params.period,
      bounds,
      rules,
      usage: usageByScope,
    });
  }

  async function mcpServers(principal: Principal): Promise<string> {
    const { rows } = await withReader(pool, principal, reader, (c) =>
      c.query<{ json: string }>(MCP_SERVERS_SQL),
    );
    return `{"servers":${rows[0]!.json}}`;
  }

  /** A server's health history, or undefined when there is no such server. */
  async function mcpHealth(principal: Principal, id: number, limit: number) {
    return withReader(pool, principal, reader, async (c) => {
      const server = await c.query<{ json: string }>(MCP_SERVER_SQL, [id]);
      if (server.rows.length === 0) return undefined;
      const history = await c.query<{ json: string }>(MCP_HEALTH_SQL, [id, limit]);
      return `{"server":${server.rows[0]!.json},"rows":${history.rows[0]!.json}}`;
    });
  }

  /**
   * The calls, tools and MCP servers the console's overview ranks, in one statement (one round
   * trip): slowest and costliest calls, most used tools and MCP servers (JSON arrays as text).
   */
  async function rankings(principal: Principal, scope: OverviewScope, limit: number) {
    const values = bindValues();
    const sql = overviewRankingsSql(scope, limit, values);
    const { rows } = await withReader(pool, principal, reader, (c) =>
      c.query<{ slowest: string; costliest: string; tools: string; mcp_servers: string }>(
        prepared(sql, values.values),
      ),
    );
    const row = rows[0]!;
    return {
      slowest: row.slowest,
      costliest: row.costliest,
      tools: row.tools,
      mcpServers: row.mcp_servers,
    };
  }

  /**
   * Every tenant with rows, for an admin's tenant picker (a skip scan of the tenant index: one
   * probe per tenant, however many rows).
   */
  async function tenants(principal: Principal): Promise<string[]> {
    const { rows } = await withReader(pool, principal, reader, (c) =>
      c.query<{ json: string }>(TENANTS_SQL),
    );
    return JSON.parse(rows[0]!.json) as string[];
  }

  /**
   * The console's MCP health view: servers with their latest status, uptime per window, the
   * last 24 hours' response times and recent status changes (JSON text each).
   */
  async function mcpOverview(principal: Principal, changes: number) {
    return withReader(pool, principal, reader, async (c) => {
      const one = async (text: string, values: unknown[] = []) =>
        (await c.query<{ json: string }>(text, values)).rows[0]!.json;
      return {
        servers: await one(MCP_SERVERS_SQL),
        uptime: await one(MCP_UPTIME_SQL),
        responseTimes: await one(MCP_RESPONSE_TIMES_SQL),
        statusChanges: await one(MCP_STATUS_CHANGES_SQL, [changes]),
      };
    });
  }

  /**
   * The ledger chain's heads and latest checkpoint (JSON text each). Admin principals only:
   * tenant readers have no privilege on the chain tables.
   */
  async function ledgerState(principal: Principal) {
    if (principal.kind !== 'admin') {
      throw new QueryApiError(
        403,
        'forbidden',
        'the ledger chain is readable with an admin token only',
      );
    }
    return withReader(pool, principal, reader, async (c) => ({
      heads: (await c.query<{ json: string }>(LEDGER_HEADS_SQL)).rows[0]!.json,
      checkpoint: (await c.query<{ json: string }>(LEDGER_CHECKPOINT_SQL)).rows[0]!.json,
    }));
  }

  /** Destroys every export in flight (the server is closing). */
  function abortExports() {
    for (const stream of exports) stream.destroy(new Error('the query API is shutting down'));
  }

  return {
    auditPage,
    exportAudit,
    usage,
    quota,
    mcpServers,
    mcpHealth,
    rankings,
    tenants,
    mcpOverview,
    ledgerState,
    quotaRules: () => options.quotas,
    abortExports,
  };
}

/** The service createQueryService() builds. */
export type QueryService = ReturnType<typeof createQueryService>;

// A tenant token checks its own tenant (naming another is refused: the answer would disclose
// that tenant's configured limits); an admin token must say which tenant.
function quotaTenant(principal: Principal, requested: string | undefined): string {
  if (principal.kind === 'tenant') {
    if (requested !== undefined && requested !== principal.tenant) {
      throw new QueryApiError(
        403,
        'forbidden',
        `tenant_id "${requested}" is not this token's tenant; omit tenant_id to check your own`,
      );
    }
    return principal.tenant;
  }
  if (requested === undefined) {
    throw new QueryApiError(400, 'bad_request', 'tenant_id is required with an admin token');
  }
  return requested;
}
