import { access, chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLANNER_MODEL, WRITER_MODEL } from '../../../examples/weather-service.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { SCENARIOS } from '../../helpers/fake-provider.js';
import { spawnScript } from '../../helpers/spawn-script.js';
import { startTestCollector, type TestCollector } from '../collector/harness.js';

// Runs `npm run demo`'s script as a child process, reads the table it prints and checks it
// against the fake provider's known usage and against the rows themselves.

const DEMO = 'examples/demo.ts';
const REQUESTS = 2;
const openai = SCENARIOS.tools;
const anthropic = SCENARIOS.anthropic;
const anthropicInput = anthropic.input + anthropic.cacheRead + anthropic.cacheWrite;
const ANTHROPIC_KEY = `anthropic/${WRITER_MODEL}`;
// The fake provider answers non-streamed chat with a dated snapshot of the requested model.
const OPENAI_KEY = `openai/${PLANNER_MODEL}-2024-07-18`;

interface DemoRun {
  output: string;
  traceIds: string[];
  /** provider/model (or 'total') → [calls, input, output, cost]. */
  usage: Map<string, [number, number, number, string]>;
  tools: Map<string, [number, number]>;
}

/** Lines of the printed table starting with `header`, up to the next blank line. */
function section(output: string, header: RegExp): string[][] {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => header.test(l));
  if (start < 0) throw new Error(`no table ${header} in:\n${output}`);
  const end = lines.findIndex((l, i) => i > start && l.trim() === '');
  return lines.slice(start + 1, end < 0 ? undefined : end).map((l) => l.trim().split(/\s+/));
}

async function runDemo(env: Record<string, string | undefined>): Promise<DemoRun> {
  const demo = spawnScript(DEMO, [], {
    DATABASE_URL: undefined,
    OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
    ...env,
  });
  const exit = await demo.exit();
  const output = demo.output();
  expect(exit, output).toEqual({ code: 0, signal: null });
  const usage = new Map<string, [number, number, number, string]>();
  for (const cells of section(output, /^provider\s+model\s+calls/)) {
    const [key, calls, input, out, cost] =
      cells[0] === 'total' ? cells : [`${cells[0]}/${cells[1]}`, ...cells.slice(2)];
    usage.set(key!, [Number(calls), Number(input), Number(out), cost!]);
  }
  const tools = new Map<string, [number, number]>();
  for (const [tool, calls, errors] of section(output, /^tool\s+calls\s+errors/)) {
    tools.set(tool!, [Number(calls), Number(errors)]);
  }
  const traceIds = [...output.matchAll(/^ {2}trace ([0-9a-f]{32})$/gm)].map((m) => m[1]!);
  return { output, traceIds, usage, tools };
}

/** llm_usage of the run, per provider/model, as the table should show it. */
async function usageInDatabase(db: TestDatabase, traceIds: string[]) {
  const { rows } = await db.pool.query(
    `SELECT provider || '/' || model AS key, count(*)::int AS calls,
            sum(input_tokens)::int AS input, sum(output_tokens)::int AS output,
            sum(cost_usd)::text AS cost, array_agg(DISTINCT tenant_id ORDER BY tenant_id) AS tenants
       FROM spanledger.llm_usage WHERE trace_id = ANY($1) GROUP BY 1 ORDER BY 1`,
    [traceIds],
  );
  return rows;
}

function expectTheTable(run: DemoRun): void {
  expect(run.traceIds).toHaveLength(REQUESTS);
  expect(run.usage.get(ANTHROPIC_KEY)?.slice(0, 3)).toEqual([
    REQUESTS,
    REQUESTS * anthropicInput,
    REQUESTS * anthropic.output,
  ]);
  expect(run.usage.get(OPENAI_KEY)?.slice(0, 3)).toEqual([
    REQUESTS,
    REQUESTS * openai.input,
    REQUESTS * openai.output,
  ]);
  expect(run.usage.get('total')?.slice(0, 3)).toEqual([
    2 * REQUESTS,
    REQUESTS * (anthropicInput + openai.input),
    REQUESTS * (anthropic.output + openai.output),
  ]);
  expect(run.tools).toEqual(new Map([['get_weather', [REQUESTS, 0]]]));
}

/** The printed table is what the database holds, cost included, decimal for decimal. */
async function expectTheRows(db: TestDatabase, run: DemoRun): Promise<void> {
  const rows = await usageInDatabase(db, run.traceIds);
  expect(rows.map((r) => r.key)).toEqual([ANTHROPIC_KEY, OPENAI_KEY]);
  for (const r of rows) {
    expect(run.usage.get(r.key)).toEqual([r.calls, r.input, r.output, r.cost]);
    expect(Number(r.cost)).toBeGreaterThan(0);
    expect(r.tenants).toEqual(['acme', 'globex']);
  }
  const tools = await db.pool.query(
    `SELECT tenant_id, user_id, service_name, status FROM spanledger.audit_log
      WHERE trace_id = ANY($1) AND mcp_method = 'tools/call' ORDER BY tenant_id`,
    [run.traceIds],
  );
  expect(tools.rows).toEqual([
    { tenant_id: 'acme', user_id: 'ann', service_name: 'spanledger-demo', status: 'ok' },
    { tenant_id: 'globex', user_id: 'bob', service_name: 'spanledger-demo', status: 'ok' },
  ]);
}

describe('npm run demo', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('with DATABASE_URL: writes straight to Postgres and prints what landed', async () => {
    const run = await runDemo({ DATABASE_URL: db.url });
    expect(run.output).toContain('spans go to Postgres (DATABASE_URL)');
    const password = new URL(db.url).password;
    if (password) expect(run.output).not.toContain(password);
    expectTheTable(run);
    await expectTheRows(db, run);
  }, 120_000);
});

describe('npm run demo with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  let db: TestDatabase;
  let collector: TestCollector;
  beforeAll(async () => {
    db = await createTestDatabase();
    collector = await startTestCollector(db.url, db.pool);
  });
  afterAll(async () => {
    await collector?.stop();
    await db?.drop();
  });

  it('sends through the collector and prints what it wrote', async () => {
    // DATABASE_URL is only where the report reads: with an endpoint set, the demo exports OTLP.
    const run = await runDemo({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, DATABASE_URL: db.url });
    expect(run.output).toContain(`spans go to the collector at ${collector.url}`);
    expectTheTable(run);
    await expectTheRows(db, run);
    expect(collector.exporter.stats().rowsInserted).toBeGreaterThanOrEqual(2 * REQUESTS);
  }, 120_000);
});

describe('npm run demo with neither set', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'spanledger-demo-'));
    // Postgres runs as the "postgres" user when the tests run as root: it must reach the directory.
    await chmod(base, 0o755);
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('starts the embedded Postgres that npm start uses and prints what landed', async () => {
    // otel-config.yaml reads the embedded data directory from SPANLEDGER_DATA_DIR.
    const dataDir = join(base, 'pg');
    const run = await runDemo({ SPANLEDGER_DATA_DIR: dataDir });
    expect(run.output).toContain(`spans go to the embedded Postgres in ${dataDir}`);
    expectTheTable(run);
    await expect(access(join(dataDir, 'PG_VERSION'))).resolves.toBeUndefined();
  }, 180_000);
});
