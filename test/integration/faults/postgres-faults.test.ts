import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CollectorProcess,
  checkLedger,
  eventually,
  startCollectorProcess,
  startLoad,
  waitForEmptySpool,
} from '../../helpers/fault-harness.js';
import {
  createDatabase,
  type FaultablePostgres,
  startFaultablePostgres,
} from '../../helpers/pg-server.js';

/**
 * The collector as a real process against a real Postgres that is stopped, restarted and has
 * its backends terminated while spans stream in. Every test asserts the same promise: the
 * process stays up, every acknowledged span is stored exactly once, and the daily rollup equals
 * the ledger.
 */
describe('the collector under Postgres faults', () => {
  let server: FaultablePostgres;
  let collector: CollectorProcess | undefined;
  let n = 0;
  beforeAll(async () => {
    server = await startFaultablePostgres();
  });
  afterAll(async () => {
    await collector?.stop();
    await server.destroy();
  });
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const freshDatabase = () => createDatabase(server, `faults_${++n}`);

  async function expectIntact(url: string, acknowledged: string[]) {
    const ledger = await checkLedger(url, acknowledged);
    expect(ledger.acknowledged).toBeGreaterThan(0);
    expect(ledger).toMatchObject({
      missing: 0,
      duplicates: 0,
      usageDuplicates: 0,
      rollupDrift: 0,
      tokenDrift: 0,
    });
  }

  it('Postgres stopped (fast, then immediate) mid-stream: spools, answers 200, replays once', async () => {
    const url = await freshDatabase();
    collector = await startCollectorProcess({ databaseUrl: url });
    await collector.waitFor(/collector ready[\s\S]*database .*\n/);
    const load = startLoad(collector.url, 4, 10, 20);
    await pause(1_000);
    await server.stop('fast');
    await pause(2_500);
    await server.start();
    await pause(1_000);
    await server.stop('immediate');
    await pause(2_500);
    await server.start();
    await pause(1_000);
    const report = await load.stop();
    expect(collector.alive()).toBe(true);
    await waitForEmptySpool(collector.url);
    await expectIntact(url, report.acknowledged);
    // The senders saw 200s (spooled) during the outage, never connection refused.
    expect(Object.keys(report.statuses)).toEqual(['200']);
    expect(collector.output()).toMatch(/spooled to disk/);
    expect(collector.output()).not.toMatch(/Unhandled|uncaught/i);
    expect(await collector.stop()).toBe(0);
    collector = undefined;
  });

  it('backends terminated while active, idle in transaction and idle: nothing lost, no exit', async () => {
    const url = await freshDatabase();
    collector = await startCollectorProcess({ databaseUrl: url });
    await collector.waitFor(/collector ready[\s\S]*database .*\n/);
    const load = startLoad(collector.url, 4, 20);
    const hits = { active: 0, 'idle in transaction': 0, idle: 0 };
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && Object.values(hits).some((h) => h < 2)) {
      for (const state of Object.keys(hits) as Array<keyof typeof hits>) {
        if (hits[state] < 2) hits[state] += await server.terminate('spanledger', state);
      }
      await pause(20);
    }
    const report = await load.stop();
    expect(hits.active).toBeGreaterThanOrEqual(2);
    expect(hits.idle).toBeGreaterThanOrEqual(2);
    // Between the statements of a write: the narrowest window, so at least once.
    expect(hits['idle in transaction']).toBeGreaterThanOrEqual(1);
    expect(collector.alive()).toBe(true);
    await waitForEmptySpool(collector.url);
    await expectIntact(url, report.acknowledged);
    expect(collector.output()).not.toMatch(/Unhandled|uncaught/i);
    expect(await collector.stop()).toBe(0);
    collector = undefined;
  });

  it('starts while Postgres is down: serves /healthz, spools, migrates and replays once it is up', async () => {
    const url = await freshDatabase(); // empty: the collector applies the migrations itself
    await server.stop('fast');
    collector = await startCollectorProcess({ databaseUrl: url });
    await collector.waitFor(/collector ready[\s\S]*database .*\n/);
    expect(collector.output()).toMatch(/NOT READY: postgres unreachable/);
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${collector.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(((await notReady.json()) as { reason: string }).reason).toMatch(/ECONNREFUSED/);
    const load = startLoad(collector.url, 2, 10, 50);
    await pause(2_000);
    await server.start();
    const live = collector;
    await eventually(
      async () => (await fetch(`${live.url}/readyz`)).status === 200,
      'ready once Postgres is up',
    );
    const report = await load.stop();
    expect(report.statuses['200']).toBeGreaterThan(0);
    await waitForEmptySpool(collector.url);
    await expectIntact(url, report.acknowledged);
    expect(collector.output()).toMatch(/postgres available/);
    expect(await collector.stop()).toBe(0);
    collector = undefined;
  });

  it('a wrong password or a missing database stops the start with what to fix', async () => {
    const wrongDb = new URL(server.url);
    wrongDb.pathname = '/no_such_database';
    const bad = await startCollectorProcess({ databaseUrl: wrongDb.toString() });
    const code = await new Promise<number | null>((resolve) => bad.child.once('exit', resolve));
    expect(code).toBe(1);
    expect(bad.output()).toMatch(/database "no_such_database" does not exist .*createdb/);
    await bad.stop();
  });
});
