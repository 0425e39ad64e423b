import { copyFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatAttributes, createTestTracer } from '../../helpers/spans.js';
import { type CliProcess, makeWorkDir, spawnCli } from '../../helpers/spawn-cli.js';
import { sendWithSdk } from '../collector/harness.js';

const ROOT = resolve(import.meta.dirname, '../../..');

/** Runs a CLI command in `dir` without DATABASE_URL or an API URL, to its end. */
async function run(dir: string, args: string[]) {
  const cli = spawnCli(args, { SPANLEDGER_API_URL: '' }, { cwd: dir });
  const { code } = await cli.exit();
  return { code, output: cli.output() };
}

describe('the CLI finds the embedded database of its directory', () => {
  let dir: string;
  let collector: CliProcess;
  let otlpUrl: string;

  beforeAll(async () => {
    // A fresh checkout: the repository's otel-config.yaml, the embedded default, any free port.
    dir = await makeWorkDir('spanledger-embedded-cli-');
    await copyFile(join(ROOT, 'otel-config.yaml'), join(dir, 'otel-config.yaml'));
    collector = spawnCli(
      ['start'],
      { SPANLEDGER_OTLP_ENDPOINT: '127.0.0.1:0', SPANLEDGER_QUERY_ENDPOINT: '127.0.0.1:0' },
      { cwd: dir },
    );
    const banner = await collector.waitFor(/OTLP\/HTTP receiver\s+(http:\/\/\S+)\/v1\/traces/);
    otlpUrl = /(http:\/\/\S+)\/v1\/traces/.exec(banner)![1]!;
  });

  afterAll(async () => {
    collector?.child.kill('SIGTERM');
    await collector?.exit();
    await rm(dir, { recursive: true, force: true });
  });

  it('while npm start runs, audit --format csv prints the rows through its server', async () => {
    const t = createTestTracer();
    const spans = Array.from({ length: 3 }, () => t.span('chat', chatAttributes()).readable);
    const sent = await sendWithSdk('proto', otlpUrl, spans);
    expect(sent.error).toBeUndefined();

    const audit = await run(dir, ['audit', '--format', 'csv']);
    expect(audit.output).not.toMatch(/postmaster\.pid|nowhere to query/);
    expect(audit.code).toBe(0);
    const lines = audit.output.trim().split('\n');
    for (const s of spans) expect(audit.output).toContain(s.spanContext().spanId);
    expect(lines.length).toBeGreaterThanOrEqual(4); // header + 3 rows

    // migrate and probe --once reach the same running server instead of a second one.
    const migrate = await run(dir, ['migrate']);
    expect(migrate.output).not.toMatch(/postmaster\.pid/);
    expect(migrate.output).toMatch(/up to date/);
    expect(migrate.code).toBe(0);
    const probe = await run(dir, ['probe', '--once']);
    expect(probe.output).not.toMatch(/postmaster\.pid/);
    expect(probe.output).toMatch(/no MCP server to probe/);
    expect(probe.code).toBe(0);
    // A second start on the same data directory says what is going on.
    const second = spawnCli(
      ['start'],
      { SPANLEDGER_OTLP_ENDPOINT: '127.0.0.1:0', SPANLEDGER_QUERY_ENDPOINT: '127.0.0.1:0' },
      { cwd: dir },
    );
    expect((await second.exit()).code).not.toBe(0);
    expect(second.output()).toMatch(/an embedded Postgres \(pid \d+, port \d+\) already runs on/);
    expect(second.output()).not.toMatch(/lock file "postmaster\.pid" already exists/);
    const usage = await run(dir, ['usage', '--by', 'model']);
    expect(usage.code).toBe(0);
    expect(usage.output).toMatch(/gpt-4o-mini/);
  });

  it('with the collector stopped, starts the embedded server for the command', async () => {
    collector.child.kill('SIGTERM');
    expect((await collector.exit()).code).toBe(0);
    const audit = await run(dir, ['audit', '--format', 'csv']);
    expect(audit.code).toBe(0);
    expect(audit.output.trim().split('\n').length).toBeGreaterThanOrEqual(4);
  });

  it('in a directory where nothing ever ran, says so instead of creating a database', async () => {
    const empty = await makeWorkDir('spanledger-embedded-empty-');
    try {
      const audit = await run(empty, ['audit', '--format', 'csv']);
      expect(audit.code).toBe(78);
      expect(audit.output).toMatch(/no embedded database in .* yet .*npm start.*DATABASE_URL/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
