import type { ClientBase } from 'pg';

/** One partitioned ledger table as spanledger.partition_status() reports it. */
export interface PartitionStatus {
  /** `audit_log` or `llm_usage`. */
  table: string;
  /** Consecutive months after the current one that have a partition (0–24). */
  monthsAhead: number;
  /** The table's default partition holds rows (their months can never get a partition). */
  defaultHasRows: boolean;
}

/** Fewer future months than this is worth a warning (and a /readyz detail). */
export const MIN_MONTHS_AHEAD = 2;

/** Reads the partition status through the owner's SECURITY DEFINER function. */
export async function readPartitionStatus(client: ClientBase): Promise<PartitionStatus[]> {
  const { rows } = await client.query<{
    table_name: string;
    months_ahead: number;
    default_has_rows: boolean;
  }>('SELECT table_name, months_ahead, default_has_rows FROM spanledger.partition_status()');
  return rows.map((r) => ({
    table: r.table_name,
    monthsAhead: r.months_ahead,
    defaultHasRows: r.default_has_rows,
  }));
}

/** What an operator should know about `status`, one sentence per problem (pure). */
export function partitionWarnings(status: readonly PartitionStatus[]): string[] {
  const warnings: string[] = [];
  for (const s of status) {
    if (s.monthsAhead < MIN_MONTHS_AHEAD) {
      warnings.push(
        `spanledger.${s.table} has partitions for ${s.monthsAhead} future month(s) (fewer than ${MIN_MONTHS_AHEAD}): rows past them will land in ${s.table}_default; check extensions.maintenance (months_ahead, schedule) or run "spanledger maintain"`,
      );
    }
    if (s.defaultHasRows) {
      warnings.push(
        `spanledger.${s.table}_default holds rows: their months can no longer get a partition of their own (retention cannot archive them by month); keep partitions ahead with extensions.maintenance, see docs/operations.md`,
      );
    }
  }
  return warnings;
}
