import { createInterface } from 'node:readline';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { BatchRecord, CheckpointRecord, HeadRecord, LedgerRow } from './types.js';

/** The migration that started the chain: rows ingested before it are not covered. */
export const LEDGER_MIGRATION = '1796500000000_trust';

const hex = (h: string | null) => (h ? Buffer.from(h, 'hex') : null);

/** Every batch of every chain (the links are checked whatever the time window). */
export async function readBatches(client: PoolClient): Promise<BatchRecord[]> {
  const { rows } = await client.query<{
    chain_id: string;
    seq: string;
    prev_hash: Buffer;
    merkle_root: Buffer;
    audit_rows: number;
    usage_rows: number;
    first_started_at: Date;
    last_started_at: Date;
    batch_hash: Buffer;
  }>(
    `SELECT chain_id, seq, prev_hash, merkle_root, audit_rows, usage_rows, first_started_at,
            last_started_at, batch_hash
       FROM spanledger.ledger_batches`,
  );
  return rows.map((r) => ({
    chainId: r.chain_id,
    seq: BigInt(r.seq),
    prevHash: r.prev_hash,
    merkleRoot: r.merkle_root,
    auditRows: r.audit_rows,
    usageRows: r.usage_rows,
    firstStartedAt: r.first_started_at,
    lastStartedAt: r.last_started_at,
    batchHash: r.batch_hash,
  }));
}

export async function readHeads(client: PoolClient): Promise<HeadRecord[]> {
  const { rows } = await client.query<{ chain_id: string; seq: string; head: Buffer }>(
    'SELECT chain_id, seq, head FROM spanledger.ledger_heads',
  );
  return rows.map((r) => ({ chainId: r.chain_id, seq: BigInt(r.seq), head: r.head }));
}

export async function readCheckpoints(client: PoolClient): Promise<CheckpointRecord[]> {
  const { rows } = await client.query<{
    id: string;
    at: Date;
    heads: Record<string, [number, string]>;
    prev_hash: Buffer;
    checkpoint_hash: Buffer;
    recomputed: Buffer;
  }>(
    `SELECT id, at, heads, prev_hash, checkpoint_hash,
            spanledger.checkpoint_hash_v1(id, prev_hash, heads) AS recomputed
       FROM spanledger.ledger_checkpoints ORDER BY id`,
  );
  return rows.map((r) => ({
    id: BigInt(r.id),
    at: r.at,
    heads: r.heads,
    prevHash: r.prev_hash,
    checkpointHash: r.checkpoint_hash,
    recomputed: r.recomputed,
  }));
}

/** Retention cuts made so far (0 before the retention migration). */
export async function readRetentionCuts(client: PoolClient): Promise<number | undefined> {
  const { rows } = await client.query<{ t: string | null }>(
    "SELECT to_regclass('spanledger.retention_cuts')::text AS t",
  );
  if (!rows[0]?.t) return undefined;
  const count = await client.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM spanledger.retention_cuts',
  );
  return count.rows[0]?.n ?? 0;
}

/** When the ledger chain started (the migration's run time), in epoch microseconds. */
export async function readGenesisUs(client: PoolClient): Promise<bigint> {
  const { rows } = await client.query<{ us: string | null }>(
    `SELECT (extract(epoch FROM run_on) * 1000000)::bigint::text AS us
       FROM spanledger.schema_migrations WHERE name = $1`,
    [LEDGER_MIGRATION],
  );
  return BigInt(rows[0]?.us ?? '0');
}

/** A time window as SQL literals; the values are ISO strings of Dates, nothing else. */
export interface Window {
  from: Date | undefined;
  to: Date | undefined;
}

function windowSql(column: string, window: Window): string {
  const parts: string[] = [];
  if (window.from) parts.push(`${column} >= '${window.from.toISOString()}'::timestamptz`);
  if (window.to) parts.push(`${column} < '${window.to.toISOString()}'::timestamptz`);
  return parts.length > 0 ? parts.join(' AND ') : 'true';
}

const epochUs = (column: string) => `(extract(epoch FROM ${column}) * 1000000)::bigint`;

/**
 * Streams every audit_log and llm_usage row of the window with its stored and recomputed hash,
 * ordered by (chain, batch) so each batch can be checked, and forgotten, as soon as its rows are
 * in: memory stays bounded by the largest batch. Rows outside any chain come last.
 */
export async function* streamRows(
  client: PoolClient,
  window: Window,
  withRetained = false,
): AsyncGenerator<LedgerRow> {
  // Rows removed by retention keep their hash (retention_row_hashes): stored = recomputed, so
  // they take part in their batch's count and Merkle root without their content.
  const retained = withRetained
    ? `UNION ALL
      SELECT CASE r.kind WHEN 'audit' THEN 'A' ELSE 'U' END, r.chain_id, r.seq, r.trace_id,
             r.span_id, ${epochUs('r.started_at')}, encode(r.row_hash, 'hex'),
             encode(r.row_hash, 'hex'), 0
        FROM spanledger.retention_row_hashes r WHERE ${windowSql('r.started_at', window)}`
    : '';
  const sql = `COPY (
    SELECT * FROM (
      SELECT 'a' AS kind, a.ledger_chain AS chain, a.ledger_seq AS seq, a.trace_id, a.span_id,
             ${epochUs('a.started_at')} AS started, encode(a.row_hash, 'hex') AS stored,
             encode(spanledger.audit_row_hash_v1(a), 'hex') AS recomputed,
             ${epochUs('a.ingested_at')} AS ingested
        FROM spanledger.audit_log a WHERE ${windowSql('a.started_at', window)}
      UNION ALL
      SELECT 'u', a.ledger_chain, a.ledger_seq, u.trace_id, u.span_id, ${epochUs('u.started_at')},
             encode(u.row_hash, 'hex'), encode(spanledger.usage_row_hash_v1(u), 'hex'),
             ${epochUs('u.ingested_at')}
        FROM spanledger.llm_usage u
        LEFT JOIN spanledger.audit_log a
          ON a.trace_id = u.trace_id AND a.span_id = u.span_id AND a.started_at = u.started_at
       WHERE ${windowSql('u.started_at', window)}
      ${retained}
    ) x ORDER BY chain, seq) TO STDOUT (FORMAT csv)`;
  const stream = client.query(copyTo(sql));
  for await (const line of createInterface({
    input: stream,
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    const f = line.split(',');
    yield {
      kind: f[0] === 'a' || f[0] === 'A' ? 'audit' : 'usage',
      retained: f[0] === 'A' || f[0] === 'U',
      chainId: unquote(f[1]!),
      seq: f[2] ? BigInt(f[2]) : null,
      traceId: f[3]!,
      spanId: f[4]!,
      startedUs: BigInt(f[5]!),
      stored: hex(f[6] || null),
      recomputed: Buffer.from(f[7]!, 'hex'),
      ingestedUs: BigInt(f[8]!),
    };
  }
}

// Chain ids are ours (host:pid:hex/lane) but CSV quotes what needs it; no field has a comma.
function unquote(field: string): string | null {
  if (field === '') return null;
  return field.startsWith('"') ? field.slice(1, -1).replace(/""/g, '"') : field;
}
