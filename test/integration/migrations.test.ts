import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../migrations/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

async function objectCounts(pool: pg.Pool) {
  const { rows } = await pool.query<{ kind: string; n: string }>(`
    SELECT 'relations' AS kind, count(*)::text AS n FROM pg_class c
      JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE ns.nspname = 'spanledger'
    UNION ALL SELECT 'triggers', count(*)::text FROM pg_trigger t
      JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace ns ON ns.oid = c.relnamespace
      WHERE ns.nspname = 'spanledger' AND NOT t.tgisinternal
    UNION ALL SELECT 'policies', count(*)::text FROM pg_policies WHERE schemaname = 'spanledger'
    UNION ALL SELECT 'functions', count(*)::text FROM pg_proc p
      JOIN pg_namespace ns ON ns.oid = p.pronamespace WHERE ns.nspname = 'spanledger'
    UNION ALL SELECT 'migrations', count(*)::text FROM spanledger.schema_migrations`);
  return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
}

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => db.drop());

  it('apply on an empty database and create every contract table', async () => {
    const { applied } = await runMigrations({ database: db.url });
    expect(applied.length).toBeGreaterThan(0);
    const { rows } = await db.pool.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'spanledger' AND c.relkind IN ('r', 'p') ORDER BY 1`,
    );
    const names = rows.map((r) => r.relname);
    for (const table of [
      'audit_log',
      'llm_usage',
      'usage_daily',
      'mcp_servers',
      'mcp_health_log',
      'dead_letter',
    ]) {
      expect(names).toContain(table);
    }
    expect(names).toContain('audit_log_default');
    expect(names).toContain('llm_usage_default');
    expect(names.some((n) => /^audit_log_y\d{4}m\d{2}$/.test(n))).toBe(true);
  });

  it('is a no-op the second time', async () => {
    const before = await objectCounts(db.pool);
    const { applied } = await runMigrations({ database: db.url });
    expect(applied).toEqual([]);
    expect(await objectCounts(db.pool)).toEqual(before);
  });
});

describe('concurrent migrators', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => db.drop());

  it('five at once against an empty database all succeed with one set of objects', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () => runMigrations({ database: db.url })),
    );
    const appliedCounts = results.map((r) => r.applied.length);
    // Exactly one migrator applied the migrations; the others waited and found nothing to do.
    expect(appliedCounts.filter((n) => n > 0)).toHaveLength(1);
    const counts = await objectCounts(db.pool);

    const reference = await createTestDatabase();
    try {
      expect(counts).toEqual(await objectCounts(reference.pool));
    } finally {
      await reference.drop();
    }
    const { rows } = await db.pool.query(
      `SELECT name, count(*) FROM spanledger.schema_migrations GROUP BY name HAVING count(*) > 1`,
    );
    expect(rows).toEqual([]);
  });
});
