import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { SpanRow } from './rows.js';
import {
  ANALYZE_STAGE_SQL,
  COPY_STAGE_SQL,
  CREATE_STAGE_SQL,
  MERGE_STAGE_SQL,
  SET_WORK_MEM_SQL,
} from './write-sql.js';

/** What one committed batch did. */
export interface BatchWriteCounts {
  staged: number;
  /** New audit_log rows; staged − inserted were already stored (re-sent spans). */
  inserted: number;
  /** New llm_usage rows. */
  billed: number;
  /** New llm_usage rows without a price. */
  unpriced: number;
}

// pg reuses Client objects across checkouts, so a WeakSet remembers which connections already
// have their staging table (and role) without a round trip per batch.
const prepared = new WeakSet<PoolClient>();
const CHUNK_BYTES = 256 * 1024;

/** Rows with their in-batch repeats (same span sent twice) removed, first one kept. */
export function uniqueRows(rows: readonly SpanRow[]): readonly SpanRow[] {
  const seen = new Set<string>();
  let unique: SpanRow[] | undefined;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const key = `${r.trace_id}${r.span_id}${r.started_at}`;
    if (seen.has(key)) {
      unique ??= rows.slice(0, i);
      continue;
    }
    seen.add(key);
    unique?.push(r);
  }
  return unique ?? rows;
}

function* copyChunks(rows: readonly SpanRow[], encode: (row: SpanRow) => string) {
  let chunk = '';
  for (const row of rows) {
    chunk += encode(row);
    if (chunk.length >= CHUNK_BYTES) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

async function prepare(client: PoolClient, role: string | undefined) {
  if (prepared.has(client)) return;
  if (role) await client.query(`SET ROLE ${client.escapeIdentifier(role)}`);
  await client.query(CREATE_STAGE_SQL);
  prepared.add(client);
}

/**
 * One transaction: COPY the rows into the staging table, then merge them into audit_log,
 * llm_usage and usage_daily (idempotently). Throws on any failure; the transaction is rolled back.
 */
export async function writeBatchOnce(
  pool: Pool,
  rows: readonly SpanRow[],
  encode: (row: SpanRow) => string,
  role?: string,
): Promise<BatchWriteCounts> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await prepare(client, role);
    const unique = uniqueRows(rows);
    await client.query('BEGIN');
    try {
      await client.query(SET_WORK_MEM_SQL);
      await pipeline(
        Readable.from(copyChunks(unique, encode)),
        client.query(copyFrom(COPY_STAGE_SQL)),
      );
      await client.query(ANALYZE_STAGE_SQL);
      const { rows: result } = await client.query<BatchWriteCounts>(MERGE_STAGE_SQL);
      await client.query('COMMIT');
      const r = result[0]!;
      // In-batch repeats count as duplicates, like re-sent spans.
      return { staged: rows.length, inserted: r.inserted, billed: r.billed, unpriced: r.unpriced };
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: Error) => {
        broken = rollbackErr;
      });
      throw err;
    }
  } catch (err) {
    // A connection that failed mid-protocol (no SQLSTATE: socket closed, reset, timeout) must
    // not go back to the pool; after a server-side error and a ROLLBACK it is fine.
    if (!/^[0-9A-Z]{5}$/.test((err as { code?: string }).code ?? '')) broken ??= err as Error;
    throw err;
  } finally {
    client.release(broken);
  }
}
