import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

/**
 * Puts the benchmark's Postgres on core 0 and this process (every thread, and the worker
 * threads it starts later) on the others: the collector and its database on separate hosts, as
 * they are deployed, on one machine. Pinning the postmaster pins every backend it forks later;
 * its running children are pinned too. Linux only, with util-linux's `taskset`.
 */
export function splitCores(dataDir: string | undefined): string {
  if (dataDir === undefined) {
    throw new Error('BENCH_SPLIT_CORES needs the embedded Postgres: unset DATABASE_URL');
  }
  const cores = availableParallelism();
  if (cores < 2)
    throw new Error(`BENCH_SPLIT_CORES needs 2 cores or more; this machine has ${cores}`);
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = execFileSync('pgrep', ['-P', String(postmaster)], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
  const rest = cores === 2 ? '1' : `1-${cores - 1}`;
  for (const pid of [String(postmaster), ...children]) {
    execFileSync('taskset', ['-apc', '0', pid], { stdio: 'ignore' });
  }
  execFileSync('taskset', ['-apc', rest, String(process.pid)], { stdio: 'ignore' });
  return `Postgres on core 0, the benchmark on ${rest}`;
}
