import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  auditExportParams,
  auditPageParams,
  type Principal,
  parseParams,
  QueryApiError,
  type QueryApiMount,
  type QueryAuthenticate,
  type QueryService,
  quotaParams,
  usageParams,
} from '../query/index.js';
import { isLoopbackHost, type Logger } from '../shared/index.js';
import { ASSET_DIR, ASSET_TYPES, loadAssets } from './assets.js';
import type { ConsoleConfig } from './config.js';
import { firstDay } from './format.js';
import { html } from './html.js';
import { page, type Viewer } from './layout.js';
import { type AuditRow, renderAudit } from './pages/audit.js';
import { type LedgerVerifyResult, renderLedger } from './pages/ledger.js';
import { renderMcp } from './pages/mcp.js';
import { RANGES, renderOverview, SPLITS, type Split } from './pages/overview.js';
import { renderSignIn } from './pages/sign-in.js';
import { renderTrace } from './pages/trace.js';
import type { TraceSpan } from './pages/trace-tree.js';
import { SECURITY_HEADERS } from './security-headers.js';
import { createSessionSigner, SESSION_COOKIE, type SessionSigner } from './session.js';

export interface ConsoleOptions {
  config: Readonly<ConsoleConfig>;
  /**
   * No query tokens are configured: every request acts as the local user (all tenants). The
   * collector's config allows this only on a loopback endpoint.
   */
  open: boolean;
  logger: Logger;
  /** Runs `spanledger verify` for the ledger view's button; omitted, there is no button. */
  verify?: () => Promise<Omit<LedgerVerifyResult, 'at'>>;
  /** Session signing (tests); a fresh random key otherwise. */
  signer?: SessionSigner;
  now?: () => Date;
  assetDir?: string;
}

/** Rows on one audit page; spans one trace view shows. */
const AUDIT_PAGE_ROWS = 50;
const TRACE_SPANS = 1000;
/** Query fields the audit view passes on to the API's parameters. */
const AUDIT_QUERY_KEYS = [
  'from',
  'to',
  'tenant_id',
  'user_id',
  'session_id',
  'model',
  'provider',
  'tool_name',
  'trace_id',
  'event_type',
  'status',
  'cursor',
] as const;

/** Only the known fields with a non-empty single value (an empty form field means "any"). */
function pickQuery(query: unknown, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const q = (query ?? {}) as Record<string, unknown>;
  for (const k of keys) {
    const v = q[k];
    if (typeof v === 'string' && v !== '') out[k] = v;
  }
  return out;
}

/** The host name of a Host header ("127.0.0.1:4319" → "127.0.0.1", "[::1]:4319" → "::1"). */
export function hostName(host: string | undefined): string {
  if (!host) return '';
  const bracket = /^\[([^\]]+)\]/.exec(host);
  if (bracket) return bracket[1]!;
  return host.replace(/:\d+$/, '');
}

/**
 * A POST that came from our own pages. Browsers send Sec-Fetch-Site; Origin is "null" under
 * our no-referrer policy, so it only counts when it names a site.
 */
function sameOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  return origin === undefined || origin === 'null' || origin === `http://${request.headers.host}`;
}

/** A path to return to after sign-in: ours only (no scheme, no //host, no backslash tricks). */
export function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[^\s]*$/.test(value) ? value : '/';
}

/**
 * The console as a part mounted on the query API's app and port: server-rendered pages over the
 * same query service (and so the same row-level security) as the API, a sign-in that turns a
 * query token into a signed HttpOnly SameSite=Strict session cookie, and the bundled assets.
 */
