import type { Pool, PoolClient } from 'pg';
import { withHeldClient } from '../shared/database/index.js';
import { type Principal, readerRole } from './principal.js';

export interface ReaderOptions {
  /** statement_timeout in ms for this transaction; 0 for none (exports). */
  timeoutMs: number;
}

/**
 * Opens a read-only transaction as the principal's reader role on a pooled connection: SET
 * LOCAL ROLE (the login role must be a member, or a superuser), the tenant in
 * spanledger.tenant_id for row-level security, UTC for every timestamp the queries format.
 * Everything is transaction-local, so nothing outlives it on the pooled connection.
 */
export async function beginReader(
  client: PoolClient,
  principal: Principal,
  options: ReaderOptions,
) {
  // One round trip for the fixed part; the role and timeout are ours, not the client's.
  await client.query(
    `BEGIN READ ONLY; SET LOCAL ROLE ${readerRole(principal)}; SET LOCAL TimeZone = 'UTC'; SET LOCAL statement_timeout = ${Math.trunc(options.timeoutMs)}`,
  );
  if (principal.kind === 'tenant') {
    await client.query(`SELECT set_config('spanledger.tenant_id', $1, true)`, [principal.tenant]);
  }
}

/**
 * Runs `work` in a reader transaction and commits. A failed query is rolled back and the
 * connection reused; a connection that broke (or cannot even roll back) is destroyed, and its
 * loss surfaces as ConnectionLostError (answered 503).
 */
export function withReader<T>(
  pool: Pool,
  principal: Principal,
  options: ReaderOptions,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  return withHeldClient(pool, async (client, held) => {
    try {
      await beginReader(client, principal, options);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client
        .query('ROLLBACK')
        .catch((rollbackError: Error) => held.markBroken(rollbackError));
      throw err;
    }
  });
}
