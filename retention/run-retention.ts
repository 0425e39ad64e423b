import { access, mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Pool, PoolClient } from 'pg';
import { withHeldClient } from '../shared/database/index.js';
import { quoteIdent, readArchiveDigest, writePartitionArchive } from './archive-file.js';
import {
  encodeManifest,
  type ManifestPartition,
  type RetentionManifest,
  syncDir,
  writeDurably,
} from './manifest.js';
import { listMonthPartitions, type MonthPartition, planRetention } from './plan.js';

/** Options of one retention run. */
export interface RetentionOptions {
  before: Date;
  archiveDir: string;
  /** False: print the plan, change nothing (no --yes). */
  apply: boolean;
  print: (line: string) => void;
  now?: Date;
}

/** What a run did (or, without apply, would do). */
export interface RetentionResult {
  applied: boolean;
  partitions: Array<MonthPartition & { rows: number }>;
  manifestFile: string | undefined;
  manifestSha256: string | undefined;
}

/** Retention cannot run as asked; the message says what to change. */
export class RetentionError extends Error {
  override name = 'RetentionError';
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Archives every whole monthly partition of audit_log and llm_usage that ends on or before
 * `before`, then detaches and drops them, in one transaction that blocks writes to those
 * partitions: each is streamed to DIR/<partition>.jsonl.gz, fsynced, re-read and checked
 * (rows and SHA-256) before anything is removed; DIR/manifest.json records them with the ledger
 * heads at the cut; retention_cuts and retention_row_hashes record the cut for verify. Any
 * failure rolls the whole run back. Runs as the schema owner.
 */
export function runRetention(pool: Pool, options: RetentionOptions): Promise<RetentionResult> {
  return withHeldClient(pool, async (client) => {
    await client.query("SET TimeZone = 'UTC'");
    const plan = planRetention(
      await listMonthPartitions(client),
      options.before,
      options.now ?? new Date(),
    );
    if (!plan.ok) throw new RetentionError(plan.reason);
    if (plan.cut.length === 0) {
      options.print(
        `spanledger retention: no whole month ends on or before ${day(options.before)}; nothing to do`,
      );
      return { applied: false, partitions: [], manifestFile: undefined, manifestSha256: undefined };
    }
    if (!options.apply) return dryRun(client, plan.cut, options);
    await client.query('BEGIN');
    try {
      const result = await cut(client, plan.cut, options);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  });
}

async function countRows(client: PoolClient, partition: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM spanledger.${quoteIdent(partition)}`,
  );
  return Number(rows[0]!.n);
}

async function dryRun(
  client: PoolClient,
  parts: MonthPartition[],
  options: RetentionOptions,
): Promise<RetentionResult> {
  const counted = [];
  for (const p of parts) counted.push({ ...p, rows: await countRows(client, p.partition) });
  options.print(
    `spanledger retention: would archive and drop ${parts.length} partition(s) into ${resolve(options.archiveDir)} (dry run: nothing changed; add --yes to do it)`,
  );
  for (const p of counted) {
    options.print(`  ${p.partition.padEnd(24)} ${day(p.from)} to ${day(p.to)}  ${p.rows} row(s)`);
  }
  return {
    applied: false,
    partitions: counted,
    manifestFile: undefined,
    manifestSha256: undefined,
  };
}

async function prepareDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new RetentionError(
      `--archive-dir ${dir} cannot be created (${(err as NodeJS.ErrnoException).code}); choose a writable directory`,
    );
  }
  const manifest = join(dir, 'manifest.json');
  if (
    await access(manifest).then(
      () => true,
      () => false,
    )
  ) {
    throw new RetentionError(
      `${manifest} already exists (an earlier cut); choose a new --archive-dir for each run`,
    );
  }
}

async function cut(
  client: PoolClient,
  parts: MonthPartition[],
  options: RetentionOptions,
): Promise<RetentionResult> {
  const dir = resolve(options.archiveDir);
  await prepareDir(dir);
  // Late spans for these months wait until the cut commits (and then land in the default).
  for (const p of parts) {
    await client.query(`LOCK TABLE spanledger.${quoteIdent(p.partition)} IN SHARE MODE`);
  }
  const { rows: idRows } = await client.query<{ id: string }>(
    "SELECT nextval('spanledger.retention_cuts_id_seq')::text AS id",
  );
  const cutId = idRows[0]!.id;
  const archived: ManifestPartition[] = [];
  for (const p of parts) archived.push(await archivePartition(client, p, dir));
  await syncDir(dir);
  const manifest = await buildManifest(client, cutId, options.before, archived);
  const { bytes, sha256 } = encodeManifest(manifest);
  const manifestFile = join(dir, 'manifest.json');
  await writeDurably(manifestFile, bytes, dir);
  if (!(await readFile(manifestFile)).equals(bytes)) {
    throw new RetentionError(`${manifestFile} does not read back as written; nothing was removed`);
  }
  await recordCut(client, cutId, options.before, archived, manifest, sha256);
  for (const p of parts) {
    await client.query(
      `ALTER TABLE spanledger.${quoteIdent(p.table)} DETACH PARTITION spanledger.${quoteIdent(p.partition)}`,
    );
    await client.query(`DROP TABLE spanledger.${quoteIdent(p.partition)}`);
  }
  options.print(
    `spanledger retention: archived and dropped ${parts.length} partition(s), ${archived.reduce((n, p) => n + p.rows, 0)} row(s); manifest ${manifestFile} (sha256 ${sha256})`,
  );
  for (const p of archived) {
    options.print(`  ${p.partition.padEnd(24)} ${p.rows} row(s) -> ${p.file} (sha256 ${p.sha256})`);
  }
  return {
    applied: true,
    partitions: archived.map((a, i) => ({ ...parts[i]!, rows: a.rows })),
    manifestFile,
    manifestSha256: sha256,
  };
}

async function archivePartition(
  client: PoolClient,
  p: MonthPartition,
  dir: string,
): Promise<ManifestPartition> {
  const fileName = `${p.partition}.jsonl.gz`;
  const file = join(dir, fileName);
  let written: Awaited<ReturnType<typeof writePartitionArchive>>;
  try {
    written = await writePartitionArchive(client, p.partition, file);
  } catch (err) {
    throw new RetentionError(
      `${file} cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); nothing was removed`,
    );
  }
  const expected = await countRows(client, p.partition);
  const reread = await readArchiveDigest(file).catch((err: Error) => {
    throw new RetentionError(`${file} does not read back (${err.message}); nothing was removed`);
  });
  if (reread.sha256 !== written.sha256 || reread.rows !== expected || written.rows !== expected) {
    throw new RetentionError(
      `${file} does not verify after writing (${reread.rows} of ${expected} row(s) read back, sha256 ${reread.sha256 === written.sha256 ? 'matches' : 'differs'}); nothing was removed`,
    );
  }
  return {
    table: p.table,
    partition: p.partition,
    from: p.from.toISOString(),
    to: p.to.toISOString(),
    rows: expected,
    file: fileName,
    sha256: written.sha256,
  };
}

async function buildManifest(
  client: PoolClient,
  cutId: string,
  before: Date,
  partitions: ManifestPartition[],
): Promise<RetentionManifest> {
  const heads = await client.query<{ chain_id: string; seq: string; head: string }>(
    `SELECT chain_id, seq::text, encode(head, 'hex') AS head FROM spanledger.ledger_heads
      ORDER BY chain_id`,
  );
  const checkpoint = await client.query<{ id: string; hash: string }>(
    `SELECT id::text, encode(checkpoint_hash, 'hex') AS hash FROM spanledger.ledger_checkpoints
      ORDER BY id DESC LIMIT 1`,
  );
  const who = await client.query<{ db: string; by: string; now: Date }>(
    'SELECT current_database() AS db, session_user AS by, now() AS now',
  );
  return {
    format: 'spanledger-retention-v1',
    cut_id: cutId,
    before: before.toISOString(),
    created_at: who.rows[0]!.now.toISOString(),
    database: who.rows[0]!.db,
    by_user: who.rows[0]!.by,
    partitions,
    ledger: { heads: heads.rows, checkpoint: checkpoint.rows[0] ?? null },
  };
}

async function recordCut(
  client: PoolClient,
  cutId: string,
  before: Date,
  archived: ManifestPartition[],
  manifest: RetentionManifest,
  sha256: string,
): Promise<void> {
  await client.query(
    `INSERT INTO spanledger.retention_cuts
       (id, cut_before, partitions, rows_removed, manifest_sha256, manifest)
     VALUES ($1, $2, $3, $4, decode($5, 'hex'), $6)`,
    [
      cutId,
      before,
      archived.map((p) => p.partition),
      archived.reduce((n, p) => n + p.rows, 0),
      sha256,
      JSON.stringify(manifest),
    ],
  );
  for (const p of archived) {
    const part = `spanledger.${quoteIdent(p.partition)}`;
    // A usage row's batch is its audit row's (same key, so the same month).
    const sql =
      p.table === 'audit_log'
        ? `INSERT INTO spanledger.retention_row_hashes
             SELECT $1, 'audit', a.ledger_chain, a.ledger_seq, a.trace_id, a.span_id, a.started_at, a.row_hash
               FROM ${part} a WHERE a.ledger_chain IS NOT NULL AND a.row_hash IS NOT NULL`
        : `INSERT INTO spanledger.retention_row_hashes
             SELECT $1, 'usage', a.ledger_chain, a.ledger_seq, u.trace_id, u.span_id, u.started_at, u.row_hash
               FROM ${part} u JOIN spanledger.audit_log a
                 ON a.trace_id = u.trace_id AND a.span_id = u.span_id AND a.started_at = u.started_at
              WHERE a.ledger_chain IS NOT NULL AND u.row_hash IS NOT NULL`;
    await client.query(sql, [cutId]);
  }
}
