/**
 * `npm run bench:sizing`: how much disk a call takes. Writes SIZING_CALLS realistic chat spans
 * (bench/lib/genai-spans.ts: ~30 attributes, digests, no content: the privacy default) through
 * the real exporter, then measures every table with pg_total_relation_size (heap, TOAST and
 * indexes, summed over partitions) and prints bytes per call and GB per million calls.
 * DATABASE_URL selects the server (default: a throwaway embedded Postgres).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PgSpanExporter } from '../exporters/index.js';
import { genaiSpan } from './lib/genai-spans.js';
import { benchServer, freshDatabase } from './lib/postgres.js';

const CALLS = Number(process.env.SIZING_CALLS ?? 50_000);
const BATCH = 500;
const TABLES = ['audit_log', 'llm_usage', 'usage_daily', 'ledger_batches', 'ledger_checkpoints'];

async function main() {
  const server = await benchServer();
  try {
    const url = await freshDatabase(server.url, 'spanledger_bench_sizing');
    const spoolDir = await mkdtemp(join(tmpdir(), 'spanledger-bench-spool-'));
    const exporter = new PgSpanExporter({ databaseUrl: url, spool: { dir: spoolDir } });
    for (let done = 0; done < CALLS; done += BATCH) {
      const spans = Array.from({ length: Math.min(BATCH, CALLS - done) }, () => genaiSpan());
      const outcome = await exporter.exportSpans(spans);
      if (outcome.code !== 0) throw new Error(`export failed: ${outcome.error?.message}`);
    }
    await exporter.shutdown();
    await rm(spoolDir, { recursive: true, force: true });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('VACUUM ANALYZE');
    const sizes: Record<string, number> = {};
    for (const table of TABLES) {
      const { rows } = await client.query<{ bytes: string }>(
        `SELECT coalesce(sum(pg_total_relation_size(relid)), 0)::text AS bytes
           FROM pg_partition_tree($1::regclass)`,
        [`spanledger.${table}`],
      );
      sizes[table] = Number(rows[0]!.bytes);
    }
    await client.end();
    const total = Object.values(sizes).reduce((a, b) => a + b, 0);
    for (const [table, bytes] of Object.entries(sizes)) {
      console.log(`${table.padEnd(20)} ${(bytes / CALLS).toFixed(0).padStart(6)} bytes/call`);
    }
    const perCall = (bytes: number) => Math.round(bytes / CALLS);
    const gbPerMillion = ((total / CALLS) * 1e6) / 1024 ** 3;
    console.log(
      `RESULT calls=${CALLS} audit_bytes_per_call=${perCall(sizes.audit_log!)} usage_bytes_per_call=${perCall(sizes.llm_usage!)} ledger_bytes_per_call=${perCall(sizes.ledger_batches! + sizes.ledger_checkpoints!)} total_bytes_per_call=${perCall(total)} gb_per_million_calls=${gbPerMillion.toFixed(2)}`,
    );
  } finally {
    await server.stop();
  }
}

await main();
