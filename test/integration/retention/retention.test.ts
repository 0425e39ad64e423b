import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../../ledger/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { createTestExporter, ExportResultCode, exportVia } from '../../helpers/exporter.js';
import { chatAttributes, createTestTracer } from '../../helpers/spans.js';
import { makeWorkDir, spawnCli } from '../../helpers/spawn-cli.js';

const DAY = 86_400_000;

/** The first day of the month `offset` months from now (UTC). */
function monthStart(offset: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
}
const ymd = (d: Date) => d.toISOString().slice(0, 10);

async function partitions(db: TestDatabase): Promise<string[]> {
  const { rows } = await db.pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname IN ('audit_log', 'llm_usage')`,
  );
  return rows.map((r) => r.name).sort();
}

/** Every row of `table` started before `before`, as row_to_json, keyed by span id. */
async function rowsBefore(db: TestDatabase, table: string, before: Date) {
  const { rows } = await db.pool.query<{ j: Record<string, unknown> }>(
    `SELECT row_to_json(t) AS j FROM spanledger.${table} t WHERE started_at < $1`,
    [before],
  );
  return new Map(rows.map((r) => [`${r.j.span_id}`, r.j]));
}

describe('spanledger retention', () => {
  let db: TestDatabase;
  let dir: string;
  const cutBefore = monthStart(-1);

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query('SELECT spanledger.ensure_partitions(4, 2)');
    dir = await makeWorkDir('spanledger-retention-');
    // One exporter, so every batch is one chain. Each export mixes months on both sides of the
    // cut (three and two months ago, last month, now): batches are cut partially.
    const { exporter, cleanup } = await createTestExporter(db.url);
    const t = createTestTracer();
    try {
      for (let b = 0; b < 4; b++) {
        const spans = [-3, -2, -1, 0].flatMap((offset) =>
          Array.from({ length: 5 }, (_, i) => {
            const start =
              offset === 0
                ? Date.now() - 1000
                : monthStart(offset).getTime() + ((b * 5 + i + 1) * DAY) / 4;
            // Hostile content: quotes, backslashes, newlines and non-ASCII must survive the archive.
            return t.span(
              `chat "q" \\ \n ü ${b}`,
              chatAttributes({ 'enduser.id': `u\\1"\n${i}` }),
              {
                startMs: start,
              },
            ).readable;
          }),
        );
        expect(await exportVia(exporter, spans)).toBe(ExportResultCode.SUCCESS);
      }
    } finally {
      await cleanup();
    }
    expect((await verifyLedger(db.pool)).intact).toBe(true);
  });

  afterAll(async () => {
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('without --yes prints the plan and changes nothing', async () => {
    const before = await partitions(db);
    const archive = join(dir, 'dry');
    const cli = spawnCli([
      'retention',
      '--before',
      ymd(cutBefore),
      '--archive-dir',
      archive,
      '--database-url',
      db.url,
    ]);
    const { code } = await cli.exit();
    expect(code).toBe(0);
    expect(cli.output()).toMatch(/would archive and drop \d+ partition\(s\)/);
    expect(cli.output()).toMatch(/dry run: nothing changed/);
    expect(await partitions(db)).toEqual(before);
    await expect(readdir(archive)).rejects.toThrow(/ENOENT/);
  });

  it('refuses the current or a future month, and an archive directory it cannot write', async () => {
    const current = spawnCli([
      'retention',
      '--before',
      ymd(monthStart(1)),
      '--archive-dir',
      join(dir, 'x'),
      '--yes',
      '--database-url',
      db.url,
    ]);
    expect((await current.exit()).code).toBe(1);
    expect(current.output()).toMatch(/the current month/);

    const before = await partitions(db);
    const second = spawnCli([
      'retention',
      '--before',
      ymd(cutBefore),
      '--archive-dir',
      '/dev/null/archive',
      '--yes',
      '--database-url',
      db.url,
    ]);
    expect((await second.exit()).code).toBe(1);
    expect(second.output()).toMatch(/--archive-dir \/dev\/null\/archive cannot be created/);

    // An archive file that cannot be created (one is in the way): nothing is removed.
    const blocked = join(dir, 'blocked');
    const first = monthStart(-4);
    await mkdir(blocked);
    await writeFile(
      join(
        blocked,
        `audit_log_y${first.getUTCFullYear()}m${String(first.getUTCMonth() + 1).padStart(2, '0')}.jsonl.gz`,
      ),
      'in the way',
    );
    const third = spawnCli([
      'retention',
      '--before',
      ymd(cutBefore),
      '--archive-dir',
      blocked,
      '--yes',
      '--database-url',
      db.url,
    ]);
    expect((await third.exit()).code).toBe(1);
    expect(third.output()).toMatch(/cannot be written \(EEXIST\); nothing was removed/);
    expect(await partitions(db)).toEqual(before);
  });

  it('archives every removed row, row by row, drops the partitions, and verify still passes', async () => {
    const auditBefore = await rowsBefore(db, 'audit_log', cutBefore);
    const usageBefore = await rowsBefore(db, 'llm_usage', cutBefore);
    expect(auditBefore.size).toBe(40);
    expect(usageBefore.size).toBe(40);
    const remaining =
      (await db.pool.query('SELECT count(*)::int AS n FROM spanledger.audit_log')).rows[0].n - 40;

    const archive = join(dir, 'cut');
    const cli = spawnCli([
      'retention',
      '--before',
      ymd(cutBefore),
      '--archive-dir',
      archive,
      '--yes',
      '--database-url',
      db.url,
    ]);
    const { code } = await cli.exit();
    expect(cli.output()).toMatch(/archived and dropped/);
    expect(code).toBe(0);

    const manifestBytes = await readFile(join(archive, 'manifest.json'));
    const manifest = JSON.parse(manifestBytes.toString());
    expect(manifest.ledger.heads.length).toBeGreaterThan(0);
    const byTable = { audit_log: auditBefore, llm_usage: usageBefore } as const;
    const seen = { audit_log: 0, llm_usage: 0 };
    for (const p of manifest.partitions) {
      const bytes = await readFile(join(archive, p.file));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(p.sha256);
      const lines = gunzipSync(bytes).toString('utf8').split('\n').filter(Boolean);
      expect(lines.length).toBe(p.rows);
      for (const line of lines) {
        const row = JSON.parse(line);
        // Exactly the row that was removed, column by column.
        expect(row).toEqual(byTable[p.table as keyof typeof byTable].get(row.span_id));
        seen[p.table as keyof typeof seen]++;
      }
      expect(await partitions(db)).not.toContain(p.partition);
    }
    expect(seen).toEqual({ audit_log: 40, llm_usage: 40 });

    const { rows } = await db.pool.query(
      `SELECT rows_removed::int, encode(manifest_sha256, 'hex') AS sha, by_user FROM spanledger.retention_cuts`,
    );
    expect(rows).toEqual([
      {
        rows_removed: 80,
        sha: createHash('sha256').update(manifestBytes).digest('hex'),
        by_user: expect.any(String),
      },
    ]);
    expect(
      (await db.pool.query('SELECT count(*)::int AS n FROM spanledger.audit_log')).rows[0].n,
    ).toBe(remaining);

    const report = await verifyLedger(db.pool);
    expect(report.problems).toEqual([]);
    expect(report.intact).toBe(true);
    expect(report.retainedRows).toBe(80);
    expect(report.retentionCuts).toBe(1);
    const verify = spawnCli(['verify', '--database-url', db.url]);
    expect((await verify.exit()).code).toBe(0);
    expect(verify.output()).toMatch(/intact: .*1 retention cut\(s\): 80 archived row\(s\)/);

    // The kept hashes are bound by the Merkle roots: removing one is named by verify.
    await db.pool.query('ALTER TABLE spanledger.retention_row_hashes DISABLE TRIGGER USER');
    await db.pool.query(
      'DELETE FROM spanledger.retention_row_hashes WHERE ctid = (SELECT min(ctid) FROM spanledger.retention_row_hashes)',
    );
    const broken = await verifyLedger(db.pool);
    expect(broken.intact).toBe(false);
    expect(broken.problems.map((p) => p.kind)).toContain('rows_missing');
  });
});
