/** Who a request acts for: one tenant, or (admin token) every tenant. */
export type Principal = { kind: 'tenant'; tenant: string } | { kind: 'admin' };

/** The Postgres role a principal's queries run as; row-level security does the rest. */
export function readerRole(principal: Principal): string {
  return principal.kind === 'admin' ? 'spanledger_admin_reader' : 'spanledger_reader';
}
