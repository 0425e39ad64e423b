import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PgSpanExporter } from '../../../../exporters/index.js';
import { EncodedRows } from '../../../../exporters/postgres/encoded-rows.js';
import { releaseSpoolLock, Spool, SpoolWriteError } from '../../../../exporters/postgres/spool.js';
import { mergeRecords, type SpoolRecord } from '../../../../exporters/postgres/spool-keeper.js';

const ROOT = resolve(import.meta.dirname, '../../../..');

describe('Spool', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'spanledger-spool-'));
  });
  afterEach(async () => {
    await releaseSpoolLock(dir);
    await rm(dir, { recursive: true, force: true });
  });

  it('a full disk (ENOSPC) throws SpoolWriteError; records before stay readable, appends resume', async () => {
    const spool = await Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 64 });
    const big = (n: number) => ({ n, pad: 'x'.repeat(100) });
    expect(spool.append(big(1))).toBe('ok'); // segment 1 is now past segmentBytes
    // The next segment is a real device that answers every write with ENOSPC.
    await symlink('/dev/full', join(dir, 'segment-000000000002.spool'));
    expect(() => spool.append(big(2))).toThrow(SpoolWriteError);
    expect(spool.append(big(2))).toBe('ok');
    expect(spool.append(big(3))).toBe('ok');
    const replayed: unknown[] = [];
    await spool.replay(async (records) => {
      replayed.push(...records);
    });
    expect(replayed).toEqual([big(1), big(2), big(3)]);
    spool.close();
  });

  it('the error names the directory and the errno, never the records', async () => {
    const spool = await Spool.open({ dir, maxBytes: 1 << 20 });
    await symlink('/dev/full', join(dir, 'segment-000000000001.spool'));
    try {
      spool.append({ secret: 'prompt text' });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toBe(`spool directory ${dir} cannot be written (ENOSPC)`);
    }
    spool.close();
  });

  it('takes over a lock left by a dead process', async () => {
    await writeFile(join(dir, 'LOCK'), '999999999\n');
    const spool = await Spool.open({ dir, maxBytes: 1024 });
    spool.close();
  });

  it('of processes opening one spool at the same moment, exactly one gets it', async () => {
    // Each child loads, says "ready", waits for "go", tries, reports, and holds on (keeping its
    // lock alive) until its stdin closes: no child can see another's lock as stale.
    const script = `
      import { Spool } from ${JSON.stringify(join(ROOT, 'exporters/postgres/spool.ts'))};
      import { once } from 'node:events';
      process.stdout.write('ready\\n');
      await once(process.stdin, 'data');
      try { await Spool.open({ dir: process.argv[1], maxBytes: 1024 }); process.stdout.write('took\\n'); }
      catch (e) { process.stdout.write('refused: ' + e.message + '\\n'); }
      process.stdin.resume();
      await once(process.stdin, 'end');`;
    const children = Array.from({ length: 4 }, () => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script, dir],
        { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
      );
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
      });
      const line = async (n: number) => {
        while (out.split('\n').length <= n) await new Promise((r) => setTimeout(r, 10));
        return out.split('\n')[n - 1]!;
      };
      return { child, line };
    });
    for (const c of children) expect(await c.line(1)).toBe('ready');
    for (const c of children) c.child.stdin!.write('go\n');
    const results = await Promise.all(children.map((c) => c.line(2)));
    for (const c of children) c.child.stdin!.end();
    await Promise.all(children.map((c) => once(c.child, 'exit')));
    expect(results.filter((r) => r === 'took')).toHaveLength(1);
    for (const r of results.filter((x) => x !== 'took')) expect(r).toMatch(/is in use by process/);
  }, 60_000);
});

describe('mergeRecords', () => {
  const rec = (n: number, dead = 0): SpoolRecord => ({
    rows: EncodedRows.of(Array.from({ length: n }, (_, i) => `${i}\t${n}\n`)),
    dead: Array.from({ length: dead }, () => ({ source: 's', reason: 'r' })),
  });

  it('merges consecutive records up to the row limit, in order, losing nothing', () => {
    const groups = mergeRecords([rec(3), rec(3, 1), rec(5), rec(1)], 6);
    expect(groups.map((g) => [g.rows.length, g.dead.length])).toEqual([
      [6, 1],
      [6, 0],
    ]);
    const lines = groups.flatMap((g) => [...g.rows].map((l) => l.toString()));
    expect(lines).toEqual(
      [3, 3, 5, 1].flatMap((n) => Array.from({ length: n }, (_, i) => `${i}\t${n}\n`)),
    );
  });

  it('a record larger than the limit is a group of its own', () => {
    expect(mergeRecords([rec(10), rec(2)], 4).map((g) => g.rows.length)).toEqual([10, 2]);
  });
});

describe('PgSpanExporter and its spool directory', () => {
  // A collector stopped right after it started (tests, a failed start) used to close the spool
  // while it was still opening; the lock appeared after shutdown() and a cleanup of the
  // directory failed with ENOTEMPTY. Timing-dependent, so many short lives are run.
  it('shutdown() right after construction leaves the directory empty', async () => {
    let leftBehind = 0;
    for (let i = 0; i < 300; i++) {
      const dir = await mkdtemp(join(tmpdir(), 'spanledger-short-life-'));
      const exporter = new PgSpanExporter({
        databaseUrl: 'postgres://nobody:nothing@127.0.0.1:1/none',
        spool: { dir, maxBytes: 1 << 20 },
      });
      await exporter.shutdown();
      if ((await readdir(dir)).length > 0) leftBehind++;
      await rm(dir, { recursive: true, force: true });
    }
    expect(leftBehind).toBe(0);
  });
});
