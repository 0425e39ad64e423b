import { execFileSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../shared/database/index.js';
import { createTestDatabase } from '../helpers/database.js';
import { makeWorkDir, spawnCli, writeConfig } from '../helpers/spawn-cli.js';

function configYaml(dir: string, otlpPort: number, pgPort: number, extra = '') {
  return `receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${otlpPort}
exporters:
  postgres:
    url: \${env:TEST_PG_URL:-}
    spool:
      dir: ${join(dir, 'spool')}
    embedded:
      data_dir: ${join(dir, 'pg')}
      port: ${pgPort}
extensions:
  query_api:
    endpoint: 127.0.0.1:0
${extra}`;
}

function postgresProcessesFor(dataDir: string): number {
  const out = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes('postgres') && l.includes(dataDir)).length;
}

describe('spanledger start (the real process on embedded Postgres)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeWorkDir();
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('boots, answers /healthz and /readyz, and stops cleanly on SIGTERM; a second start reuses the data', async () => {
    const otlpPort = await findFreePort();
    const pgPort = await findFreePort();
    const config = await writeConfig(dir, configYaml(dir, otlpPort, pgPort));

    const first = spawnCli(['start', '--config', config]);
    await first.waitFor(/database\s+postgres:\S+ /);
    expect(first.output()).toContain(`http://127.0.0.1:${otlpPort}/v1/traces`);
    expect(first.output()).toMatch(/postgres:\/\/postgres:\*\*\*\*@127\.0\.0\.1:\d+\/postgres/);
    const health = await fetch(`http://127.0.0.1:${otlpPort}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`http://127.0.0.1:${otlpPort}/readyz`);
    expect(ready.status).toBe(200);
    // The console is on by default, open on loopback without tokens, on the query API's port.
    const consoleUrl = /console\s+(http:\/\/127\.0\.0\.1:\d+\/) {2}\(open to this machine/.exec(
      first.output(),
    )![1]!;
    const overview = await fetch(consoleUrl);
    expect(overview.status).toBe(200);
    expect(await overview.text()).toContain('<h1>Overview</h1>');

    // Leave a marker row to prove the second start sees the same data.
    const url = /database\s+(postgres:\/\/\S+)/.exec(first.output())![1]!;
    const port = new URL(url).port;
    const password = (await readFile(join(dir, 'pg', 'spanledger-password'), 'utf8')).trim();
    const client = new pg.Client({
      host: '127.0.0.1',
      port: Number(port),
      user: 'postgres',
      password,
      database: 'postgres',
    });
    await client.connect();
    await client.query(
      `INSERT INTO spanledger.mcp_servers (name, transport, url) VALUES ('marker', 'streamable_http', 'http://127.0.0.1:1/mcp')`,
    );
    await client.end();

    first.child.kill('SIGTERM');
    const { code } = await first.exit();
    expect(code).toBe(0);
    expect(first.output()).toContain('spanledger: stopped');
    expect(postgresProcessesFor(join(dir, 'pg'))).toBe(0);

    const second = spawnCli(['start', '--config', config]);
    await second.waitFor(/database\s+postgres:\S+ /);
    const url2 = /database\s+(postgres:\/\/\S+)/.exec(second.output())![1]!;
    const client2 = new pg.Client({
      host: '127.0.0.1',
      port: Number(new URL(url2).port),
      user: 'postgres',
      password,
      database: 'postgres',
    });
    await client2.connect();
    const { rows } = await client2.query(
      `SELECT name FROM spanledger.mcp_servers WHERE name = 'marker'`,
    );
    await client2.end();
    expect(rows).toHaveLength(1);
    second.child.kill('SIGINT');
    expect((await second.exit()).code).toBe(0);
  });

  it('uses DATABASE_URL when set and starts no embedded Postgres', async () => {
    const db = await createTestDatabase({ migrate: false });
    try {
      const sub = await makeWorkDir();
      const config = await writeConfig(
        sub,
        configYaml(sub, await findFreePort(), await findFreePort()),
      );
      const proc = spawnCli(['start', '--config', config], { DATABASE_URL: db.url });
      await proc.waitFor(/database\s+postgres:\S+ /);
      expect(proc.output()).toContain(`/${db.name}`);
      expect(proc.output()).not.toContain('embedded Postgres');
      // It migrated the external database.
      const { rows } = await db.pool.query(`SELECT to_regclass('spanledger.audit_log') AS t`);
      expect(rows[0].t).toBe('spanledger.audit_log');
      proc.child.kill('SIGTERM');
      expect((await proc.exit()).code).toBe(0);
      await rm(sub, { recursive: true, force: true });
    } finally {
      await db.drop();
    }
  });
});

describe('spanledger start refuses bad input with a clear message and a non-zero exit', () => {
  it('an occupied OTLP port', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const dir = await makeWorkDir();
    try {
      const config = await writeConfig(dir, configYaml(dir, port, await findFreePort()));
      const proc = spawnCli(['start', '--config', config]);
      const { code } = await proc.exit();
      expect(code).not.toBe(0);
      expect(proc.output()).toContain(`127.0.0.1:${port} is already in use`);
    } finally {
      blocker.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an invalid otel-config.yaml names the field, the value and the expectation', async () => {
    const dir = await makeWorkDir();
    try {
      const config = await writeConfig(dir, 'exporters:\n  postgres:\n    batch_size: fast\n');
      const proc = spawnCli(['start', '--config', config]);
      const { code } = await proc.exit();
      expect(code).toBe(78);
      expect(proc.output()).toContain(
        'exporters.postgres.batch_size must be an integer between 1 and 100000 (got "fast")',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a DATABASE_URL that is not a PostgreSQL URL (exit 78, the value never echoed)', async () => {
    const dir = await makeWorkDir();
    try {
      const config = await writeConfig(
        dir,
        configYaml(dir, await findFreePort(), await findFreePort()),
      );
      for (const [url, expected] of [
        ['not a url', 'DATABASE_URL is not a URL'],
        [
          'mysql://someone:secret-pw@db:3306/app',
          'DATABASE_URL is a mysql:// URL, not a PostgreSQL one',
        ],
      ] as const) {
        const proc = spawnCli(['start', '--config', config], { DATABASE_URL: url });
        const { code } = await proc.exit();
        expect(code).toBe(78);
        expect(proc.output()).toContain(expected);
        expect(proc.output()).toContain('postgres://user:password@host:5432/database');
        expect(proc.output()).not.toContain('secret-pw');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an unreachable DATABASE_URL: starts anyway, not ready, the password never printed', async () => {
    const dir = await makeWorkDir();
    const deadPort = await findFreePort();
    const port = await findFreePort();
    try {
      const config = await writeConfig(dir, configYaml(dir, port, await findFreePort()));
      const proc = spawnCli(['start', '--config', config], {
        DATABASE_URL: `postgres://someone:secret-pw@127.0.0.1:${deadPort}/nowhere`,
      });
      await proc.waitFor(/collector ready[\s\S]*database .*\n/);
      expect(proc.output()).toContain(
        `postgres://someone:****@127.0.0.1:${deadPort}/nowhere (NOT READY: postgres unreachable: nothing accepts connections at 127.0.0.1:${deadPort} (ECONNREFUSED)`,
      );
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
      proc.child.kill('SIGTERM');
      expect((await proc.exit()).code).toBe(0);
      expect(proc.output()).not.toContain('secret-pw');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an unwritable data directory', async () => {
    const dir = await makeWorkDir();
    try {
      const config = await writeConfig(
        dir,
        configYaml(dir, await findFreePort(), await findFreePort()).replace(
          join(dir, 'pg'),
          '/dev/null/spanledger/pg',
        ),
      );
      const proc = spawnCli(['start', '--config', config]);
      const { code } = await proc.exit();
      expect(code).toBe(1);
      expect(proc.output()).toContain('data directory /dev/null/spanledger/pg is not writable');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
