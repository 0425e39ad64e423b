import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { chatAttributes, createTestTracer } from '../../helpers/spans.js';
import { type CliProcess, makeWorkDir, spawnCli, writeConfig } from '../../helpers/spawn-cli.js';
import { countAudit, sendWithSdk } from './harness.js';

function metric(text: string, name: string): number {
  const match = new RegExp(`^${name} (\\d+)`, 'm').exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

describe('three collector processes on one Postgres', () => {
  let db: TestDatabase;
  let dir: string;
  let processes: CliProcess[];
  let urls: string[];

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    dir = await makeWorkDir('spanledger-instances-');
    processes = [];
    for (const i of [0, 1, 2]) {
      await mkdir(join(dir, `c${i}`));
      const config = await writeConfig(
        join(dir, `c${i}`),
        `receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:0\nexporters:\n  postgres:\n    spool:\n      dir: ${join(dir, `c${i}`, 'spool')}\nextensions:\n  query_api:\n    endpoint: 127.0.0.1:0\n`,
      );
      // Started together: their migrations serialise on the advisory lock.
      processes.push(spawnCli(['start', '--config', config], { DATABASE_URL: db.url }));
    }
    const banners = await Promise.all(
      processes.map((p) => p.waitFor(/OTLP\/HTTP receiver\s+(http:\/\/\S+)\/v1\/traces/)),
    );
    urls = banners.map((line) => /(http:\/\/\S+)\/v1\/traces/.exec(line)![1]!);
  });

  afterAll(async () => {
    for (const p of processes) p.child.kill('SIGTERM');
    const exits = await Promise.all(processes.map((p) => p.exit()));
    await db.drop();
    await rm(dir, { recursive: true, force: true });
    expect(exits.map((e) => e.code)).toEqual([0, 0, 0]);
  });

  it('store each span once when all three receive the same spans at the same time', async () => {
    const t = createTestTracer();
    const spans = Array.from({ length: 300 }, () => t.span('chat', chatAttributes()).readable);
    const ids = spans.map((s) => s.spanContext().spanId);
    // Each process gets every span, cut into different request boundaries, both encodings.
    const sends = urls.flatMap((url, i) => {
      const size = [300, 100, 37][i]!;
      const chunks = [];
      for (let at = 0; at < spans.length; at += size) chunks.push(spans.slice(at, at + size));
      return chunks.map((chunk) => sendWithSdk(i === 1 ? 'json' : 'proto', url, chunk));
    });
    const results = await Promise.all(sends);
    expect(results.map((r) => r.error?.message)).toEqual(results.map(() => undefined));

    expect(await countAudit(db.pool, ids)).toBe(300);
    const { rows } = await db.pool.query(
      `SELECT (SELECT count(*) FROM spanledger.llm_usage WHERE span_id = ANY($1))::int AS usage,
              (SELECT coalesce(sum(calls), 0) FROM spanledger.usage_daily)::int AS calls`,
      [ids],
    );
    expect(rows[0]).toEqual({ usage: 300, calls: 300 });

    const texts = await Promise.all(
      urls.map(async (url) => (await fetch(`${url}/metrics`)).text()),
    );
    const sum = (name: string) => texts.reduce((n, text) => n + metric(text, name), 0);
    expect(sum('spanledger_exporter_rows_inserted_total')).toBe(300);
    expect(sum('spanledger_exporter_rows_duplicate_total')).toBe(600);
    expect(sum('spanledger_otlp_spans_received_total')).toBe(900);
  });
});

describe('spanledger start without tokens', () => {
  it('refuses a non-loopback endpoint with exit code 78, naming the field', async () => {
    const dir = await makeWorkDir('spanledger-bind-');
    try {
      const config = await writeConfig(
        dir,
        'receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 0.0.0.0:4318\n',
      );
      const proc = spawnCli(['start', '--config', config]);
      expect((await proc.exit()).code).toBe(78);
      expect(proc.output()).toContain(
        'receivers.otlp.protocols.http.endpoint must be a loopback address (such as "127.0.0.1:4318") while receivers.otlp.protocols.http.auth.tokens is empty',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
