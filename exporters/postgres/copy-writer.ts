import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { withHeldClient } from '../../shared/database/index.js';
import { EncodedRows } from './encoded-rows.js';
import { COPY_STAGE_SQL, MERGE_STAGE_SQL, OPEN_STAGE_SQL } from './write-sql.js';

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

/** Rows with their in-batch repeats (same span sent twice) removed, first one kept. */
export function uniqueRows(rows: EncodedRows): EncodedRows {
  const seen = new Set<string>();
  let unique: EncodedRows | undefined;
  for (let i = 0; i < rows.length; i++) {
    const key = rows.key(i);
    if (seen.has(key)) {
      if (!unique) {
        unique = EncodedRows.empty(rows.length);
        for (let k = 0; k < i; k++) unique.push(rows.line(k));
      }
      continue;
    }
    seen.add(key);
    unique?.push(rows.line(i));
  }
  return unique ?? rows;
}

async function prepare(client: PoolClient, role: string | undefined) {
  if (prepared.has(client)) return;
  if (role) await client.query(`SET ROLE ${client.escapeIdentifier(role)}`);
  await client.query(OPEN_STAGE_SQL);
  prepared.add(client);
}

/**
 * One transaction: COPY the rows into the staging table, then merge them into audit_log,
 * llm_usage and usage_daily (idempotently) as one more batch of the hash chain `chain`. Throws
 * on any failure; the transaction is rolled
 * back, and a connection that broke (the server restarted, the backend was terminated) is
 * destroyed rather than returned to the pool, its error surfacing as ConnectionLostError.
 */
export function writeBatchOnce(
  pool: Pool,
  rows: EncodedRows,
  chain: string,
  role?: string,
): Promise<BatchWriteCounts> {
  return withHeldClient(pool, async (client, held) => {
    await prepare(client, role);
    const unique = uniqueRows(rows);
    await client.query('BEGIN');
    try {
      await pipeline(Readable.from(unique.chunks()), client.query(copyFrom(COPY_STAGE_SQL)));
      const { rows: result } = await client.query<BatchWriteCounts>(MERGE_STAGE_SQL, [chain]);
      await client.query('COMMIT');
      const r = result[0]!;
      // In-batch repeats count as duplicates, like re-sent spans.
      return { staged: rows.length, inserted: r.inserted, billed: r.billed, unpriced: r.unpriced };
    } catch (err) {
      // After a server-side error the ROLLBACK succeeds and the connection is reused; when it
      // fails too, the connection is in an unknown state and is destroyed on release.
      await client
        .query('ROLLBACK')
        .catch((rollbackError: Error) => held.markBroken(rollbackError));
      throw err;
    }
  });
}