export function consoleMount(options: ConsoleOptions): QueryApiMount {
  const signer = options.signer ?? createSessionSigner();
  const now = options.now ?? (() => new Date());
  const assets = loadAssets(options.assetDir ?? ASSET_DIR);
  if (assets.size < Object.keys(ASSET_TYPES).length) {
    options.logger.warn(
      `console: the bundled assets are missing from ${options.assetDir ?? ASSET_DIR}; run "npm run build" (pages work, charts and keyboard navigation do not)`,
    );
  }
  let lastVerify: LedgerVerifyResult | undefined;

  return (app, { service, authenticate }) => {
    app.register(async (scope) => {
      await scope.register(fastifyCookie);
      scope.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string', bodyLimit: 8192 },
        (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
      );
      scope.addHook('onSend', async (_request, reply, payload) => {
        for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
        return payload;
      });
      const viewers = new WeakMap<FastifyRequest, Viewer>();
      const viewer = (request: FastifyRequest) => viewers.get(request)!;
      scope.addHook('preHandler', async (request, reply) => {
        // Open access is for this machine: a page of another site whose name resolves to
        // 127.0.0.1 (DNS rebinding) sends its own name as Host, and is refused.
        if (options.open && !isLoopbackHost(hostName(request.headers.host))) {
          throw new QueryApiError(
            403,
            'forbidden',
            'the console without tokens answers only requests addressed to a loopback host (127.0.0.1, [::1] or localhost)',
          );
        }
        // SameSite=Strict keeps the session off other sites' requests; this also keeps them from
        // posting at all (sign-in, sign-out, verify), with or without a session.
        if (request.method === 'POST' && !sameOrigin(request)) {
          throw new QueryApiError(403, 'forbidden', 'a form from another site is refused');
        }
        const path = request.url.split('?')[0]!;
        if (path === '/sign-in' || path.startsWith('/assets/')) return;
        const found = currentViewer(request);
        if (found) {
          viewers.set(request, found);
          return;
        }
        if (request.method === 'GET') {
          return reply.redirect(`/sign-in?next=${encodeURIComponent(safeNext(request.url))}`, 303);
        }
        return sendPage(
          reply,
          401,
          'Sign in',
          undefined,
          '',
          html`<p class="error">Sign in first.</p>`,
        );
      });
      scope.setErrorHandler(async (error, request, reply) => {
        const status =
          error instanceof QueryApiError
            ? error.statusCode
            : typeof (error as { statusCode?: unknown }).statusCode === 'number' &&
                (error as { statusCode: number }).statusCode < 500
              ? (error as { statusCode: number }).statusCode
              : 500;
        if (status >= 500) options.logger.error({ error }, 'console request failed');
        const message =
          status >= 500
            ? 'The console could not answer (see the collector log); try again.'
            : (error as Error).message;
        return sendPage(
          reply,
          status,
          'Error',
          viewers.get(request),
          '',
          html`<p class="error" role="alert">${message}</p>`,
        );
      });

      function currentViewer(request: FastifyRequest): Viewer | undefined {
        if (options.open) return { principal: { kind: 'admin' }, open: true };
        const session = signer.verify(request.cookies[SESSION_COOKIE], now().getTime());
        return session ? { principal: session.principal, open: false } : undefined;
      }

      scope.get('/assets/:name', async (request, reply) => {
        const { name } = request.params as { name: string };
        const body = assets.get(name);
        if (!body) {
          throw new QueryApiError(404, 'not_found', `no asset ${name}; run "npm run build"`);
        }
        return reply
          .header('cache-control', 'public, max-age=300')
          .type(ASSET_TYPES[name]!)
          .send(body);
      });

      signInRoutes(scope, { authenticate, signer, now, options });
      overviewRoute(scope, service, viewer, now);
      auditRoutes(scope, service, viewer);

      scope.get('/traces/:traceId', async (request, reply) => {
        const { traceId } = request.params as { traceId: string };
        if (!/^[0-9a-fA-F]{32}$/.test(traceId)) {
          throw new QueryApiError(404, 'not_found', 'a trace id is 32 hex characters');
        }
        const id = traceId.toLowerCase();
        const body = await service.auditPage(
          viewer(request).principal,
          { trace_id: id },
          { limit: TRACE_SPANS },
        );
        const parsed = JSON.parse(body) as { rows: TraceSpan[]; next_cursor: string | null };
        return sendPage(
          reply,
          200,
          'Trace',
          viewer(request),
          '/audit',
          renderTrace({
            traceId: id,
            spans: parsed.rows,
            truncated: parsed.next_cursor !== null,
            traceUrl: options.config.trace_url,
          }),
        );
      });

      scope.get('/mcp', async (request, reply) => {
        const data = await service.mcpOverview(viewer(request).principal, 50);
        return sendPage(
          reply,
          200,
          'MCP health',
          viewer(request),
          '/mcp',
          renderMcp({
            servers: JSON.parse(data.servers),
            uptime: JSON.parse(data.uptime),
            responseTimes: JSON.parse(data.responseTimes),
            statusChanges: JSON.parse(data.statusChanges),
          }),
        );
      });

      scope.get('/ledger', async (request, reply) => {
        const { principal } = viewer(request);
        const state = principal.kind === 'admin' ? await service.ledgerState(principal) : undefined;
        return sendPage(
          reply,
          200,
          'Ledger',
          viewer(request),
          '/ledger',
          renderLedger({
            heads: state ? JSON.parse(state.heads) : undefined,
            checkpoint: state ? JSON.parse(state.checkpoint) : null,
            lastVerify,
            canVerify: Boolean(options.verify) && principal.kind === 'admin',
          }),
        );
      });

      scope.post('/ledger/verify', async (request, reply) => {
        if (viewer(request).principal.kind !== 'admin' || !options.verify) {
          throw new QueryApiError(403, 'forbidden', 'verifying the ledger needs an admin token');
        }
        lastVerify = { at: now().toISOString(), ...(await options.verify()) };
        return reply.redirect('/ledger', 303);
      });
    });
  };
}

function sendPage(
  reply: FastifyReply,
  status: number,
  title: string,
  viewer: Viewer | undefined,
  current: string,
  body: ReturnType<typeof html>,
) {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(page(title, viewer, current, body));
}

