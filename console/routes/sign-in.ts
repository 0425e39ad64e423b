import type { FastifyInstance } from 'fastify';
import type { Principal, QueryAuthenticate } from '../../query/index.js';
import { renderSignIn } from '../pages/sign-in.js';
import { safeNext, sendPage } from '../request.js';
import { SESSION_COOKIE, type SessionSigner } from '../session.js';

/**
 * GET/POST /sign-in and POST /sign-out: a configured query token becomes a signed HttpOnly
 * SameSite=Strict session cookie carrying its principal (so its tenant) until it expires.
 */
export function signInRoutes(
  scope: FastifyInstance,
  parts: {
    authenticate: QueryAuthenticate;
    signer: SessionSigner;
    now: () => Date;
    /** No tokens configured: no sign-in, every request is the local user. */
    open: boolean;
    sessionTtlMs: number;
  },
) {
  const { authenticate, signer, now } = parts;
  scope.get('/sign-in', async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>).next);
    if (parts.open) return reply.redirect(next, 303);
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
    const ttl = parts.sessionTtlMs;
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
