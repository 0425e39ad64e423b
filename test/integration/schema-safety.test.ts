import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const INSERT_AUDIT = `INSERT INTO spanledger.audit_log
  (trace_id, span_id, started_at, tenant_id, event_type, status)
  VALUES ($1, $2, $3, $4, 'llm_call', 'ok')`;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** Runs `fn` in a transaction as `role`, always rolled back. */
async function asRole<T>(
  pool: pg.Pool,
  role: string,
  fn: (c: pg.PoolClient) => Promise<T>,
  tenant?: string,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL ROLE ${role}`);
    if (tenant !== undefined) {
      await client.query(`SELECT set_config('spanledger.tenant_id', $1, true)`, [tenant]);
    }
    return await fn(client);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

describe('schema safety', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    const now = new Date().toISOString();
    await db.pool.query(INSERT_AUDIT, [hex(1, 32), hex(1, 16), now, 'tenant-a']);
    await db.pool.query(INSERT_AUDIT, [hex(2, 32), hex(2, 16), now, 'tenant-b']);
    await db.pool.query(INSERT_AUDIT, [hex(3, 32), hex(3, 16), now, null]);
  });
  afterAll(async () => db.drop());

  it('the writer cannot insert audit rows itself: it appends only through merge_stage()', async () => {
    await expect(
      asRole(db.pool, 'spanledger_writer', (c) =>
        c.query(INSERT_AUDIT, [hex(9, 32), hex(9, 16), new Date().toISOString(), 'tenant-a']),
      ),
    ).rejects.toThrow(/permission denied/);
  });

  for (const statement of [
    "UPDATE spanledger.audit_log SET tenant_id = 'x'",
    'DELETE FROM spanledger.audit_log',
    'TRUNCATE spanledger.audit_log',
    "UPDATE spanledger.llm_usage SET model = 'x'",
    'TRUNCATE spanledger.llm_usage',
  ]) {
    it(`the writer cannot: ${statement}`, async () => {
      await expect(asRole(db.pool, 'spanledger_writer', (c) => c.query(statement))).rejects.toThrow(
        /permission denied/,
      );
    });
  }

  for (const statement of [
    "UPDATE spanledger.audit_log SET tenant_id = 'x'",
    'DELETE FROM spanledger.audit_log',
    'TRUNCATE spanledger.audit_log',
    'TRUNCATE spanledger.audit_log_default',
    'TRUNCATE spanledger.llm_usage',
  ]) {
    it(`the owner cannot either (triggers): ${statement}`, async () => {
      await expect(db.pool.query(statement)).rejects.toThrow(/append-only/);
    });
  }

  it('the owner cannot truncate a monthly partition', async () => {
    const { rows } = await db.pool.query<{ relname: string }>(
      `SELECT relname FROM pg_class WHERE relname ~ '^audit_log_y[0-9]{4}m[0-9]{2}$' LIMIT 1`,
    );
    expect(rows).toHaveLength(1);
    await expect(db.pool.query(`TRUNCATE spanledger.${rows[0]!.relname}`)).rejects.toThrow(
      /append-only/,
    );
  });

  it('a reader with tenant A sees only tenant A rows', async () => {
    const rows = await asRole(
      db.pool,
      'spanledger_reader',
      async (c) =>
        (await c.query<{ tenant_id: string }>('SELECT tenant_id FROM spanledger.audit_log')).rows,
      'tenant-a',
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.tenant_id === 'tenant-a')).toBe(true);
  });

  it('a reader with no tenant set sees nothing', async () => {
    const rows = await asRole(
      db.pool,
      'spanledger_reader',
      async (c) => (await c.query('SELECT * FROM spanledger.audit_log')).rows,
    );
    expect(rows).toEqual([]);
  });

  it('a reader cannot insert', async () => {
    await expect(
      asRole(db.pool, 'spanledger_reader', (c) =>
        c.query(INSERT_AUDIT, [hex(7, 32), hex(7, 16), new Date().toISOString(), 'tenant-a']),
      ),
    ).rejects.toThrow(/permission denied/);
  });

  it('rows far in the past or future land in the default partition', async () => {
    await db.pool.query(INSERT_AUDIT, [hex(4, 32), hex(4, 16), '1999-01-01T00:00:00Z', 'tenant-a']);
    await db.pool.query(INSERT_AUDIT, [hex(5, 32), hex(5, 16), '2199-06-01T00:00:00Z', 'tenant-a']);
    const { rows } = await db.pool.query<{ span_id: string; part: string }>(
      `SELECT span_id, tableoid::regclass::text AS part FROM spanledger.audit_log
       WHERE span_id = ANY($1) ORDER BY span_id`,
      [[hex(4, 16), hex(5, 16)]],
    );
    expect(rows.map((r) => r.part)).toEqual([
      'spanledger.audit_log_default',
      'spanledger.audit_log_default',
    ]);
  });

  it('a current row lands in its monthly partition', async () => {
    const { rows } = await db.pool.query<{ part: string }>(
      `SELECT tableoid::regclass::text AS part FROM spanledger.audit_log WHERE span_id = $1`,
      [hex(1, 16)],
    );
    expect(rows[0]?.part).toMatch(/^spanledger\.audit_log_y\d{4}m\d{2}$/);
  });

  it('ensure_partitions is idempotent and safe to call concurrently', async () => {
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        db.pool.query('SELECT spanledger.ensure_partitions(2, 6) AS n'),
      ),
    );
    const created = results.map((r) => Number(r.rows[0].n));
    // 12 months window minus the 5 created by the migration, for two tables, created once in total.
    expect(created.reduce((a, b) => a + b, 0)).toBe(created.find((n) => n > 0) ?? 0);
    const again = await db.pool.query('SELECT spanledger.ensure_partitions(2, 6) AS n');
    expect(Number(again.rows[0].n)).toBe(0);
  });
});
