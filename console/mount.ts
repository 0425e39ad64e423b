import fastifyCookie from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import { QueryApiError, type QueryApiMount } from '../query/index.js';
import { isLoopbackHost, type Logger } from '../shared/index.js';
import { ASSET_DIR, ASSET_TYPES, loadAssets } from './assets.js';
import type { ConsoleConfig } from './config.js';
import { html } from './html.js';
import type { Viewer } from './layout.js';
import type { LedgerVerifyResult } from './pages/ledger.js';
import { hostName, safeNext, sameOrigin, sendPage } from './request.js';
import {
  auditRoutes,
  ledgerRoutes,
  mcpRoute,
  overviewRoute,
  signInRoutes,
  traceRoute,
} from './routes/index.js';
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

      signInRoutes(scope, {
        authenticate,
        signer,
        now,
        open: options.open,
        sessionTtlMs: options.config.session_ttl,
      });
      overviewRoute(scope, service, viewer, now);
      auditRoutes(scope, service, viewer);

      traceRoute(scope, service, viewer, options.config.trace_url);
      mcpRoute(scope, service, viewer);
      ledgerRoutes(scope, service, viewer, { verify: options.verify, now });
    });
  };
}
