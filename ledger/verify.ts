import type { Pool } from 'pg';
import { withHeldClient } from '../shared/database/index.js';
import { checkBatchRows, checkChains, checkCheckpoints, rowsWithoutBatch } from './chain-checks.js';
import {
  readBatches,
  readCheckpoints,
  readGenesisUs,
  readHeads,
  readRetentionCuts,
  streamRows,
  type Window,
} from './ledger-reader.js';
import type { BatchRecord, LedgerProblem, LedgerRow, VerifyReport } from './types.js';

export interface VerifyOptions {
  /** Only batches whose rows all started at or after this are checked row by row. */
  from?: Date | undefined;
  /** ... and before this. Chain links and checkpoints are always checked whole. */
  to?: Date | undefined;
  /** A digest printed earlier by `--digest`: that checkpoint must still be there, unchanged. */
  expect?: string | undefined;
  /** Write a checkpoint first when the login may (`spanledger.ledger_checkpoint()`). */
  checkpoint?: boolean;
}

const DIGEST_PREFIX = 'spanledger-ledger-v1';

/** The printable head: the latest checkpoint's id and hash. */
export function formatDigest(id: bigint, hash: Buffer): string {
  return `${DIGEST_PREFIX}:${id}:${hash.toString('hex')}`;
}

/**
 * Recomputes the whole ledger from what is stored: every row's hash, every batch's Merkle root
 * and link, every chain head, every checkpoint. Needs a login that reads every tenant (the
 * schema owner, or a member of spanledger_admin_reader).
 */
export function verifyLedger(pool: Pool, options: VerifyOptions = {}): Promise<VerifyReport> {
  return withHeldClient(pool, async (client) => {
    if (options.checkpoint) {
      await client.query('SELECT spanledger.ledger_checkpoint()').catch(() => {
        // Not the writer or the owner: verify what the latest checkpoint bound.
      });
    }
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const problems: LedgerProblem[] = [];
      const batches = await readBatches(client);
      const chains = checkChains(batches, await readHeads(client), problems);
      const checkpoints = await readCheckpoints(client);
      checkCheckpoints(checkpoints, chains, problems);
      const latest = checkpoints.at(-1);
      const digest = latest ? formatDigest(latest.id, latest.checkpointHash) : undefined;
      if (options.expect) checkExpected(options.expect, checkpoints, problems);
      const window: Window = { from: options.from, to: options.to };
      const inWindow = batches.filter((b) => inside(b, window));
      const cuts = await readRetentionCuts(client);
      const rows = await checkRows(
        client,
        { ...window, withRetained: cuts !== undefined },
        inWindow,
        await readGenesisUs(client),
        problems,
      );
      await client.query('COMMIT');
      return {
        intact: problems.length === 0,
        chains: chains.size,
        batches: batches.length,
        batchesChecked: inWindow.length,
        rows: rows.checked,
        checkpoints: checkpoints.length,
        legacyRows: rows.legacy,
        retainedRows: rows.retained,
        retentionCuts: cuts ?? 0,
        problems,
        digest,
      };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  });
}

function inside(b: BatchRecord, window: Window): boolean {
  return (
    (!window.from || b.firstStartedAt >= window.from) && (!window.to || b.lastStartedAt < window.to)
  );
}

async function checkRows(
  client: Parameters<typeof streamRows>[0],
  window: Window & { withRetained: boolean },
  inWindow: readonly BatchRecord[],
  genesisUs: bigint,
  problems: LedgerProblem[],
) {
  const key = (chain: string | null, seq: bigint | null) => `${chain}\u0000${seq}`;
  const pending = new Map(inWindow.map((b) => [key(b.chainId, b.seq), b]));
  const known = new Set(pending.keys());
  const orphans: LedgerRow[] = [];
  let checked = 0;
  let legacy = 0;
  let retained = 0;
  let group: LedgerRow[] = [];
  let groupKey: string | undefined;
  const flush = () => {
    if (groupKey === undefined) return;
    const batch = pending.get(groupKey);
    if (batch) {
      checkBatchRows(batch, group, problems);
      pending.delete(groupKey);
    } else if (!known.has(groupKey)) {
      // A batch outside the window is checked when its whole time range is asked for.
      orphans.push(...group.slice(0, 21 - orphans.length));
    }
    group = [];
  };
  for await (const row of streamRows(client, window, window.withRetained)) {
    if (row.retained) retained++;
    else checked++;
    if (row.chainId === null) {
      if (row.ingestedUs < genesisUs) legacy++;
      else unchained(row, problems);
      continue;
    }
    const k = key(row.chainId, row.seq);
    if (k !== groupKey) {
      flush();
      groupKey = k;
    }
    group.push(row);
  }
  flush();
  const ids = new Set(pending.keys());
  for (const b of pending.values()) checkBatchRows(b, [], problems);
  rowsWithoutBatch(
    orphans.filter((r) => !ids.has(key(r.chainId, r.seq))),
    problems,
  );
  return { checked, legacy, retained };
}

function unchained(row: LedgerRow, problems: LedgerProblem[]) {
  if (problems.filter((p) => p.kind === 'unchained_row').length >= 20) return;
  problems.push({
    kind: 'unchained_row',
    message: `${row.kind === 'audit' ? 'audit_log' : 'llm_usage'} row span ${row.spanId} (trace ${row.traceId}) was written outside the ledger chain (no batch)`,
  });
}

function checkExpected(
  expect: string,
  checkpoints: readonly { id: bigint; checkpointHash: Buffer }[],
  problems: LedgerProblem[],
) {
  const m = new RegExp(`^${DIGEST_PREFIX}:(\\d+):([0-9a-f]{64})$`).exec(expect.trim());
  if (!m) {
    problems.push({
      kind: 'expected_digest',
      message: `--expect ${JSON.stringify(expect)} is not a digest printed by "spanledger verify --digest"`,
    });
    return;
  }
  const found = checkpoints.find((c) => c.id === BigInt(m[1]!));
  if (!found || found.checkpointHash.toString('hex') !== m[2]) {
    problems.push({
      kind: 'expected_digest',
      message: `checkpoint ${m[1]} of the expected digest is ${found ? 'changed' : 'gone'}: the ledger is not the one that digest was taken of`,
    });
  }
}
