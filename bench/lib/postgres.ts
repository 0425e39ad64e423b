import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { runMigrations } from '../../migrations/index.js';
import { findFreePort, startEmbeddedPostgres } from '../../shared/database/index.js';

/**
 * The server a benchmark runs against: DATABASE_URL when set, else a throwaway embedded Postgres
 * with default (durable) settings. Every compared variant runs on this same server in one run.
 */
export async function benchServer() {
  if (process.env.DATABASE_URL) {
    return { url: process.env.DATABASE_URL, dataDir: undefined, stop: async () => {} };
  }
  const base = await mkdtemp(join(tmpdir(), 'spanledger-bench-'));
  await chmod(base, 0o755);
  const server = await startEmbeddedPostgres({
    dataDir: join(base, 'pg'),
    // A port of its own, so benchmarks running side by side do not collide.
    port: await findFreePort(),
    settings: { shared_buffers: '512MB', max_wal_size: '4GB', checkpoint_timeout: '30min' },
  });
  const stop = async () => {
    await server.stop();
    await rm(base, { recursive: true, force: true });
  };
  // An interrupted benchmark must not leave its Postgres running.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stop().finally(() => process.exit(130));
    });
  }
  return { url: server.url, dataDir: join(base, 'pg'), stop };
}

/** A fresh, migrated database on the bench server; returns its URL. */
export async function freshDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await runMigrations({ database: url.toString() });
  return url.toString();
}

/** Peak RSS sampler (MB). */
export function rssSampler(intervalMs = 50) {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, intervalMs);
  timer.unref();
  return {
    peakMb: () => Math.round(Math.max(peak, process.memoryUsage().rss) / 1024 / 1024),
    stop: () => clearInterval(timer),
  };
}
