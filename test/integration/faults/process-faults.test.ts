import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CollectorProcess,
  checkLedger,
  eventually,
  startCollectorProcess,
  startLoad,
  unprivilegedUser,
  waitForEmptySpool,
} from '../../helpers/fault-harness.js';
import { createDatabase, startFaultablePostgres } from '../../helpers/pg-server.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The embedded server's superuser URL, from what the collector keeps in its data directory. */
async function embeddedUrl(collector: CollectorProcess): Promise<string> {
  const dataDir = join(collector.workDir, 'pg');
  const password = (await readFile(join(dataDir, 'spanledger-password'), 'utf8')).trim();
  const port = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[3]!.trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

describe('faults of the collector host', () => {
  let collector: CollectorProcess | undefined;
  afterEach(async () => {
    await collector?.stop();
    collector = undefined;
  });

  it('the embedded Postgres killed with SIGKILL: restarted, nothing lost or doubled', async () => {
    collector = await startCollectorProcess();
    await collector.waitFor(/collector ready[\s\S]*database .*\n/);
    const url = await embeddedUrl(collector);
    const load = startLoad(collector.url, 4, 10, 20);
    await pause(1_000);
    const pid = (await readFile(join(collector.workDir, 'pg', 'postmaster.pid'), 'utf8')).split(
      '\n',
    )[0]!;
    process.kill(Number(pid), 'SIGKILL');
    await collector.waitFor(/embedded Postgres restarted/, 60_000);
    await pause(1_000);
    const report = await load.stop();
    expect(collector.alive()).toBe(true);
    await waitForEmptySpool(collector.url);
    const ledger = await checkLedger(url, report.acknowledged);
    expect(ledger.acknowledged).toBeGreaterThan(0);
    expect(ledger).toMatchObject({ missing: 0, duplicates: 0, usageDuplicates: 0, rollupDrift: 0 });
    expect(collector.output()).toMatch(/embedded Postgres killed by SIGKILL; restarting it/);
    expect(await collector.stop()).toBe(0);
    collector = undefined;
  });

  it('a full spool answers 503 + Retry-After (gRPC UNAVAILABLE) and everything lands later', async () => {
    const server = await startFaultablePostgres();
    try {
      const url = await createDatabase(server, 'spool_full');
      collector = await startCollectorProcess({ databaseUrl: url, spoolMaxSize: '64KiB' });
      await collector.waitFor(/collector ready[\s\S]*database .*\n/);
      const load = startLoad(collector.url, 2, 10, 20);
      await pause(500);
      await server.stop('fast');
      const live = collector;
      await eventually(() => /the spool is full/.test(live.output()), 'the spool filling up');
      const notReady = await fetch(`${collector.url}/readyz`);
      expect(notReady.status).toBe(503);
      await server.start();
      await pause(1_500);
      const report = await load.stop();
      expect(report.statuses['503']).toBeGreaterThan(0);
      expect(report.unavailableWithoutRetryAfter).toBe(0);
      expect(report.unavailableWithWrongCode).toBe(0);
      expect(collector.alive()).toBe(true);
      await waitForEmptySpool(collector.url);
      const ledger = await checkLedger(url, report.acknowledged);
      expect(ledger).toMatchObject({ missing: 0, duplicates: 0, rollupDrift: 0 });
    } finally {
      await collector?.stop();
      collector = undefined;
      await server.destroy();
    }
  });

  it('a spool directory that cannot be written: 503, a clear log line, no exit; writes resume', async () => {
    const user = unprivilegedUser();
    const server = await startFaultablePostgres();
    try {
      const url = await createDatabase(server, 'spool_readonly');
      collector = await startCollectorProcess({ databaseUrl: url, ...(user ? { user } : {}) });
      await collector.waitFor(/collector ready[\s\S]*database .*\n/);
      const { chmod } = await import('node:fs/promises');
      await chmod(collector.spoolDir, 0o555);
      const load = startLoad(collector.url, 2, 10, 20);
      await pause(500);
      await server.stop('fast');
      const live = collector;
      await eventually(() => /cannot be written \(EACCES\)/.test(live.output()), 'a refused write');
      await chmod(collector.spoolDir, 0o755);
      await pause(500);
      await server.start();
      await pause(1_500);
      const report = await load.stop();
      expect(report.statuses['503']).toBeGreaterThan(0);
      expect(report.unavailableWithoutRetryAfter).toBe(0);
      expect(collector.alive()).toBe(true);
      await waitForEmptySpool(collector.url);
      const ledger = await checkLedger(url, report.acknowledged);
      expect(ledger).toMatchObject({ missing: 0, duplicates: 0, rollupDrift: 0 });
      expect(collector.output()).not.toMatch(/Unhandled|uncaught/i);
    } finally {
      await collector?.stop();
      collector = undefined;
      await server.destroy();
    }
  });
});
