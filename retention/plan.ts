import type { ClientBase } from 'pg';

/** One monthly partition of audit_log or llm_usage. */
export interface MonthPartition {
  table: 'audit_log' | 'llm_usage';
  partition: string;
  /** Inclusive lower bound. */
  from: Date;
  /** Exclusive upper bound. */
  to: Date;
}

/** What a retention run would cut, or why it refuses. */
export type RetentionPlan =
  | { ok: true; before: Date; cut: MonthPartition[] }
  | { ok: false; reason: string };

/** Parses `--before YYYY-MM-DD` as midnight UTC; undefined when it is not such a date. */
export function parseBefore(value: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const d = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value ? undefined : d;
}

const monthName = (d: Date) => d.toISOString().slice(0, 7);

/**
 * The whole monthly partitions that end on or before `before` (pure). Refuses a date that would
 * cut the current month (or a later one): those still receive rows.
 */
export function planRetention(
  partitions: readonly MonthPartition[],
  before: Date,
  now: Date,
): RetentionPlan {
  const currentMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  if (before >= nextMonth) {
    return {
      ok: false,
      reason: `--before ${before.toISOString().slice(0, 10)} would cut ${monthName(currentMonth)}, the current month (or a later one); retention cuts only whole past months: use --before ${currentMonth.toISOString().slice(0, 10)} or earlier`,
    };
  }
  const cut = partitions
    .filter((p) => p.to <= before && p.to <= currentMonth)
    .sort((a, b) => a.from.getTime() - b.from.getTime() || a.table.localeCompare(b.table));
  return { ok: true, before, cut };
}

/** The monthly partitions of audit_log and llm_usage with their bounds (the default excluded). */
export async function listMonthPartitions(client: ClientBase): Promise<MonthPartition[]> {
  const { rows } = await client.query<{ parent: string; name: string; from: Date; to: Date }>(
    `SELECT p.relname AS parent, c.relname AS name,
            (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([^'']+)''\\)'))[1]::timestamptz AS "from",
            (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz AS "to"
       FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_class p ON p.oid = i.inhparent
       JOIN pg_namespace n ON n.oid = p.relnamespace
      WHERE n.nspname = 'spanledger' AND p.relname IN ('audit_log', 'llm_usage')
        AND NOT pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'`,
  );
  return rows.map((r) => ({
    table: r.parent as MonthPartition['table'],
    partition: r.name,
    from: r.from,
    to: r.to,
  }));
}
