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
