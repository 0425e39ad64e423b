import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../../shared/database/index.js';
import {
  makeWorkDir,
  minimalConfigYaml,
  spawnWatched,
  writeConfig,
} from '../../helpers/spawn-cli.js';
import { waitUntil } from '../../helpers/wait.js';

const ROOT = resolve(import.meta.dirname, '../../..');

function processArgs(): string[] {
  return execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).split('\n');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// What Docker's `CMD ["npm","start"]`, systemd with KillMode=process and most supervisors do:
// signal only the npm process. Before `exec` in the start script, npm exited 143 and left the
// collector (under `sh -c`) and its embedded Postgres running.
describe('npm start (the process a supervisor signals)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeWorkDir('spanledger-npm-start-');
  }, 300_000);
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('SIGTERM to the npm PID stops the collector and its embedded Postgres, exit code 0', async () => {
    const otlpPort = await findFreePort();
    const pgPort = await findFreePort();
    const dataDir = join(dir, 'pg');
    const config = await writeConfig(dir, minimalConfigYaml(dir, { otlpPort, pgPort }));
    const npm = spawnWatched('npm', ['start', '--silent', '--', '--config', config], { cwd: ROOT });
    await npm.waitFor(/database\s+postgres:\S+ /, 180_000);
    expect((await fetch(`http://127.0.0.1:${otlpPort}/readyz`)).status).toBe(200);
    const collectorPids = processArgs()
      .filter((l) => /^\s*\d+ node dist\/cli\/main\.js start/.test(l) && l.includes(config))
      .map((l) => Number(l.trim().split(/\s+/)[0]));
    expect(collectorPids.length).toBe(1);
    expect(processArgs().some((l) => l.includes('postgres') && l.includes(dataDir))).toBe(true);

    npm.child.kill('SIGTERM');
    const { code } = await npm.exit();
    expect(code).toBe(0);
    await waitUntil(() => !isAlive(collectorPids[0]!), 'the collector process to exit');
    await waitUntil(
      () => !processArgs().some((l) => l.includes('postgres') && l.includes(dataDir)),
      'the embedded Postgres to stop',
    );
    await expect(fetch(`http://127.0.0.1:${otlpPort}/healthz`)).rejects.toThrow();
    expect(npm.output()).toContain('spanledger: stopped');
  }, 300_000);
});
