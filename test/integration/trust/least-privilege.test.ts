import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../../shared/database/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { checkLedger, startLoad } from '../../helpers/fault-harness.js';
import { makeWorkDir, spawnCli, writeConfig } from '../../helpers/spawn-cli.js';
import { waitUntil } from '../../helpers/wait.js';

/** A login that is only a member of the writer and reader roles, as deploy/ gives the collector. */
async function createRuntimeLogin(db: TestDatabase) {
  const name = `sl_runtime_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  await db.pool.query(`CREATE ROLE ${name} LOGIN PASSWORD '${password}'`);
  await db.pool.query(`GRANT spanledger_writer TO ${name}`);
  // The readers only to SET ROLE to, per request (the query API): not inherited, so the login
  // itself reads nothing.
  await db.pool.query(
    `GRANT spanledger_reader, spanledger_admin_reader TO ${name} WITH INHERIT FALSE`,
  );
  const url = new URL(db.url);
  url.username = name;
  url.password = password;
  return {
    name,
    url: url.toString(),
    async drop() {
      await db.pool.query(`DROP OWNED BY ${name}; DROP ROLE ${name}`).catch(() => {});
    },
  };
}

async function asLogin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const collectorYaml = (dir: string, port: number, extra = '') =>
  `receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:${port}\nexporters:\n  postgres:\n    spool:\n      dir: ${join(dir, 'spool')}\nextensions:\n  mcp_health:\n    servers: []\n  console:\n    enabled: false\n${extra}`;

describe('the runtime owns nothing', () => {
  let db: TestDatabase;
  let login: Awaited<ReturnType<typeof createRuntimeLogin>>;
  beforeAll(async () => {
    db = await createTestDatabase(); // migrated by the superuser: the schema owner
    login = await createRuntimeLogin(db);
  });
  afterAll(async () => {
    await login.drop();
    await db.drop();
  });

  it('the collector starts and stores spans with a login that is only writer and reader', async () => {
    const dir = await makeWorkDir();
    const port = await findFreePort();
    try {
      const queryApi = `  query_api:\n    enabled: true\n    endpoint: 127.0.0.1:${await findFreePort()}\n    auth:\n      admin_tokens: ["admin-token-0123456789abcdef"]\n`;
      const config = await writeConfig(dir, collectorYaml(dir, port, queryApi));
      const proc = spawnCli(['start', '--config', config], { DATABASE_URL: login.url });
      await proc.waitFor(/collector ready[\s\S]*database .*\n/);
      expect(proc.output()).not.toMatch(/NOT READY/);
      const url = `http://127.0.0.1:${port}`;
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      const load = startLoad(url, 2, 10, 20);
      await new Promise((r) => setTimeout(r, 1_000));
      const report = await load.stop();
      proc.child.kill('SIGTERM');
      expect((await proc.exit()).code).toBe(0);
      const ledger = await checkLedger(db.url, report.acknowledged);
      expect(ledger.acknowledged).toBeGreaterThan(0);
      expect(ledger).toMatchObject({ missing: 0, duplicates: 0, rollupDrift: 0 });
      const { rows } = await db.pool.query(
        'SELECT count(*)::int AS n FROM spanledger.ledger_batches',
      );
      expect(rows[0].n).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  const refused = [
    "INSERT INTO spanledger.audit_log (trace_id, span_id, started_at, event_type, status) VALUES (repeat('a', 32), repeat('b', 16), now(), 'llm_call', 'ok')",
    'SELECT * FROM spanledger.audit_log LIMIT 1',
    'SELECT * FROM spanledger.llm_usage LIMIT 1',
    'SELECT * FROM spanledger.dead_letter LIMIT 1',
    "UPDATE spanledger.usage_daily SET calls = 0 WHERE tenant_id = 'tenant-a'",
    "INSERT INTO spanledger.mcp_servers (name, transport, url) VALUES ('x', 'sse', 'http://x')",
    'UPDATE spanledger.mcp_servers SET enabled = false',
    'DELETE FROM spanledger.mcp_probe_claims',
    'ALTER TABLE spanledger.audit_log DISABLE TRIGGER audit_log_immutable',
    "CREATE OR REPLACE FUNCTION spanledger.reject_mutation() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END'",
    'DROP TABLE spanledger.audit_log_default',
    'ALTER TABLE spanledger.audit_log DETACH PARTITION spanledger.audit_log_default',
    'UPDATE spanledger.ledger_heads SET seq = 0',
    'DELETE FROM spanledger.ledger_batches',
  ];
  for (const statement of refused) {
    it(`the runtime login cannot: ${statement.slice(0, 70)}`, async () => {
      await expect(asLogin(login.url, (c) => c.query(statement))).rejects.toThrow(
        /permission denied|must be owner/,
      );
    });
  }

  it("a staging table of the caller's own making is refused by open_stage", async () => {
    await asLogin(login.url, async (c) => {
      await c.query('CREATE TEMP TABLE spanledger_stage (trace_id text)');
      await expect(c.query('SELECT spanledger.open_stage()')).rejects.toThrow(
        /was not created by spanledger/,
      );
    });
  });

  it('pending migrations: a non-owner login starts not ready, names "spanledger migrate", and becomes ready once applied', async () => {
    const { rows } = await db.pool.query<{ name: string; run_on: Date }>(
      'DELETE FROM spanledger.schema_migrations WHERE name = (SELECT max(name) FROM spanledger.schema_migrations) RETURNING name, run_on',
    );
    const removed = rows[0]!;
    const dir = await makeWorkDir();
    const port = await findFreePort();
    try {
      const config = await writeConfig(dir, collectorYaml(dir, port));
      const proc = spawnCli(['start', '--config', config], { DATABASE_URL: login.url });
      await proc.waitFor(/collector ready[\s\S]*database .*\n/);
      expect(proc.output()).toContain(`migration(s) pending (${removed.name})`);
      expect(proc.output()).toContain('spanledger migrate --database-url');
      const url = `http://127.0.0.1:${port}`;
      expect((await fetch(`${url}/readyz`)).status).toBe(503);
      // The owner applies it (here: puts the record back, the schema being current).
      await db.pool.query(
        'INSERT INTO spanledger.schema_migrations (name, run_on) VALUES ($1, $2)',
        [removed.name, removed.run_on],
      );
      await waitUntil(async () => (await fetch(`${url}/readyz`)).status === 200, 'ready', 60_000);
      proc.child.kill('SIGTERM');
      expect((await proc.exit()).code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('no command from the database', () => {
  let db: TestDatabase;
  let login: Awaited<ReturnType<typeof createRuntimeLogin>>;
  beforeAll(async () => {
    db = await createTestDatabase();
    login = await createRuntimeLogin(db);
  });
  afterAll(async () => {
    await login.drop();
    await db.drop();
  });

  it('a writer login cannot plant a stdio command, and probe --once spawns nothing', async () => {
    const dir = await makeWorkDir();
    const marker = join(dir, 'pwned');
    try {
      // The attack of the finding, as the writer: refused outright.
      await expect(
        asLogin(login.url, (c) =>
          c.query(
            `INSERT INTO spanledger.mcp_servers (name, transport, command) VALUES ('evil', 'stdio', ARRAY['/bin/sh', '-c', 'id > ${marker}'])`,
          ),
        ),
      ).rejects.toThrow(/permission denied/);
      // Through its door, a command is not even a field: it is dropped.
      await asLogin(login.url, (c) =>
        c.query('SELECT spanledger.register_mcp_servers($1::jsonb)', [
          JSON.stringify([
            {
              name: 'evil',
              transport: 'stdio',
              url: null,
              enabled: true,
              config: {},
              command: ['/bin/sh', '-c', `id > ${marker}`],
            },
          ]),
        ]),
      );
      const { rows } = await db.pool.query(
        "SELECT command FROM spanledger.mcp_servers WHERE name = 'evil'",
      );
      expect(rows).toEqual([{ command: null }]);
      // And not even the owner can store a command any more.
      await expect(
        db.pool.query(
          `UPDATE spanledger.mcp_servers SET command = ARRAY['/bin/sh', '-c', 'id > ${marker}'] WHERE name = 'evil'`,
        ),
      ).rejects.toThrow(/mcp_servers_target_check/);
      // A stdio server an operator added by hand: it has no command to run, so it is skipped.
      await db.pool.query(
        "INSERT INTO spanledger.mcp_servers (name, transport) VALUES ('hand-added', 'stdio')",
      );
      const config = await writeConfig(
        dir,
        'extensions:\n  mcp_health:\n    allow_private_targets: true\n    servers: []\n',
      );
      const probe = spawnCli(['probe', '--once', '--config', config], { DATABASE_URL: login.url });
      await probe.exit();
      expect(probe.output()).toContain('hand-added not probed');
      expect(existsSync(marker)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
