import type { FastifyReply, FastifyRequest } from 'fastify';
import type { html } from './html.js';
import { page, type Viewer } from './layout.js';

/** The signed-in viewer of a request (set by the console's preHandler). */
export type ViewerOf = (request: FastifyRequest) => Viewer;

/** Only the known fields with a non-empty single value (an empty form field means "any"). */
export function pickQuery(query: unknown, keys: readonly string[]): Record<string, string> {
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
export function sameOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  return origin === undefined || origin === 'null' || origin === `http://${request.headers.host}`;
}

/** A path to return to after sign-in: ours only (no scheme, no //host, no backslash tricks). */
export function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[^\s]*$/.test(value) ? value : '/';
}

/** A whole page: the layout around `body`, as HTML. */
export function sendPage(
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
