import { createHash, timingSafeEqual } from 'node:crypto';

/** A configured bearer token and the tenant whose rows it may write. */
export interface TokenGrant {
  token: string;
  tenant: string;
}

/** Resolves an Authorization header to the token's tenant, or undefined when not authorised. */
export type Authenticate = (authorization: string | undefined) => string | undefined;

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Checks `Authorization: Bearer <token>` against every configured token in constant time:
 * digests make the lengths equal for timingSafeEqual, and the loop never stops early, so the
 * response time says nothing about how close a guess was or which token matched.
 */
export function createBearerAuth(grants: readonly TokenGrant[]): Authenticate {
  const known = grants.map((g) => ({ digest: digest(g.token), tenant: g.tenant }));
  return (authorization) => {
    const presented = digest(BEARER.exec(authorization ?? '')?.[1] ?? '');
    let tenant: string | undefined;
    for (const grant of known) {
      if (timingSafeEqual(presented, grant.digest) && tenant === undefined) tenant = grant.tenant;
    }
    return tenant;
  };
}
