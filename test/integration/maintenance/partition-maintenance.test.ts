import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../collector/config/index.js';
import { type CollectorHandle, startCollector } from '../../../collector/index.js';
import { PartitionMaintainer } from '../../../maintenance/index.js';
import { createLogger } from '../../../shared/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { createTestLogin } from '../../helpers/logins.js';
import { makeWorkDir, spawnCli } from '../../helpers/spawn-cli.js';
import { waitUntil } from '../../helpers/wait.js';

/** The partition name of the month `offset` months from now (UTC), e.g. audit_log_y2027m02. */
function partitionName(table: string, offset: number): string {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
  return `${table}_y${d.getUTCFullYear()}m${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

async function exists(db: TestDatabase, name: string): Promise<boolean> {
  const { rows } = await db.pool.query('SELECT to_regclass($1) IS NOT NULL AS e', [
    `spanledger.${name}`,
  ]);
  return rows[0].e;
}

describe('partition maintenance on a schedule', () => {
  let db: TestDatabase;
  let collector: CollectorHandle;

  beforeAll(async () => {
    db = await createTestDatabase();
    const dir = await makeWorkDir('spanledger-maintenance-');
    const config = resolveConfig({
      receivers: { otlp: { protocols: { http: { endpoint: '127.0.0.1:0' } } } },
      exporters: { postgres: { url: db.url, spool: { dir: `${dir}/spool` } } },
      // Every second: the test waits for one tick, not for a day.
      extensions: { maintenance: { schedule: '* * * * * *', months_ahead: 5 } },
    });
    collector = await startCollector({ config, logger: createLogger('silent'), print: () => {} });
  });

  afterAll(async () => {
    await collector?.stop();
    await db?.drop();
  });

  it('keeps months_ahead months and re-creates a dropped future partition within a tick', async () => {
    // The first tick runs when the database is ready: five months ahead, not the start's three.
    await waitUntil(() => exists(db, partitionName('audit_log', 5)), 'the first tick');
    const metrics = await (await fetch(`${collector.otlpUrl}/metrics`)).text();
    expect(metrics).toMatch(/spanledger_partitions_months_ahead\{table="audit_log"\} 5/);
    expect(metrics).toMatch(/spanledger_partitions_months_ahead\{table="llm_usage"\} 5/);

    const dropped = partitionName('audit_log', 2);
    await db.pool.query(`DROP TABLE spanledger.${dropped}`);
    expect(await exists(db, dropped)).toBe(false);
    await waitUntil(() => exists(db, dropped), `${dropped} to be re-created`);
    const ready = await (await fetch(`${collector.otlpUrl}/readyz`)).json();
    expect(ready).toEqual({ status: 'ok' });
  });

  it('reports default rows in /readyz without failing it; maintain runs one tick by hand', async () => {
    await collector.stop();
    const dir = await makeWorkDir('spanledger-maintenance-');
    // A row far in the future lands in the default partition (inserted as the owner).
    await db.pool.query(
      `INSERT INTO spanledger.audit_log (trace_id, span_id, started_at, event_type, status)
       VALUES (repeat('a', 32), repeat('b', 16), now() + interval '30 months', 'llm_call', 'ok')`,
    );
    const config = resolveConfig({
      receivers: { otlp: { protocols: { http: { endpoint: '127.0.0.1:0' } } } },
      exporters: { postgres: { url: db.url, spool: { dir: `${dir}/spool` } } },
      extensions: { maintenance: { schedule: '0 0 1 1 *' } },
    });
    collector = await startCollector({ config, logger: createLogger('silent'), print: () => {} });
    const ready = (await (await fetch(`${collector.otlpUrl}/readyz`)).json()) as {
      status: string;
      warnings: string[];
    };
    expect(ready.status).toBe('ok');
    expect(ready.warnings.join('\n')).toMatch(/spanledger\.audit_log_default holds rows/);

    const dropped = partitionName('llm_usage', 1);
    await db.pool.query(`DROP TABLE spanledger.${dropped}`);
    const cli = spawnCli(['maintain', '--database-url', db.url]);
    const { code } = await cli.exit();
    expect(await exists(db, dropped)).toBe(true);
    expect(cli.output()).toMatch(/spanledger maintain: created \d+ partition\(s\)/);
    expect(cli.output()).toMatch(/llm_usage\s+5 month\(s\) ahead/);
    expect(cli.output()).toMatch(/warning: spanledger\.audit_log_default holds rows/);
    expect(code).toBe(2);
  });

  it('runs as the least-privilege writer: creates partitions and reads the status', async () => {
    const writer = await createTestLogin(db, 'sl_writer', (name) => [
      `GRANT spanledger_writer TO ${name}`,
    ]);
    const pool = new pg.Pool({ connectionString: writer.url, max: 1 });
    pool.on('error', () => {});
    try {
      const dropped = partitionName('audit_log', 4);
      await db.pool.query(`DROP TABLE IF EXISTS spanledger.${dropped}`);
      const maintainer = new PartitionMaintainer({
        pool,
        schedule: '0 0 1 1 *',
        monthsAhead: 4,
        logger: createLogger('silent'),
      });
      const tick = await maintainer.tick();
      expect(tick.locked).toBe(true);
      expect(await exists(db, dropped)).toBe(true);
      expect(tick.status.find((s) => s.table === 'audit_log')).toMatchObject({
        defaultHasRows: true,
      });
      // The writer still cannot read the default partition itself: only the yes/no.
      await expect(pool.query('SELECT 1 FROM spanledger.audit_log_default')).rejects.toThrow(
        /permission denied/,
      );
    } finally {
      await pool.end();
      await writer.drop();
    }
  });
});
