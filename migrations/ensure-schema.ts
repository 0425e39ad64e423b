import type { Pool } from 'pg';
import { type MigrationLogger, runMigrations } from './migrate.js';
import {
  canMigrate,
  ensurePartitions,
  PendingMigrationsError,
  pendingMigrations,
} from './status.js';

/**
 * What every process that writes needs before it starts: the schema current and this month's
 * partitions in place. Pending migrations are applied when this login may (the owner, or the
 * embedded default's single login); a least-privilege login gets PendingMigrationsError naming
 * "spanledger migrate" instead.
 */
export async function ensureSchema(
  pool: Pool,
  databaseUrl: string,
  logger?: MigrationLogger,
): Promise<void> {
  const pending = await pendingMigrations(pool);
  if (pending.length > 0) {
    if (!(await canMigrate(pool))) throw new PendingMigrationsError(pending);
    await runMigrations({ database: databaseUrl, ...(logger ? { logger } : {}) });
  }
  await ensurePartitions(pool);
}
