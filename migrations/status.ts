import { readdir } from 'node:fs/promises';
import type { Pool } from 'pg';
import { migrationsDir, SCHEMA } from './migrate.js';

/** Names of migration files that have not been applied to the database behind `pool`. */
export async function pendingMigrations(pool: Pool): Promise<string[]> {
  const files = (await readdir(migrationsDir()))
    .filter((f) => f.endsWith('.sql'))
    .map((f) => f.replace(/\.sql$/, ''))
    .sort();
  const exists = await pool.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [
    `${SCHEMA}.schema_migrations`,
  ]);
  if (!exists.rows[0]?.t) return files;
  const { rows } = await pool.query<{ name: string }>(
    `SELECT name FROM ${SCHEMA}.schema_migrations`,
  );
  const done = new Set(rows.map((r) => r.name));
  return files.filter((f) => !done.has(f));
}

/** Creates the monthly partitions around now (idempotent, safe to call concurrently). */
export async function ensurePartitions(
  pool: Pool,
  monthsBack = 1,
  monthsAhead = 3,
): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT ${SCHEMA}.ensure_partitions($1, $2) AS n`,
    [monthsBack, monthsAhead],
  );
  return rows[0]?.n ?? 0;
}

/**
 * Whether the login behind `pool` may apply migrations: a superuser, a member of the role that
 * owns schema spanledger, or (no schema yet) a role that may create schemas in the database.
 * The runtime login of a least-privilege deployment may not; `spanledger migrate` runs as the
 * owner.
 */
export async function canMigrate(pool: Pool): Promise<boolean> {
  const { rows } = await pool.query<{ ok: boolean }>(
    `SELECT coalesce(
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
       OR (SELECT pg_has_role(current_user, nspowner, 'USAGE') FROM pg_namespace WHERE nspname = $1),
       has_database_privilege(current_database(), 'CREATE')) AS ok`,
    [SCHEMA],
  );
  return rows[0]?.ok === true;
}

/** Migrations are pending and this login cannot apply them; the message says who can. */
export class PendingMigrationsError extends Error {
  override name = 'PendingMigrationsError';
  constructor(readonly pending: readonly string[]) {
    super(
      `${pending.length} migration(s) pending (${pending.join(', ')}) and this login is not the schema owner: run "spanledger migrate --database-url <owner's URL>"; until then spans are spooled, and the collector becomes ready once the migrations are applied`,
    );
  }
}
