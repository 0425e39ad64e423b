import { createHash, timingSafeEqual } from 'node:crypto';
import type { QueryApiConfig } from './config.js';
import type { Principal } from './principal.js';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Resolves an Authorization header to the principal its token stands for, or undefined. */
export type QueryAuthenticate = (authorization: string | undefined) => Principal | undefined;

/**
 * Bearer tokens → principals, compared in constant time: every configured token is compared
 * (digests give timingSafeEqual equal lengths) and the loop never stops early, so timing says
 * nothing about which token matched or how close a guess was.
 */
export function createQueryAuth(auth: QueryApiConfig['auth']): QueryAuthenticate {
  const known: Array<{ digest: Buffer; principal: Principal }> = [
    ...auth.tokens.map((t) => ({
      digest: digest(t.token),
      principal: { kind: 'tenant', tenant: t.tenant } as const,
    })),
    ...auth.admin_tokens.map((t) => ({ digest: digest(t), principal: { kind: 'admin' } as const })),
  ];
  return (authorization) => {
    const presented = digest(BEARER.exec(authorization ?? '')?.[1] ?? '');
    let principal: Principal | undefined;
    for (const entry of known) {
      if (timingSafeEqual(presented, entry.digest) && principal === undefined) {
        principal = entry.principal;
      }
    }
    return principal;
  };
}
