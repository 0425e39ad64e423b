import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryApiSchema } from '../../../query/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { rollUpUsageModels } from '../../helpers/rollups.js';
import { startTestCollector } from './harness.js';

const quotas = queryApiSchema.parse({
  auth: { admin_tokens: ['x'.repeat(16)] },
  quotas: [
    { tenant: 'acme', period: 'month', tokens: 1_000 },
    { tenant: '*', user: '*', period: 'day', cost_usd: 2 },
  ],
}).quotas;

/** The value of one series in Prometheus text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics for the alert rules', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query(
      `INSERT INTO spanledger.usage_daily (day, tenant_id, user_id, provider, model, calls, input_tokens, output_tokens, cost_usd)
       VALUES ((now() AT TIME ZONE 'UTC')::date, 'acme', 'ann', 'openai', 'gpt-4o', 3, 800, 150, 1.9),
              ((now() AT TIME ZONE 'UTC')::date, 'acme', 'bob', 'openai', 'gpt-4o', 1, 10, 5, 0.5),
              ((now() AT TIME ZONE 'UTC')::date - 40, 'acme', 'ann', 'openai', 'gpt-4o', 1, 5000, 5000, 50)`,
    );
    await rollUpUsageModels(db.pool);
  });
  afterAll(async () => db.drop());

  it('reports readiness and how full each quota is', async () => {
    const collector = await startTestCollector(db.url, db.pool, { quotas });
    try {
      const text = await (await fetch(`${collector.url}/metrics`)).text();
      expect(sample(text, 'spanledger_collector_ready')).toBe(1);
      // 965 of 1,000 tokens this month (last month's row does not count).
      expect(
        sample(
          text,
          'spanledger_quota_used_ratio{tenant="acme",scope="tenant",unit="tokens",period="month"}',
        ),
      ).toBeCloseTo(0.965, 6);
      // ann spent $1.90 of her $2 today: the fullest user.
      expect(
        sample(
          text,
          'spanledger_quota_used_ratio{tenant="acme",scope="user",unit="cost_usd",period="day"}',
        ),
      ).toBeCloseTo(0.95, 6);
    } finally {
      await collector.stop();
    }
  });

  it('reports not ready, and no quota series, when Postgres does not answer; the scrape still works', async () => {
    const dead = new pg.Pool({ connectionString: 'postgres://x:y@127.0.0.1:1/none', max: 1 });
    dead.on('error', () => {});
    const collector = await startTestCollector(db.url, dead, { quotas });
    try {
      const reply = await fetch(`${collector.url}/metrics`);
      expect(reply.status).toBe(200);
      const text = await reply.text();
      expect(sample(text, 'spanledger_collector_ready')).toBe(0);
      expect(text).not.toMatch(/^spanledger_quota_used_ratio\{/m);
      expect(sample(text, 'spanledger_exporter_spool_bytes')).toBe(0);
    } finally {
      await collector.stop();
      await dead.end();
    }
  });

  it('has no quota gauge without quota rules', async () => {
    const collector = await startTestCollector(db.url, db.pool);
    try {
      const text = await (await fetch(`${collector.url}/metrics`)).text();
      expect(text).not.toContain('spanledger_quota_used_ratio');
      expect(sample(text, 'spanledger_collector_ready')).toBe(1);
    } finally {
      await collector.stop();
    }
  });
});
