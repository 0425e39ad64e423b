import { createBearerLookup } from '../../shared/index.js';

/** A configured bearer token and the tenant whose rows it may write. */
export interface TokenGrant {
  token: string;
  tenant: string;
}

/** Resolves an Authorization header to the token's tenant, or undefined when not authorised. */
export type Authenticate = (authorization: string | undefined) => string | undefined;

/** The receiver's check: each token writes as its tenant (constant-time, see bearer-token.ts). */
export function createBearerAuth(grants: readonly TokenGrant[]): Authenticate {
  return createBearerLookup(grants.map((g) => ({ token: g.token, value: g.tenant })));
}
