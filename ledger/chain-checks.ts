import { batchHash, GENESIS, merkleRoot } from './merkle.js';
import type {
  BatchRecord,
  CheckpointRecord,
  HeadRecord,
  LedgerProblem,
  LedgerRow,
} from './types.js';

const at = (d: Date) => d.toISOString();
const batchName = (b: { chainId: string; seq: bigint }) => `chain ${b.chainId} batch ${b.seq}`;

/**
 * Each chain's batches are contiguous from 1, each batch hash matches its fields and each batch
 * links to its predecessor; each head matches its chain's last batch.
 */
export function checkChains(
  batches: readonly BatchRecord[],
  heads: readonly HeadRecord[],
  problems: LedgerProblem[],
): Map<string, BatchRecord[]> {
  const chains = new Map<string, BatchRecord[]>();
  for (const b of batches) {
    const list = chains.get(b.chainId) ?? [];
    list.push(b);
    chains.set(b.chainId, list);
  }
  for (const [chainId, list] of chains) {
    list.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
    let prev: Buffer = GENESIS;
    let expected = 1n;
    for (const b of list) {
      if (b.seq !== expected) {
        problems.push({
          kind: 'rows_missing',
          message: `chain ${chainId}: batches ${expected}..${b.seq - 1n} are missing (the chain jumps to ${b.seq}, committed rows from ${at(b.firstStartedAt)})`,
        });
        prev = b.prevHash;
      }
      if (!b.prevHash.equals(prev)) {
        problems.push({
          kind: 'broken_link',
          message: `${batchName(b)} does not link to the batch before it (rows ${at(b.firstStartedAt)} to ${at(b.lastStartedAt)})`,
        });
      }
      if (!batchHash(b).equals(b.batchHash)) {
        problems.push({
          kind: 'batch_changed',
          message: `${batchName(b)}: its stored hash does not match its fields (rows ${at(b.firstStartedAt)} to ${at(b.lastStartedAt)})`,
        });
      }
      prev = b.batchHash;
      expected = b.seq + 1n;
    }
  }
  for (const h of heads) {
    const last = chains.get(h.chainId)?.at(-1);
    if (h.seq === 0n && !last) continue;
    if (!last || last.seq !== h.seq || !last.batchHash.equals(h.head)) {
      problems.push({
        kind: 'head_mismatch',
        message: `chain ${h.chainId}: its head is batch ${h.seq} but the last stored batch is ${last?.seq ?? 'none'} (batches removed from or added to the end)`,
      });
    }
  }
  return chains;
}

/**
 * The checkpoints form a chain of their own (ids from 1, each linking to the one before, hashes
 * that match), and every head a checkpoint bound is still the batch it was.
 */
export function checkCheckpoints(
  checkpoints: readonly CheckpointRecord[],
  chains: ReadonlyMap<string, BatchRecord[]>,
  problems: LedgerProblem[],
): void {
  let prev: Buffer = GENESIS;
  let expected = 1n;
  for (const c of checkpoints) {
    if (c.id !== expected) {
      problems.push({
        kind: 'checkpoint_broken',
        message: `checkpoints ${expected}..${c.id - 1n} are missing`,
      });
      prev = c.prevHash;
    }
    if (!c.prevHash.equals(prev) || !c.recomputed.equals(c.checkpointHash)) {
      problems.push({
        kind: 'checkpoint_broken',
        message: `checkpoint ${c.id} (${at(c.at)}) was changed or does not link to checkpoint ${c.id - 1n}`,
      });
    }
    for (const [chainId, [seq, hex]] of Object.entries(c.heads)) {
      const batch = chains.get(chainId)?.find((b) => b.seq === BigInt(seq));
      if (!batch || batch.batchHash.toString('hex') !== hex) {
        problems.push({
          kind: 'rows_missing',
          message: `chain ${chainId} batch ${seq}, bound by checkpoint ${c.id} (${at(c.at)}), is ${batch ? 'changed' : 'gone'}`,
        });
      }
    }
    prev = c.checkpointHash;
    expected = c.id + 1n;
  }
}

const compareRows = (a: LedgerRow, b: LedgerRow) =>
  a.traceId < b.traceId
    ? -1
    : a.traceId > b.traceId
      ? 1
      : a.spanId < b.spanId
        ? -1
        : a.spanId > b.spanId
          ? 1
          : a.startedUs < b.startedUs
            ? -1
            : a.startedUs > b.startedUs
              ? 1
              : 0;

const rowName = (r: LedgerRow) =>
  `${r.kind === 'audit' ? 'audit_log' : 'llm_usage'} row span ${r.spanId} (trace ${r.traceId})`;

/**
 * Every row's content still hashes to what was written, and each batch's rows are exactly the
 * ones it committed (count and Merkle root over the stored row hashes).
 */
export function checkBatchRows(
  batch: BatchRecord,
  rows: LedgerRow[],
  problems: LedgerProblem[],
): void {
  const audit = rows.filter((r) => r.kind === 'audit').sort(compareRows);
  const usage = rows.filter((r) => r.kind === 'usage').sort(compareRows);
  let changed = 0;
  for (const r of [...audit, ...usage]) {
    if (!r.stored?.equals(r.recomputed)) {
      changed++;
      problems.push({
        kind: 'row_changed',
        message: `${rowName(r)} in ${batchName(batch)}: its content changed after it was written`,
      });
    }
  }
  const range = `rows ${at(batch.firstStartedAt)} to ${at(batch.lastStartedAt)}`;
  for (const [kind, list, count] of [
    ['audit_log', audit, batch.auditRows],
    ['llm_usage', usage, batch.usageRows],
  ] as const) {
    if (list.length < count) {
      problems.push({
        kind: 'rows_missing',
        message: `${batchName(batch)}: ${count - list.length} ${kind} row(s) missing (${range})`,
      });
    } else if (list.length > count) {
      problems.push({
        kind: 'rows_added',
        message: `${batchName(batch)}: ${list.length - count} ${kind} row(s) added (${range})`,
      });
    }
  }
  if (audit.length !== batch.auditRows || usage.length !== batch.usageRows || changed > 0) return;
  const leaves = [...audit, ...usage].map((r) => r.stored!);
  if (!merkleRoot(leaves).equals(batch.merkleRoot)) {
    problems.push({
      kind: 'rows_replaced',
      message: `${batchName(batch)}: rows were replaced (the row hashes no longer form the committed Merkle root; ${range})`,
    });
  }
}

/** Rows that name a batch that does not exist were not written through the ledger. */
export function rowsWithoutBatch(rows: readonly LedgerRow[], problems: LedgerProblem[]): void {
  for (const r of rows.slice(0, 20)) {
    problems.push({
      kind: 'rows_added',
      message: `${rowName(r)} claims chain ${r.chainId} batch ${r.seq}, which was never committed`,
    });
  }
  if (rows.length > 20) {
    problems.push({
      kind: 'rows_added',
      message: `and ${rows.length - 20} more row(s) claiming batches that were never committed`,
    });
  }
}
