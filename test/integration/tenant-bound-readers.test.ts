import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beginReader } from '../../query/reader-transaction.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { createTestLogin, type TestLogin } from '../helpers/logins.js';

// The ledgers (NULL tenant possible) and the rollups ('' for no tenant), the last two kept by
// triggers on the ledgers.
const LEDGERS = ['audit_log', 'llm_usage'] as const;
const ROLLUPS = ['usage_daily', 'usage_daily_models', 'calls_daily'] as const;
const TABLES = [...LEDGERS, ...ROLLUPS] as const;

/** What each table shows: `ledger` in the ledgers, `rollup` in the rollups. */
function expected(ledger: string[], rollup: string[] = ledger): Record<string, string[]> {
  return Object.fromEntries(
    TABLES.map((t) => [t, (LEDGERS as readonly string[]).includes(t) ? ledger : rollup]),
  );
}

/** Distinct tenant ids this session can read in each ledger table. */
async function visibleTenants(client: pg.ClientBase): Promise<Record<string, string[]>> {
  const seen: Record<string, string[]> = {};
  for (const table of TABLES) {
    const { rows } = await client.query<{ tenant_id: string | null }>(
      `SELECT DISTINCT tenant_id FROM spanledger.${table} ORDER BY 1`,
    );
    seen[table] = rows.map((r) => r.tenant_id ?? '<null>');
  }
  return seen;
}

const ONLY_ACME = expected(['acme']);

