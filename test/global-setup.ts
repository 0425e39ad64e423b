import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { bundleConsoleAssets } from '../scripts/bundle-console-assets.js';
import { findFreePort, startEmbeddedPostgres } from '../shared/database/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the server the tests use; each file creates its own database on it. */
    adminDatabaseUrl: string;
  }
}

/**
 * One Postgres for the whole run: DATABASE_URL when set, otherwise an embedded server in a
 * temporary directory. Test files create their own databases on it, so they run in parallel.
 */
export default async function setup(project: TestProject) {
  // Tests that run the built package (npm start, the packed tarball) need a current dist/:
  // built here once, not by several test files at the same time.
  execFileSync(process.execPath, ['scripts/build-if-stale.mjs'], { stdio: 'inherit' });
  // The console's browser tests load the bundle `npm run build` makes; build it from source.
  await bundleConsoleAssets([join(import.meta.dirname, '..', 'console', 'assets')]);
  const external = process.env.DATABASE_URL;
  if (external) {
    project.provide('adminDatabaseUrl', external);
    return async () => {};
  }
  const base = await mkdtemp(join(tmpdir(), 'spanledger-test-'));
  // Postgres runs as the "postgres" user when the tests run as root: it must reach the directory.
  await chmod(base, 0o755);
  const pg = await startEmbeddedPostgres({
    dataDir: join(base, 'pg'),
    // Any free port: several test runs (worktrees, CI jobs) may share a machine.
    port: await findFreePort(),
    // A throwaway cluster: durability settings off for speed (crash safety is not under test here).
    settings: {
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      max_connections: '300',
    },
  });
  project.provide('adminDatabaseUrl', pg.url);
  return async () => {
    await pg.stop();
    await rm(base, { recursive: true, force: true });
  };
}
