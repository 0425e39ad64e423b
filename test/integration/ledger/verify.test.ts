import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { merkleRoot, verifyLedger } from '../../../ledger/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { createTestExporter, ExportResultCode, exportVia } from '../../helpers/exporter.js';
import { chatAttributes, createTestTracer } from '../../helpers/spans.js';
import { spawnCli } from '../../helpers/spawn-cli.js';

async function writeSpans(url: string, batches: number, perBatch: number) {
  const { exporter, cleanup } = await createTestExporter(url);
  const t = createTestTracer();
  const ids: string[] = [];
  try {
    for (let b = 0; b < batches; b++) {
      const spans = Array.from(
        { length: perBatch },
        () => t.span('chat', chatAttributes()).readable,
      );
      expect(await exportVia(exporter, spans)).toBe(ExportResultCode.SUCCESS);
      ids.push(...spans.map((s) => s.spanContext().spanId));
    }
  } finally {
    await cleanup(); // shutdown writes the last checkpoint
  }
  return ids;
}

/** As a superuser, behind the triggers' back: what an insider with full access could do. */
async function behindTheTriggers(pool: pg.Pool, sql: string, params: unknown[] = []) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL session_replication_role = replica');
    await client.query(sql, params);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

describe('spanledger verify', () => {
  let db: TestDatabase;
  let ids: string[];
  beforeAll(async () => {
    db = await createTestDatabase();
    // Small exports (one lane each) and one large one (split into two lanes: two chains).
    ids = await writeSpans(db.url, 4, 50);
    ids.push(...(await writeSpans(db.url, 1, 1_200)));
  });
  afterAll(async () => db.drop());

  it('an intact ledger verifies, row by row, with the Merkle roots the database computed', async () => {
    const report = await verifyLedger(db.pool);
    expect(report.problems).toEqual([]);
    expect(report.intact).toBe(true);
    expect(report.rows).toBe(ids.length * 2); // an audit and a usage row per chat call
    expect(report.chains).toBeGreaterThanOrEqual(3);
    expect(report.checkpoints).toBeGreaterThanOrEqual(2);
    expect(report.digest).toMatch(/^spanledger-ledger-v1:\d+:[0-9a-f]{64}$/);
    // The database's merkle_root_v1 and the verifier's are the same function.
    const { rows } = await db.pool.query<{ root: Buffer; leaves: Buffer[] }>(
      `SELECT spanledger.merkle_root_v1(array_agg(h ORDER BY i)) AS root, array_agg(h ORDER BY i) AS leaves
         FROM (SELECT i, sha256(int4send(i)) AS h FROM generate_series(1, 13) i) x`,
    );
    expect(rows[0]!.root.equals(merkleRoot(rows[0]!.leaves))).toBe(true);
  });

  it('names the span whose tokens a superuser changed behind the triggers', async () => {
    const victim = ids[7]!;
    const before = await verifyLedger(db.pool);
    await behindTheTriggers(
      db.pool,
      'UPDATE spanledger.llm_usage SET input_tokens = input_tokens + 1000 WHERE span_id = $1',
      [victim],
    );
    const report = await verifyLedger(db.pool, { expect: before.digest });
    expect(report.intact).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({
        kind: 'row_changed',
        message: expect.stringContaining(`llm_usage row span ${victim}`),
      }),
    ]);
    await behindTheTriggers(
      db.pool,
      'UPDATE spanledger.llm_usage SET input_tokens = input_tokens - 1000 WHERE span_id = $1',
      [victim],
    );
    expect((await verifyLedger(db.pool)).intact).toBe(true);
  });

  it('catches a deleted row, a row added outside the chain, and a removed chain tail', async () => {
    const gone = ids[3]!;
    await behindTheTriggers(db.pool, 'DELETE FROM spanledger.llm_usage WHERE span_id = $1', [gone]);
    await behindTheTriggers(db.pool, 'DELETE FROM spanledger.audit_log WHERE span_id = $1', [gone]);
    const added = randomBytes(8).toString('hex');
    await behindTheTriggers(
      db.pool,
      `INSERT INTO spanledger.audit_log (trace_id, span_id, started_at, tenant_id, event_type, status)
       VALUES ($1, $2, now(), 'tenant-a', 'llm_call', 'ok')`,
      [randomBytes(16).toString('hex'), added],
    );
    // The tail of one chain: its last batch, its rows and its head, as a careful insider would.
    const { rows: last } = await db.pool.query<{ chain_id: string; seq: string }>(
      'SELECT chain_id, seq FROM spanledger.ledger_batches ORDER BY committed_at DESC, seq DESC LIMIT 1',
    );
    const tail = last[0]!;
    await behindTheTriggers(
      db.pool,
      `DELETE FROM spanledger.llm_usage u USING spanledger.audit_log a
        WHERE a.trace_id = u.trace_id AND a.span_id = u.span_id AND a.ledger_chain = $1 AND a.ledger_seq = $2`,
      [tail.chain_id, tail.seq],
    );
    await behindTheTriggers(
      db.pool,
      'DELETE FROM spanledger.audit_log WHERE ledger_chain = $1 AND ledger_seq = $2',
      [tail.chain_id, tail.seq],
    );
    await behindTheTriggers(
      db.pool,
      'DELETE FROM spanledger.ledger_batches WHERE chain_id = $1 AND seq = $2',
      [tail.chain_id, tail.seq],
    );
    await behindTheTriggers(
      db.pool,
      'UPDATE spanledger.ledger_heads SET seq = seq - 1 WHERE chain_id = $1',
      [tail.chain_id],
    );
    const report = await verifyLedger(db.pool);
    expect(report.intact).toBe(false);
    const text = report.problems.map((p) => `${p.kind}: ${p.message}`).join('\n');
    expect(text).toMatch(/rows_missing: chain \S+ batch \d+: 1 audit_log row\(s\) missing/);
    expect(text).toContain(`unchained_row: audit_log row span ${added}`);
    // The head was moved back too, but the checkpoint still binds the removed batch.
    expect(text).toMatch(
      new RegExp(
        `rows_missing: chain ${tail.chain_id} batch ${tail.seq}, bound by checkpoint \\d+ .*is gone`,
      ),
    );
  });

  it('the CLI exits 0 on an intact ledger, 2 when not, and names the row', async () => {
    const fresh = await createTestDatabase();
    try {
      const written = await writeSpans(fresh.url, 2, 20);
      const ok = spawnCli(['verify', '--database-url', fresh.url, '--digest']);
      expect((await ok.exit()).code).toBe(0);
      expect(ok.output()).toMatch(/intact: \d+ chain\(s\)/);
      const digest = /spanledger-ledger-v1:\d+:[0-9a-f]{64}/.exec(ok.output())![0];
      await behindTheTriggers(
        fresh.pool,
        "UPDATE spanledger.audit_log SET tenant_id = 'someone-else' WHERE span_id = $1",
        [written[5]],
      );
      const bad = spawnCli(['verify', '--database-url', fresh.url, '--expect', digest]);
      expect((await bad.exit()).code).toBe(2);
      expect(bad.output()).toContain(`row_changed: audit_log row span ${written[5]}`);
    } finally {
      await fresh.drop();
    }
  });
});
