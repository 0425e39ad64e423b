import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { INSERT_DEAD_LETTER_SQL } from './write-sql.js';

/** Something that could not be stored, and why. */
export interface DeadLetter {
  /** Where it came from: 'exporter', 'otlp', 'spool', ... */
  source: string;
  reason: string;
  tenant_id?: string | null;
  trace_id?: string | null;
  span_id?: string | null;
  payload?: unknown;
}

const MAX_REASON = 2_000;

function toRecord(entry: DeadLetter) {
  const record = {
    source: entry.source,
    reason:
      entry.reason.length > MAX_REASON ? `${entry.reason.slice(0, MAX_REASON)}…` : entry.reason,
    tenant_id: entry.tenant_id ?? null,
    trace_id: entry.trace_id ?? null,
    span_id: entry.span_id ?? null,
    payload: entry.payload ?? null,
  };
  // The reason is left out of the key: Postgres' message for the same row differs between
  // attempts (it quotes now() defaults), and the same span is the same dead letter.
  const { reason: _reason, ...identity } = record;
  const dedup_key = createHash('sha256').update(identityText(identity)).digest('hex');
  return { ...record, dedup_key };
}

function identityText(identity: Record<string, unknown>): string {
  try {
    return JSON.stringify(identity);
  } catch {
    return JSON.stringify({ ...identity, payload: null });
  }
}

/**
 * Inserts dead letters in one statement. If the payloads themselves are refused (they came from
 * bad input, after all), the entries are stored again without payload so the reason survives.
 */
export async function writeDeadLetters(pool: Pool, entries: readonly DeadLetter[]): Promise<void> {
  if (entries.length === 0) return;
  const records = entries.map(toRecord);
  let json: string;
  try {
    json = JSON.stringify(records);
  } catch (err) {
    // A payload JSON cannot represent (a BigInt, a cycle): keep the reasons without payloads.
    json = JSON.stringify(withoutPayloads(records, err));
  }
  try {
    await pool.query(INSERT_DEAD_LETTER_SQL, [json]);
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (!code.startsWith('22')) throw err;
    await pool.query(INSERT_DEAD_LETTER_SQL, [JSON.stringify(withoutPayloads(records, err))]);
  }
}

function withoutPayloads(records: ReturnType<typeof toRecord>[], err: unknown) {
  return records.map((r) => ({
    ...r,
    payload: { unstorable_payload: true, error: (err as Error)?.message ?? String(err) },
  }));
}