describe('tenant-bound reader logins', () => {
  let db: TestDatabase;
  let bound: TestLogin;
  let api: TestLogin;
  const logins: TestLogin[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
    for (const [i, tenant] of [
      ['1', 'acme'],
      ['2', 'globex'],
      ['3', null],
    ] as const) {
      await db.pool.query(
        `INSERT INTO spanledger.audit_log (trace_id, span_id, started_at, tenant_id, event_type, status, tool_name)
         VALUES (md5($1), left(md5($1), 16), now(), $2, 'tool_call', 'ok', 'lookup')`,
        [i, tenant],
      );
      await db.pool.query(
        `INSERT INTO spanledger.llm_usage (trace_id, span_id, started_at, tenant_id, usage_source)
         VALUES (md5($1), left(md5($1), 16), now(), $2, 'provider')`,
        [i, tenant],
      );
      await db.pool.query(
        `INSERT INTO spanledger.usage_daily (day, tenant_id, calls) VALUES (current_date, $1, 1)`,
        [tenant ?? ''],
      );
    }
    bound = await createTestLogin(db, 'sl_grafana_acme');
    logins.push(bound);
    await db.pool.query('SELECT spanledger.grant_tenant_reader($1, $2)', [bound.name, 'acme']);
    // The query API's login: a member of both reader roles, bound to nothing.
    api = await createTestLogin(db, 'sl_api', (n) => [
      `GRANT spanledger_reader, spanledger_admin_reader TO ${n}`,
    ]);
    logins.push(api);
  });
  afterAll(async () => {
    await db.drop();
    for (const login of logins) await login.drop();
  });

  it('sees only its own tenant, in every ledger table', async () => {
    const c = await bound.connect();
    expect(await visibleTenants(c)).toEqual(ONLY_ACME);
    const { rows } = await c.query(
      `SELECT count(*)::int AS n FROM spanledger.audit_log WHERE tenant_id = 'globex'`,
    );
    expect(rows[0].n).toBe(0);
  });

  it('cannot widen its view with settings, SET ROLE, RESET ROLE or SET SESSION AUTHORIZATION', async () => {
    const c = await bound.connect();
    await c.query(`SET spanledger.tenant_id = 'globex'`);
    expect(await visibleTenants(c)).toEqual(ONLY_ACME);
    await c.query(`SELECT set_config('spanledger.tenant_id', 'globex', false)`);
    expect(await visibleTenants(c)).toEqual(ONLY_ACME);
    await c.query('BEGIN');
    await c.query(`SELECT set_config('spanledger.tenant_id', 'globex', true)`);
    expect(await visibleTenants(c)).toEqual(ONLY_ACME);
    await c.query('COMMIT');

    for (const role of ['spanledger_reader', 'spanledger_admin_reader', 'spanledger_writer']) {
      await expect(c.query(`SET ROLE ${role}`)).rejects.toThrow(/permission denied to set role/);
    }
    await c.query('SET ROLE spanledger_tenant_reader');
    expect(await visibleTenants(c)).toEqual(ONLY_ACME);
    await c.query('RESET ROLE');
    expect(await visibleTenants(c)).toEqual(ONLY_ACME);
    await expect(c.query('SET SESSION AUTHORIZATION postgres')).rejects.toThrow(
      /permission denied/,
    );
    await expect(c.query(`SET SESSION AUTHORIZATION ${api.name}`)).rejects.toThrow(
      /permission denied/,
    );
    expect(await visibleTenants(c)).toEqual(ONLY_ACME);
  });

  it('cannot read or change the login → tenant mapping, nor call the admin functions', async () => {
    const c = await bound.connect();
    await expect(c.query('SELECT * FROM spanledger.tenant_reader_logins')).rejects.toThrow(
      /permission denied/,
    );
    await expect(
      c.query(`UPDATE spanledger.tenant_reader_logins SET tenant_id = 'globex'`),
    ).rejects.toThrow(/permission denied/);
    await expect(
      c.query(`SELECT spanledger.grant_tenant_reader(current_user, 'globex')`),
    ).rejects.toThrow(/permission denied/);
    await expect(c.query('SELECT spanledger.revoke_tenant_reader(current_user)')).rejects.toThrow(
      /permission denied/,
    );
    expect(await visibleTenants(c)).toEqual(ONLY_ACME);
  });

  it('reads MCP health and server names, never URLs or commands', async () => {
    await db.pool.query(
      `INSERT INTO spanledger.mcp_servers (name, transport, url) VALUES ('docs', 'streamable_http', 'https://user:secret@mcp.example/mcp')`,
    );
    const c = await bound.connect();
    const { rows } = await c.query('SELECT name, transport FROM spanledger.mcp_servers');
    expect(rows).toEqual([{ name: 'docs', transport: 'streamable_http' }]);
    await expect(c.query('SELECT url FROM spanledger.mcp_servers')).rejects.toThrow(
      /permission denied/,
    );
    await c.query('SELECT count(*) FROM spanledger.mcp_health_log');
  });

  it('stays bound when an operator also grants it the other reader roles', async () => {
    const extra = await createTestLogin(db, 'sl_grafana_acme2');
    logins.push(extra);
    await db.pool.query('SELECT spanledger.grant_tenant_reader($1, $2)', [extra.name, 'acme']);
    await db.pool.query(`GRANT spanledger_reader, spanledger_admin_reader TO ${extra.name}`);
    const c = await extra.connect();
    await c.query('SET ROLE spanledger_reader');
    await c.query(`SELECT set_config('spanledger.tenant_id', 'globex', false)`);
    // spanledger_reader's own policy admits globex, the restrictive cap admits acme: nothing.
    expect(await visibleTenants(c)).toEqual(expected([]));
    await c.query('SET ROLE spanledger_admin_reader');
    expect(await visibleTenants(c)).toEqual(ONLY_ACME);
    await c.query('RESET ROLE');
    expect(await visibleTenants(c)).toEqual(ONLY_ACME);
  });

  it("keeps the planner's row estimates for the query API's readers near the truth", async () => {
    // 4,000 rows of one tenant among 8: the cap must not make the planner expect a few hundred
    // (it did, and chose sorts of every matching row over index walks). A database of its own,
    // so these tenants stay out of the other tests' views.
    const other = await createTestDatabase();
    const reader = await createTestLogin(other, 'sl_api_est', (n) => [
      `GRANT spanledger_reader, spanledger_admin_reader TO ${n}`,
    ]);
    try {
      await other.pool.query(
        `INSERT INTO spanledger.audit_log (trace_id, span_id, started_at, tenant_id, event_type, status)
         SELECT md5('est' || i), left(md5('est-s' || i), 16), now() - i * interval '1 minute',
                'est-' || (i % 8), 'llm_call', 'ok'
         FROM generate_series(0, 31999) AS i`,
      );
      await other.pool.query('ANALYZE spanledger.audit_log');
      const c = await reader.connect();
      try {
        await beginReader(
          c as unknown as pg.PoolClient,
          { kind: 'tenant', tenant: 'est-3' },
          { timeoutMs: 0 },
        );
        const { rows } = await c.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(
          'EXPLAIN (FORMAT JSON) SELECT * FROM spanledger.audit_log',
        );
        await c.query('COMMIT');
        expect(rows[0]!['QUERY PLAN'][0].Plan['Plan Rows']).toBeGreaterThan(4_000 * 0.3);
      } finally {
        await c.end().catch(() => {});
      }
    } finally {
      await reader.drop();
      await other.drop();
    }
  });

  it('leaves the query API path as it was: its login picks the tenant per transaction', async () => {
    const c = await api.connect();
    for (const tenant of ['acme', 'globex']) {
      await beginReader(
        c as unknown as pg.PoolClient,
        { kind: 'tenant', tenant },
        { timeoutMs: 0 },
      );
      expect(await visibleTenants(c)).toEqual(expected([tenant]));
      await c.query('COMMIT');
    }
    await beginReader(c as unknown as pg.PoolClient, { kind: 'admin' }, { timeoutMs: 0 });
    expect(await visibleTenants(c)).toEqual(
      expected(['acme', 'globex', '<null>'], ['', 'acme', 'globex']),
    );
    await c.query('COMMIT');
  });

  it('a renamed login keeps no tenant; a revoked one reads nothing', async () => {
    const login = await createTestLogin(db, 'sl_grafana_tmp');
    logins.push(login);
    await db.pool.query('SELECT spanledger.grant_tenant_reader($1, $2)', [login.name, 'globex']);
    const c = await login.connect();
    expect((await visibleTenants(c)).audit_log).toEqual(['globex']);
    await db.pool.query('SELECT spanledger.revoke_tenant_reader($1)', [login.name]);
    await expect(c.query('SELECT count(*) FROM spanledger.audit_log')).rejects.toThrow(
      /permission denied/,
    );
    const rows = await db.pool.query(
      'SELECT * FROM spanledger.tenant_reader_logins WHERE role_name = $1',
      [login.name],
    );
    expect(rows.rowCount).toBe(0);

    // Rename: membership stays, the mapping (by name) does not follow, so nothing is visible.
    await db.pool.query('SELECT spanledger.grant_tenant_reader($1, $2)', [login.name, 'globex']);
    const renamed = `${login.name}_r`;
    await c.end();
    await db.pool.query(`ALTER ROLE ${login.name} RENAME TO ${renamed}`);
    const url = new URL(login.url);
    url.username = renamed;
    const { default: pgModule } = await import('pg');
    const r = new pgModule.Client({ connectionString: url.toString() });
    await r.connect();
    try {
      expect(await visibleTenants(r)).toEqual(expected([]));
    } finally {
      await r.end();
      await db.pool.query(`ALTER ROLE ${renamed} RENAME TO ${login.name}`);
    }
  });

  it('refuses to bind logins that row-level security cannot hold', async () => {
    const writer = await createTestLogin(db, 'sl_writer', (n) => [
      `GRANT spanledger_writer TO ${n}`,
    ]);
    const bypass = await createTestLogin(db, 'sl_bypass', (n) => [`ALTER ROLE ${n} BYPASSRLS`]);
    logins.push(writer, bypass);
    const grant = (login: string, tenant: string) =>
      db.pool.query('SELECT spanledger.grant_tenant_reader($1, $2)', [login, tenant]);
    await expect(grant(writer.name, 'acme')).rejects.toThrow(/can write or owns the ledgers/);
    await expect(grant(bypass.name, 'acme')).rejects.toThrow(/superuser or has BYPASSRLS/);
    await expect(grant('postgres', 'acme')).rejects.toThrow(/superuser or has BYPASSRLS/);
    await expect(grant('spanledger_reader', 'acme')).rejects.toThrow(/spanledger's own roles/);
    await expect(grant('no_such_login_x', 'acme')).rejects.toThrow(/does not exist/);
    await expect(grant(bound.name, '')).rejects.toThrow(/non-empty tenant id/);
  });
});
