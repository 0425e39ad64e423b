import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from '../query/index.js';

/** What a signed-in browser carries: who it acts for and until when. */
export interface Session {
  principal: Principal;
  /** Expiry, ms since the epoch. */
  expires: number;
}

/** The cookie name; HttpOnly and SameSite=Strict (see cookieAttributes). */
export const SESSION_COOKIE = 'spanledger_session';

/**
 * Signs and checks session cookies with an HMAC-SHA256 key made at start: the cookie holds the
 * principal (tenant or admin) and an expiry, never the token, and a restart signs everyone out.
 */
export function createSessionSigner(key: Buffer = randomBytes(32)) {
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

  function sign(session: Session): string {
    const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
    return `${payload}.${mac(payload)}`;
  }

  /** The session a cookie value stands for, or undefined (forged, malformed or expired). */
  function verify(value: string | undefined, now = Date.now()): Session | undefined {
    if (!value) return undefined;
    const dot = value.indexOf('.');
    if (dot <= 0) return undefined;
    const payload = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1));
    const expected = Buffer.from(mac(payload));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let session: Session;
    try {
      session = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Session;
    } catch {
      return undefined;
    }
    if (typeof session.expires !== 'number' || session.expires <= now) return undefined;
    const p = session.principal;
    if (p?.kind === 'admin') return { principal: { kind: 'admin' }, expires: session.expires };
    if (p?.kind === 'tenant' && typeof p.tenant === 'string') {
      return { principal: { kind: 'tenant', tenant: p.tenant }, expires: session.expires };
    }
    return undefined;
  }

  return { sign, verify };
}

/** The signer createSessionSigner() builds. */
export type SessionSigner = ReturnType<typeof createSessionSigner>;
