import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../../shared/database/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { type RunningServer, startStreamableServer } from '../../helpers/mcp-probe-servers.js';
import { makeWorkDir, spawnCli, writeConfig } from '../../helpers/spawn-cli.js';

describe('spanledger probe --once (the real process)', () => {
  let db: TestDatabase;
  let server: RunningServer;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startStreamableServer();
    dir = await makeWorkDir();
  });
  afterAll(async () => {
    await server.close();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('probes each configured server once, writes the rows, prints them and exits', async () => {
    const refused = `http://127.0.0.1:${await findFreePort()}/mcp`;
    const config = await writeConfig(
      dir,
      `exporters:
  postgres:
    spool:
      dir: ${join(dir, 'spool')}
extensions:
  mcp_health:
    allow_private_targets: true
    servers:
      - name: docs-search
        transport: streamable_http
        url: ${server.url}
        headers:
          Authorization: Bearer do-not-store-this-token
      - name: down
        transport: streamable_http
        url: ${refused}
`,
    );
    const proc = spawnCli(['probe', '--once', '--config', config], { DATABASE_URL: db.url });
    const { code } = await proc.exit();
    expect(code).toBe(2); // one server is not healthy
    expect(proc.output()).toMatch(/docs-search\s+healthy/);
    expect(proc.output()).toMatch(/down\s+unhealthy\s+\d+ ms\s+.*connection refused/);
    const { rows } = await db.pool.query(
      `SELECT s.name, h.status, h.event_type FROM spanledger.mcp_health_log h
       JOIN spanledger.mcp_servers s ON s.id = h.mcp_server_id ORDER BY s.name`,
    );
    expect(rows).toEqual([
      { name: 'docs-search', status: 'healthy', event_type: 'health_check' },
      { name: 'down', status: 'unhealthy', event_type: 'health_check' },
    ]);
    // Header values are secrets: only their names are stored.
    const { rows: servers } = await db.pool.query(
      `SELECT config::text AS c FROM spanledger.mcp_servers`,
    );
    expect(servers.map((r) => r.c).join(' ')).not.toContain('do-not-store-this-token');
    expect(servers.map((r) => r.c).join(' ')).toContain('Authorization');
  });

  it('rejects a bad server entry naming the field', async () => {
    const config = await writeConfig(
      dir,
      'extensions:\n  mcp_health:\n    servers:\n      - name: x\n        transport: stdio\n        schedule: "every minute"\n',
    );
    const proc = spawnCli(['probe', '--once', '--config', config], { DATABASE_URL: db.url });
    const { code } = await proc.exit();
    expect(code).toBe(78);
    expect(proc.output()).toContain(
      'extensions.mcp_health.servers.0.schedule must be a cron expression',
    );
    expect(proc.output()).toContain(
      'extensions.mcp_health.servers.0.command is required for transport stdio',
    );
  });
});
