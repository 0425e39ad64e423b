import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_COLUMNS, type QueryApiServer } from '../../../query/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { makeWorkDir, spawnCli, writeConfig } from '../../helpers/spawn-cli.js';
import { bulkAuditRows, chat, seedSpans, startTestQueryApi, TOKENS } from './harness.js';

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const proc = spawnCli(args, { SPANLEDGER_API_URL: '', SPANLEDGER_API_TOKEN: '', ...env });
  proc.child.stdout!.on('data', (c: Buffer) => stdout.push(c.toString()));
  proc.child.stderr!.on('data', (c: Buffer) => stderr.push(c.toString()));
  const { code } = await proc.exit();
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

describe('spanledger audit | usage | quota | mcp status', () => {
  let db: TestDatabase;
  let api: QueryApiServer;
  let dir: string;
  let apiArgs: string[];
  const today = new Date().toISOString().slice(0, 10);
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await makeWorkDir();
    await bulkAuditRows(db.pool, { tenant: 'acme', count: 1_500, start: '2025-11-01T00:00:00Z' });
    await bulkAuditRows(db.pool, { tenant: 'globex', count: 300, start: '2025-11-01T00:00:00Z' });
    const now = Date.now();
    await seedSpans(db.url, [
      {
        attributes: chat('acme', 'u1', { model: 'gpt-4o', input: 700, output: 100 }),
        startMs: now - 1_000,
      },
      {
        attributes: chat('acme', 'u1', { model: 'gpt-4o-mini', input: 150, output: 50 }),
        startMs: now - 2_000,
      },
      {
        attributes: chat('acme', 'u2', { model: 'gpt-4o-mini', input: 10, output: 5 }),
        startMs: now - 3_000,
      },
    ]);
    await db.pool.query(
      `WITH s AS (INSERT INTO spanledger.mcp_servers (name, transport, url) VALUES ('docs-search', 'streamable_http', 'https://mcp.example.com') RETURNING id)
       INSERT INTO spanledger.mcp_health_log (mcp_server_id, "timestamp", status, response_time_ms, event_type)
       SELECT id, '2025-11-02T08:00:00Z', 'healthy', 42, 'health_check' FROM s`,
    );
    api = await startTestQueryApi(db.url, {
      quotas: [{ tenant: 'acme', user: '*', period: 'day', tokens: 900 }],
    });
    apiArgs = ['--api-url', api.url, '--token', TOKENS.acme];
  });
  afterAll(async () => {
    await api.close();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('audit exports CSV to stdout through the API, with nothing on a non-terminal stderr', async () => {
    const { code, stdout, stderr } = await run([
      'audit',
      '--from',
      '2025-11-01',
      '--to',
      '2025-11-30',
      '--format',
      'csv',
      ...apiArgs,
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(AUDIT_COLUMNS.join(','));
    expect(lines).toHaveLength(1_501);
    expect(lines.slice(1).every((l) => l.includes(',acme,'))).toBe(true);
  });

  it('audit reads DATABASE_URL directly: every tenant, or one with --tenant', async () => {
    const all = await run(['audit', '--format', 'jsonl', '--to', '2025-11-30'], {
      DATABASE_URL: db.url,
    });
    expect(all.code).toBe(0);
    const rows = all.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(1_800);
    const one = await run(
      ['audit', '--format', 'jsonl', '--tenant', 'globex', '--status', 'error'],
      {
        DATABASE_URL: db.url,
      },
    );
    const globex = one.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(globex).toHaveLength(30);
    expect(globex.every((r) => r.tenant_id === 'globex' && r.status === 'error')).toBe(true);
  });

  it('usage prints a table grouped by model', async () => {
    const { code, stdout } = await run([
      'usage',
      '--by',
      'model',
      '--from',
      today,
      '--to',
      today,
      ...apiArgs,
    ]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^model\s+calls\s+input\s+output\s+tokens\s+cost\s+unpriced$/);
    expect(lines[1]).toMatch(/^gpt-4o\s+1\s+700\s+100\s+800\s+\$[\d.]+\s+0$/);
    expect(lines[2]).toMatch(/^gpt-4o-mini\s+2\s+160\s+55\s+215\s+\$[\d.]+\s+0$/);
    expect(lines[3]).toMatch(/^total\s+3\s+860\s+155\s+1,015\s/);
  });

  it('quota exits 2 with the numbers when the limit is reached, 0 when not', async () => {
    const over = await run(['quota', '--user', 'u1', ...apiArgs]);
    expect(over.code).toBe(2);
    expect(over.stdout).toContain('user u1 of tenant acme, day from');
    expect(over.stdout).toMatch(/user\s+tokens\s+1,000\s+900\s+0\s+EXCEEDED/);
    expect(over.stdout).toContain('quota exceeded');
    const within = await run(['quota', '--user', 'u2', '--json', ...apiArgs]);
    expect(within.code).toBe(0);
    expect(JSON.parse(within.stdout)).toMatchObject({
      used: 15,
      limit: 900,
      remaining: 885,
      exceeded: false,
    });
  });

  it('quota reads its rules from the config when querying DATABASE_URL', async () => {
    const config = await writeConfig(
      dir,
      `extensions:
  query_api:
    quotas:
      - tenant: acme
        user: u1
        period: month
        tokens: 5000
`,
    );
    const { code, stdout } = await run(
      ['quota', '--user', 'u1', '--period', 'month', '--tenant', 'acme', '--config', config],
      { DATABASE_URL: db.url },
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/user\s+tokens\s+1,000\s+5,000\s+4,000\s+ok/);
  });

  it('mcp status prints a table of servers', async () => {
    const { code, stdout } = await run(['mcp', 'status', ...apiArgs]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^server\s+transport\s+status\s+latency\s+checked\s+last change\s+error$/,
    );
    expect(lines[1]).toMatch(
      /^docs-search\s+streamable_http\s+healthy\s+42 ms\s+2025-11-02 08:00:00Z$/,
    );
  });

  it('says what is wrong: no target, a bad parameter, a bad token', async () => {
    // No API, no DATABASE_URL, and no embedded database in the data directory yet.
    const none = await run(['usage'], { SPANLEDGER_DATA_DIR: join(dir, 'no-pg-here') });
    expect(none.code).toBe(78);
    expect(none.stderr).toMatch(
      /no embedded database in .*no-pg-here yet \(nothing has landed\): start the collector there first \(npm start\), or point at a database with --database-url or DATABASE_URL/,
    );
    const bad = await run(['audit', '--from', 'last week', ...apiArgs]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('the query API answered 400: from must be a date');
    const token = await run([
      'mcp',
      'status',
      '--api-url',
      api.url,
      '--token',
      'wrong-token-0123456789',
    ]);
    expect(token.code).toBe(1);
    expect(token.stderr).toContain('the query API answered 401');
    const env = await run(['mcp', 'status'], { SPANLEDGER_API_URL: api.url });
    expect(env.stderr).toContain('the query API needs a token');
  });
});
