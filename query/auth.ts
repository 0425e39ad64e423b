import { createBearerLookup } from '../shared/index.js';
import type { QueryApiConfig } from './config.js';
import type { Principal } from './principal.js';

/** Resolves an Authorization header to the principal its token stands for, or undefined. */
export type QueryAuthenticate = (authorization: string | undefined) => Principal | undefined;

/** Bearer tokens → principals: tenant tokens read one tenant, admin tokens every tenant. */
export function createQueryAuth(auth: QueryApiConfig['auth']): QueryAuthenticate {
  return createBearerLookup<Principal>([
    ...auth.tokens.map((t) => ({
      token: t.token,
      value: { kind: 'tenant', tenant: t.tenant } as const,
    })),
    ...auth.admin_tokens.map((token) => ({ token, value: { kind: 'admin' } as const })),
  ]);
}
