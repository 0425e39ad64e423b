/**
 * npm run chaos: the fault tests at a larger volume. One collector process on a real Postgres,
 * 4 senders at a few hundred spans/s; Postgres stopped for 20 s mid-stream, backends terminated
 * 8 times, an immediate stop, then everything acknowledged is checked in the ledger.
 *
 * RESULT lost=<acknowledged spans missing> dup=<span ids stored twice> crashes=<collector exits>
 */
import {
  type CollectorProcess,
  checkLedger,
  startCollectorProcess,
  startLoad,
  waitForEmptySpool,
} from '../test/helpers/fault-harness.js';
import { createDatabase, startFaultablePostgres } from '../test/helpers/pg-server.js';

const OUTAGE_MS = Number(process.env.CHAOS_OUTAGE_MS ?? 20_000);
const TERMINATIONS = Number(process.env.CHAOS_TERMINATIONS ?? 8);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const started = Date.now();
const log = (m: string) =>
  process.stderr.write(`[chaos ${((Date.now() - started) / 1000).toFixed(1)}s] ${m}\n`);

const server = await startFaultablePostgres();
const url = await createDatabase(server, 'chaos');
let crashes = 0;
let collector: CollectorProcess = await startCollectorProcess({ databaseUrl: url });
await collector.waitFor(/collector ready[\s\S]*database .*\n/);
// A crash is counted and the collector restarted, so the run measures everything else too.
const watchdog = setInterval(async () => {
  if (collector.alive()) return;
  crashes++;
  log(`collector exited (${crashes}); restarting\n${collector.output().slice(-2000)}`);
  collector = await startCollectorProcess({ databaseUrl: url });
}, 200);

// 4 senders × 10 spans per request, ~40 ms apart: a few hundred spans/s.
const load = startLoad(collector.url, 4, 10, 40);
await pause(3_000);
log(`stopping Postgres (fast) for ${OUTAGE_MS} ms`);
await server.stop('fast');
await pause(OUTAGE_MS);
await server.start();
log('Postgres back');
await pause(3_000);
let terminated = 0;
for (let i = 0; i < TERMINATIONS; i++) {
  const state = (['active', 'idle in transaction', 'idle'] as const)[i % 3];
  let n = 0;
  for (let tries = 0; n === 0 && tries < 200; tries++) {
    n = await server.terminate('spanledger', state);
    if (n === 0) await pause(10);
  }
  terminated += n;
  await pause(500);
}
log(`terminated ${terminated} backend(s)`);
await server.stop('immediate');
await pause(3_000);
await server.start();
log('immediate stop and restart done');
await pause(3_000);
const report = await load.stop();
const drainStarted = Date.now();
await waitForEmptySpool(collector.url, 180_000);
const drainS = (Date.now() - drainStarted) / 1000;
clearInterval(watchdog);
const ledger = await checkLedger(url, report.acknowledged);
const refused = Object.entries(report.statuses)
  .filter(([status]) => status !== '200')
  .reduce((sum, [, n]) => sum + n, 0);
const seconds = (Date.now() - started) / 1000;
process.stdout.write(
  `RESULT lost=${ledger.missing} dup=${ledger.duplicates + ledger.usageDuplicates} crashes=${crashes} ` +
    `acknowledged=${ledger.acknowledged} spans_per_s=${Math.round(ledger.acknowledged / seconds)} ` +
    `not_200=${refused} terminated=${terminated} rollup_drift=${ledger.rollupDrift} drain_s=${drainS.toFixed(1)}\n`,
);
await collector.stop();
await server.destroy();
process.exit(ledger.missing + ledger.duplicates + crashes === 0 ? 0 : 1);
