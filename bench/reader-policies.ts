/**
 * npm run bench:reader-policies — what the tenant-bound reader policies
 * (migrations/sql/1796480045325_tenant-bound-readers.sql) cost the readers. On BENCH_ROWS audit
 * rows (default 1,000,000; 100 tenants, 90 days), three queries (a tenant's newest page, its
 * errors of the last 30 days, a month's calls per model) run:
 *   - as spanledger_reader with spanledger.tenant_id set (the query API's way), with the
 *     restrictive cap in place and, in the same run, with it dropped inside a rolled-back
 *     transaction (the schema before the migration);
 *   - as a login bound with spanledger.grant_tenant_reader (Grafana's way).
 * Variants are interleaved, each query timed many times; the medians and their ratios to the
 * uncapped baseline are printed as a RESULT line.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { benchServer, freshDatabase } from './lib/postgres.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const TENANT = 'tenant-042';

const QUERIES = {
  page: `SELECT trace_id, span_id, started_at, request_model, status FROM spanledger.audit_log
         WHERE tenant_id = '${TENANT}' ORDER BY started_at DESC LIMIT 51`,
  errors: `SELECT count(*) FROM spanledger.audit_log
           WHERE tenant_id = '${TENANT}' AND status = 'error' AND started_at > now() - interval '30 days'`,
  month: `SELECT request_model, count(*) FROM spanledger.audit_log
          WHERE started_at > now() - interval '30 days' GROUP BY 1`,
} as const;
type QueryName = keyof typeof QUERIES;

const DROP_CAP = ['audit_log', 'llm_usage', 'usage_daily']
  .map((t) => `DROP POLICY bound_login_own_tenant ON spanledger.${t}`)
  .join('; ');

async function timed(client: pg.Client, sql: string): Promise<number> {
  const start = process.hrtime.bigint();
  await client.query(sql);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

async function main() {
  const server = await benchServer();
  const url = await freshDatabase(server.url, 'bench_reader_policies');
  const owner = new pg.Client({ connectionString: url });
  await owner.connect();
  const login = `bench_bound_${randomBytes(3).toString('hex')}`;
  try {
    await owner.query(
      `INSERT INTO spanledger.audit_log (trace_id, span_id, started_at, tenant_id, user_id,
         event_type, status, provider, request_model, duration_ms)
       SELECT md5(i::text), left(md5('s' || i), 16),
              now() - make_interval(secs => (i::float8 / $1) * 90 * 86400),
              'tenant-' || lpad((abs(hashint4(i)) % 100)::text, 3, '0'), 'user-' || (i % 50),
              'llm_call', CASE WHEN i % 40 = 0 THEN 'error' ELSE 'ok' END, 'openai',
              (ARRAY['gpt-4o', 'gpt-4o-mini', 'o3-mini'])[1 + i % 3], 100 + i % 900
       FROM generate_series(1, $1) AS i`,
      [ROWS],
    );
    await owner.query('ANALYZE spanledger.audit_log');
    const password = randomBytes(12).toString('hex');
    await owner.query(`CREATE ROLE ${login} LOGIN PASSWORD '${password}'`);
    await owner.query('SELECT spanledger.grant_tenant_reader($1, $2)', [login, TENANT]);
    const boundUrl = new URL(url);
    boundUrl.username = login;
    boundUrl.password = password;
    const bound = new pg.Client({ connectionString: boundUrl.toString() });
    await bound.connect();

    const times: Record<string, number[]> = {};
    const record = (key: string, ms: number) => {
      times[key] ??= [];
      times[key].push(ms);
    };
    const asReader = `BEGIN READ ONLY; SET LOCAL ROLE spanledger_reader; SELECT set_config('spanledger.tenant_id', '${TENANT}', true)`;
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of Object.keys(QUERIES) as QueryName[]) {
        await owner.query(asReader);
        record(`${name}_capped`, await timed(owner, QUERIES[name]));
        await owner.query('ROLLBACK');
        await owner.query(
          `BEGIN; ${DROP_CAP}; SET LOCAL ROLE spanledger_reader; SELECT set_config('spanledger.tenant_id', '${TENANT}', true)`,
        );
        record(`${name}_uncapped`, await timed(owner, QUERIES[name]));
        await owner.query('ROLLBACK');
        record(`${name}_bound`, await timed(bound, QUERIES[name]));
      }
    }
    await bound.end();
    const parts = [`rows=${ROWS}`, `rounds=${ROUNDS}`];
    for (const name of Object.keys(QUERIES)) {
      const base = median(times[`${name}_uncapped`]!);
      const capped = median(times[`${name}_capped`]!);
      const viaLogin = median(times[`${name}_bound`]!);
      parts.push(
        `${name}_uncapped_ms=${base.toFixed(2)}`,
        `${name}_capped_ms=${capped.toFixed(2)}`,
        `${name}_bound_login_ms=${viaLogin.toFixed(2)}`,
        `${name}_capped_vs_uncapped=${(capped / base).toFixed(2)}`,
        `${name}_bound_vs_uncapped=${(viaLogin / base).toFixed(2)}`,
      );
    }
    console.log(`RESULT ${parts.join(' ')}`);
  } finally {
    await owner.query(`DROP ROLE IF EXISTS ${login}`).catch(() => {});
    await owner.end();
    await server.stop();
  }
}

await main();
