import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../../migrations/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

const LOGINS_SQL = readFileSync('deploy/postgres/logins.sql', 'utf8');
const suffix = randomBytes(3).toString('hex');
const names = {
  owner: `sl_owner_${suffix}`,
  collector: `sl_collector_${suffix}`,
  operator: `sl_operator_${suffix}`,
  tenant: `sl_tenant_${suffix}`,
};
const password = (n: string) => `${n}-pw-${suffix}`;

function urlFor(db: TestDatabase, login: string, pass = password(login)) {
  const url = new URL(db.url);
  url.username = login;
  url.password = pass;
  return url.toString();
}

async function asLogin<T>(db: TestDatabase, login: string, work: (c: pg.Client) => Promise<T>) {
  const client = new pg.Client({ connectionString: urlFor(db, login) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** deploy/postgres/logins.sql as the compose stack runs it: PGOPTIONS settings, then the file. */
async function runLoginsSql(db: TestDatabase, settings: Record<string, string>) {
  const options = Object.entries(settings)
    .map(([k, v]) => `-c spanledger_setup.${k}=${v}`)
    .join(' ');
  const client = new pg.Client({ connectionString: urlFor(db, names.owner), options });
  await client.connect();
  try {
    await client.query(LOGINS_SQL);
  } finally {
    await client.end();
  }
}

describe("the compose stack's database setup: migrate as the owner, then logins.sql", () => {
  let db: TestDatabase;
  const settings = {
    collector_login: names.collector,
    collector_password: password(names.collector),
    operator_login: names.operator,
    operator_password: password(names.operator),
    tenant_login: names.tenant,
    tenant_password: password(names.tenant),
    tenant: 'acme',
  };
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    // What postgres/initdb-owner.sh does: a non-superuser owner that may create roles. On a fresh
    // cluster the owner creates spanledger_* itself and so holds ADMIN OPTION on them; here they
    // exist already (other test databases), so hand it that option without membership.
    await db.pool.query(
      `CREATE ROLE ${names.owner} LOGIN CREATEROLE PASSWORD '${password(names.owner)}'`,
    );
    await db.pool.query(`ALTER DATABASE ${db.name} OWNER TO ${names.owner}`);
    for (const role of [
      'spanledger_writer',
      'spanledger_reader',
      'spanledger_admin_reader',
      'spanledger_tenant_reader',
    ]) {
      await db.pool.query(`DO $$ BEGIN
        CREATE ROLE ${role} NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
      await db.pool.query(
        `GRANT ${role} TO ${names.owner} WITH ADMIN OPTION, INHERIT FALSE, SET FALSE`,
      );
    }
    await runMigrations({ database: urlFor(db, names.owner) });
    await runLoginsSql(db, settings);
    await db.pool.query(
      `INSERT INTO spanledger.audit_log (trace_id, span_id, started_at, tenant_id, event_type, status)
       VALUES (md5('a'), left(md5('a'), 16), now(), 'acme', 'llm_call', 'ok'),
              (md5('b'), left(md5('b'), 16), now(), 'globex', 'llm_call', 'ok')`,
    );
  });
  afterAll(async () => {
    await db.drop();
    const admin = new pg.Client({ connectionString: db.url.replace(/\/[^/]+$/, '/postgres') });
    await admin.connect();
    try {
      for (const login of [names.collector, names.operator, names.tenant, names.owner]) {
        await admin.query(`DROP ROLE IF EXISTS ${login}`);
      }
    } finally {
      await admin.end();
    }
  });

  it("the collectors' login appends through the writer's functions and reads the migrations table, nothing else", async () => {
    await asLogin(db, names.collector, async (c) => {
      await c.query('SELECT spanledger.open_stage()');
      await c.query('BEGIN');
      await c.query(
        `INSERT INTO pg_temp.spanledger_stage (trace_id, span_id, started_at, tenant_id, event_type, status, usage_source, attributes, flags, billable)
         VALUES (md5('c'), left(md5('c'), 16), now(), 'acme', 'llm_call', 'ok', 'none', '{}', '{}', false)`,
      );
      const merged = await c.query("SELECT inserted FROM spanledger.merge_stage('compose/0')");
      await c.query('COMMIT');
      expect(merged.rows[0].inserted).toBe(1);
      await expect(
        c.query(
          `INSERT INTO spanledger.audit_log (trace_id, span_id, started_at, tenant_id, event_type, status)
           VALUES (md5('d'), left(md5('d'), 16), now(), 'acme', 'llm_call', 'ok')`,
        ),
      ).rejects.toThrow(/permission denied/);
      const { rows } = await c.query('SELECT count(*)::int AS n FROM spanledger.schema_migrations');
      expect(rows[0].n).toBeGreaterThanOrEqual(3);
      await expect(c.query('DELETE FROM spanledger.audit_log')).rejects.toThrow(
        /permission denied|append-only/,
      );
      await expect(c.query('SELECT * FROM spanledger.tenant_reader_logins')).rejects.toThrow(
        /permission denied/,
      );
      await expect(c.query('SET ROLE spanledger_admin_reader')).rejects.toThrow(
        /permission denied/,
      );
    });
  });

  it("the operators' Grafana login reads every tenant; the tenant's login only its own", async () => {
    const tenants = (c: pg.Client) =>
      c
        .query('SELECT DISTINCT tenant_id FROM spanledger.audit_log ORDER BY 1')
        .then((r) => r.rows.map((x) => x.tenant_id));
    expect(await asLogin(db, names.operator, tenants)).toEqual(['acme', 'globex']);
    expect(
      await asLogin(db, names.tenant, async (c) => {
        await c.query(`SET spanledger.tenant_id = 'globex'`);
        return tenants(c);
      }),
    ).toEqual(['acme']);
  });

  it('runs again without harm, and refuses a short password', async () => {
    await runLoginsSql(db, settings);
    expect(
      await asLogin(db, names.tenant, (c) => c.query('SELECT 1 AS ok').then((r) => r.rows[0].ok)),
    ).toBe(1);
    await expect(runLoginsSql(db, { ...settings, operator_password: 'short' })).rejects.toThrow(
      `the password for login "${names.operator}" must be at least 12 characters`,
    );
  });
});
