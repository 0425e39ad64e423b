/** One committed batch of a chain, as stored in spanledger.ledger_batches. */
export interface BatchRecord {
  chainId: string;
  seq: bigint;
  prevHash: Buffer;
  merkleRoot: Buffer;
  auditRows: number;
  usageRows: number;
  firstStartedAt: Date;
  lastStartedAt: Date;
  batchHash: Buffer;
}

/** A chain's head as spanledger.ledger_heads holds it. */
export interface HeadRecord {
  chainId: string;
  seq: bigint;
  head: Buffer;
}

/** A checkpoint, with the hash the database recomputes from its stored fields. */
export interface CheckpointRecord {
  id: bigint;
  at: Date;
  heads: Record<string, [number | string, string]>;
  prevHash: Buffer;
  checkpointHash: Buffer;
  recomputed: Buffer;
}

/** One audit_log or llm_usage row as verify reads it. */
export interface LedgerRow {
  kind: 'audit' | 'usage';
  /** Removed by retention: only its kept row hash remains (retention_row_hashes). */
  retained: boolean;
  chainId: string | null;
  seq: bigint | null;
  traceId: string;
  spanId: string;
  /** started_at in epoch microseconds: the tiebreak of the ledger order. */
  startedUs: bigint;
  stored: Buffer | null;
  recomputed: Buffer;
  /** ingested_at in epoch microseconds. */
  ingestedUs: bigint;
}

/** Something verify found wrong, with the words to find it. */
export interface LedgerProblem {
  kind:
    | 'row_changed'
    | 'rows_missing'
    | 'rows_added'
    | 'rows_replaced'
    | 'batch_changed'
    | 'broken_link'
    | 'head_mismatch'
    | 'checkpoint_broken'
    | 'unchained_row'
    | 'expected_digest';
  message: string;
}

/** What verify checked and found. */
export interface VerifyReport {
  intact: boolean;
  chains: number;
  batches: number;
  /** Batches whose rows were checked (all, or those inside --from/--to). */
  batchesChecked: number;
  rows: number;
  checkpoints: number;
  /** Rows written before the ledger chain existed: not covered, only counted. */
  legacyRows: number;
  /** Rows removed by retention whose kept hashes were checked in their batches. */
  retainedRows: number;
  /** Retention cuts recorded in retention_cuts. */
  retentionCuts: number;
  problems: LedgerProblem[];
  /** The latest checkpoint: what `--digest` prints and `--expect` compares. */
  digest: string | undefined;
}