function signInRoutes(
  scope: FastifyInstance,
  parts: {
    authenticate: QueryAuthenticate;
    signer: SessionSigner;
    now: () => Date;
    options: ConsoleOptions;
  },
) {
  const { authenticate, signer, now, options } = parts;
  scope.get('/sign-in', async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>).next);
    if (options.open) return reply.redirect(next, 303);
    return sendPage(reply, 200, 'Sign in', undefined, '', renderSignIn(undefined, next));
  });
  scope.post('/sign-in', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    const token = typeof body.token === 'string' ? body.token : '';
    const principal: Principal | undefined = token ? authenticate(`Bearer ${token}`) : undefined;
    if (!principal) {
      return sendPage(
        reply,
        401,
        'Sign in',
        undefined,
        '',
        renderSignIn('That token is not configured in extensions.query_api.auth.', next),
      );
    }
    const ttl = options.config.session_ttl;
    reply.setCookie(SESSION_COOKIE, signer.sign({ principal, expires: now().getTime() + ttl }), {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      maxAge: Math.floor(ttl / 1000),
    });
    return reply.redirect(next, 303);
  });
  scope.post('/sign-out', async (_request, reply) => {
    reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict' });
    return reply.redirect('/sign-in', 303);
  });
}

function overviewRoute(
  scope: FastifyInstance,
  service: QueryService,
  viewer: (request: FastifyRequest) => Viewer,
  now: () => Date,
) {
  scope.get('/', async (request, reply) => {
    const { principal } = viewer(request);
    const q = pickQuery(request.query, ['days', 'split', 'tenant_id']);
    const days = (RANGES as readonly number[]).includes(Number(q.days)) ? Number(q.days) : 30;
    const split: Split = (SPLITS as readonly string[]).includes(q.split ?? '')
      ? (q.split as Split)
      : 'model';
    const tenant = principal.kind === 'tenant' ? principal.tenant : q.tenant_id;
    const first = firstDay(days, now());
    const scopeFilter = principal.kind === 'admin' && tenant ? { tenant_id: tenant } : {};
    const usage = (groupBy: string, limit: number) =>
      service.usage(
        principal,
        parseParams(usageParams, {
          group_by: groupBy,
          from: first,
          limit: String(limit),
          ...scopeFilter,
        }),
      );
    // Independent reads, each in its own reader transaction: run side by side on the pool.
    const [daily, bySplit, tenants, ranked, quotas] = await Promise.all([
      usage(`day,${split}`, 10_000),
      usage(split, 50),
      principal.kind === 'admin' ? service.tenants(principal) : undefined,
      service.rankings(principal, { from: first, tenant: tenant || undefined }, 10),
      tenant && service.quotaRules().length > 0
        ? Promise.all(
            (['day', 'month'] as const).map((period) =>
              service.quota(principal, parseParams(quotaParams, { period, tenant_id: tenant })),
            ),
          )
        : [],
    ]);
    return sendPage(
      reply,
      200,
      'Overview',
      viewer(request),
      '/',
      renderOverview({
        days,
        first,
        split,
        tenant,
        tenants,
        daily,
        bySplit,
        slowest: JSON.parse(ranked.slowest),
        costliest: JSON.parse(ranked.costliest),
        tools: JSON.parse(ranked.tools),
        mcpServers: JSON.parse(ranked.mcpServers),
        quotas,
      }),
    );
  });
}

const EXPORT_TYPES = { csv: 'text/csv; charset=utf-8', jsonl: 'application/x-ndjson' } as const;

function auditRoutes(
  scope: FastifyInstance,
  service: QueryService,
  viewer: (request: FastifyRequest) => Viewer,
) {
  scope.get('/audit', async (request, reply) => {
    const { principal, open } = viewer(request);
    const query = pickQuery(request.query, AUDIT_QUERY_KEYS);
    const tenantFilter = principal.kind === 'admin';
    try {
      const { limit, cursor, ...filters } = parseParams(auditPageParams, {
        ...query,
        limit: String(AUDIT_PAGE_ROWS),
      });
      const body = await service.auditPage(principal, filters, { limit, cursor });
      const parsed = JSON.parse(body) as { rows: AuditRow[]; next_cursor: string | null };
      return sendPage(
        reply,
        200,
        'Audit',
        { principal, open },
        '/audit',
        renderAudit({
          query,
          rows: parsed.rows,
          nextCursor: parsed.next_cursor,
          tenantFilter,
        }),
      );
    } catch (err) {
      if (!(err instanceof QueryApiError) || err.statusCode !== 400) throw err;
      return sendPage(
        reply,
        400,
        'Audit',
        { principal, open },
        '/audit',
        renderAudit({
          query,
          rows: [],
          nextCursor: null,
          error: err.message,
          tenantFilter,
        }),
      );
    }
  });

  scope.get('/audit/export', async (request, reply) => {
    const query = pickQuery(request.query, [
      ...AUDIT_QUERY_KEYS.filter((k) => k !== 'cursor'),
      'format',
    ]);
    const { format, ...filters } = parseParams(auditExportParams, query);
    const stream = await service.exportAudit(viewer(request).principal, filters, format);
    return reply
      .type(EXPORT_TYPES[format])
      .header('content-disposition', `attachment; filename="audit.${format}"`)
      .send(stream);
  });
}
