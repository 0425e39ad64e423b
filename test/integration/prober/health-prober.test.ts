import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthProber, type McpHealthConfig, mcpHealthSchema } from '../../../prober/index.js';
import { findFreePort } from '../../../shared/database/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import {
  type RunningServer,
  startHangingServer,
  startSseServer,
  startStreamableServer,
} from '../../helpers/mcp-probe-servers.js';
import { waitUntil } from '../../helpers/wait.js';

const STDIO_SERVER = resolve(import.meta.dirname, '../../fixtures/mcp-stdio-server.mjs');
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function config(servers: unknown[], extra: Record<string, unknown> = {}): McpHealthConfig {
  return mcpHealthSchema.parse({
    allow_private_targets: true,
    // Generous: a healthy server (a stdio one is spawned per probe) must not look slow when the
    // machine is loaded. The slow-server test sets its own threshold.
    degraded_threshold: '10s',
    default_timeout: '10s',
    servers,
    ...extra,
  });
}

interface HealthRowOut {
  name: string;
  status: string | null;
  error_message: string | null;
  event_type: string;
  meta_data: Record<string, unknown> | null;
  response_time_ms: number | null;
}

async function rows(db: TestDatabase, eventType = 'health_check'): Promise<HealthRowOut[]> {
  const { rows: r } = await db.pool.query<HealthRowOut>(
    `SELECT s.name, h.status, h.error_message, h.event_type, h.meta_data, h.response_time_ms
     FROM spanledger.mcp_health_log h JOIN spanledger.mcp_servers s ON s.id = h.mcp_server_id
     WHERE h.event_type = $1 ORDER BY h.id`,
    [eventType],
  );
  return r;
}

const byName = (list: HealthRowOut[], name: string) => list.filter((r) => r.name === name);

describe('MCP health prober against real MCP servers', () => {
  let db: TestDatabase;
  const servers: RunningServer[] = [];
  let healthy: RunningServer;
  let sse: RunningServer;
  let hanging: RunningServer;
  let failing: RunningServer;
  let slow: RunningServer;
  let refusedUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    healthy = await startStreamableServer();
    sse = await startSseServer();
    hanging = await startHangingServer();
    failing = await startStreamableServer({ fail500: true });
    slow = await startStreamableServer({ delayMs: 700 });
    servers.push(healthy, sse, hanging, failing, slow);
    refusedUrl = `http://127.0.0.1:${await findFreePort()}/mcp`;
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await db.drop();
  });

  it('classifies every kind of server and records what it found', async () => {
    const prober = new HealthProber({
      pool: db.pool,
      logger: quiet,
      config: config([
        { name: 'healthy-http', transport: 'streamable_http', url: healthy.url },
        { name: 'stdio', transport: 'stdio', command: process.execPath, args: [STDIO_SERVER] },
        { name: 'sse', transport: 'sse', url: sse.url },
        { name: 'hangs', transport: 'streamable_http', url: hanging.url, timeout: '800ms' },
        { name: 'http-500', transport: 'streamable_http', url: failing.url },
        { name: 'refuses', transport: 'streamable_http', url: refusedUrl },
      ]),
    });
    await prober.runOnce();
    const all = await rows(db);
    expect(all).toHaveLength(6);

    const [h] = byName(all, 'healthy-http');
    expect(h!.status).toBe('healthy');
    expect(h!.meta_data).toMatchObject({
      server_name: 'probe-test-server',
      server_version: '1.2.3',
      tool_count: 1,
      transport: 'streamable_http',
    });
    expect(typeof h!.meta_data!.protocol_version).toBe('string');
    expect(h!.meta_data!.tools_digest).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(h!.meta_data!.steps as object)).toEqual(
      expect.arrayContaining(['initialize', 'ping', 'tools/list']),
    );

    const [stdio] = byName(all, 'stdio');
    expect(stdio!.status).toBe('healthy');
    expect(stdio!.meta_data!.server_name).toBe('stdio-test-server');
    // The spawned server is gone: no orphaned process.
    const pid = stdio!.meta_data!.pid as number;
    expect(pid).toBeGreaterThan(0);
    await waitUntil(
      () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      },
      'stdio server exit',
      5_000,
    );

    expect(byName(all, 'sse')[0]!.status).toBe('healthy');

    const [hang] = byName(all, 'hangs');
    expect(hang!.status).toBe('timeout');
    expect(hang!.error_message).toMatch(/^timeout after 800 ms at step initialize/);

    const [e500] = byName(all, 'http-500');
    expect(e500!.status).toBe('unhealthy');
    expect(e500!.error_message).toContain('HTTP 500');

    const [refused] = byName(all, 'refuses');
    expect(refused!.status).toBe('unhealthy');
    expect(refused!.error_message).toContain('connection refused');
  });

  it('marks a server that answers, but slower than the threshold, degraded', async () => {
    const sub = await createTestDatabase();
    try {
      // Each of the probe's requests waits 700 ms, so the probe cannot take less than the
      // threshold however fast or loaded the machine is.
      const prober = new HealthProber({
        pool: sub.pool,
        logger: quiet,
        config: config([{ name: 'slow', transport: 'streamable_http', url: slow.url }], {
          degraded_threshold: '1s',
          default_timeout: '30s',
        }),
      });
      await prober.runOnce();
      const [slowRow] = byName(await rows(sub), 'slow');
      expect(slowRow!.status).toBe('degraded');
      expect(slowRow!.error_message).toContain('threshold');
    } finally {
      await sub.drop();
    }
  });

  it('sees a changed tool list and records status changes', async () => {
    const server = await startStreamableServer();
    servers.push(server);
    const sub = await createTestDatabase();
    try {
      const prober = new HealthProber({
        pool: sub.pool,
        logger: quiet,
        config: config([{ name: 'changing', transport: 'streamable_http', url: server.url }]),
      });
      await prober.runOnce(new Date(Date.now() - 10_000));
      server.state.tools.push({ name: 'added', inputSchema: { type: 'object' } });
      await prober.runOnce(new Date(Date.now() - 5_000));
      server.state.fail500 = true;
      await prober.runOnce();
      const checks = await rows(sub);
      expect(checks.map((r) => r.status)).toEqual(['healthy', 'healthy', 'unhealthy']);
      expect(checks[0]!.meta_data!.tools_digest).not.toBe(checks[1]!.meta_data!.tools_digest);
      expect(checks[1]!.meta_data!.tool_count).toBe(2);
      const changes = await rows(sub, 'status_change');
      expect(changes).toHaveLength(1);
      expect(changes[0]!.meta_data).toMatchObject({ from: 'healthy', to: 'unhealthy' });
    } finally {
      await sub.drop();
    }
  });

  it('refuses private targets unless allowed, and metadata addresses always', async () => {
    const sub = await createTestDatabase();
    try {
      const strict = new HealthProber({
        pool: sub.pool,
        logger: quiet,
        config: config(
          [
            { name: 'local', transport: 'streamable_http', url: healthy.url },
            { name: 'metadata', transport: 'streamable_http', url: 'http://169.254.169.254/mcp' },
          ],
          { allow_private_targets: false },
        ),
      });
      await strict.runOnce();
      const all = await rows(sub);
      const local = byName(all, 'local')[0]!;
      expect(local.status).toBe('unhealthy');
      expect(local.error_message).toContain('allow_private_targets: true');
      const metadata = byName(all, 'metadata')[0]!;
      expect(metadata.status).toBe('unhealthy');
      expect(metadata.error_message).toContain('a cloud metadata address');
      expect(metadata.error_message).toContain('never probed');

      const lenient = new HealthProber({
        pool: sub.pool,
        logger: quiet,
        config: config([
          { name: 'metadata', transport: 'streamable_http', url: 'http://169.254.169.254/mcp' },
        ]),
      });
      await lenient.runOnce(new Date(Date.now() + 5_000));
      const again = byName(await rows(sub), 'metadata');
      expect(again.at(-1)!.error_message).toContain('never probed');
    } finally {
      await sub.drop();
    }
  });

  it('two probers sharing a database probe a server once per tick', async () => {
    const sub = await createTestDatabase();
    try {
      const make = (id: string) =>
        new HealthProber({
          pool: sub.pool,
          logger: quiet,
          proberId: id,
          config: config([{ name: 'shared', transport: 'streamable_http', url: healthy.url }]),
        });
      const a = make('prober-a');
      const b = make('prober-b');
      const tick = new Date();
      await Promise.all([a.runOnce(tick), b.runOnce(tick)]);
      expect(await rows(sub)).toHaveLength(1);
      expect(a.stats.probes + b.stats.probes).toBe(1);
      expect(a.stats.skippedClaimed + b.stats.skippedClaimed).toBe(1);

      // Scheduled: every second for a few seconds, both probers running.
      const schedule = {
        name: 'shared',
        transport: 'streamable_http',
        url: healthy.url,
        schedule: '* * * * * *',
      };
      const c = new HealthProber({
        pool: sub.pool,
        logger: quiet,
        proberId: 'c',
        config: config([schedule]),
      });
      const d = new HealthProber({
        pool: sub.pool,
        logger: quiet,
        proberId: 'd',
        config: config([schedule]),
      });
      await Promise.all([c.start(), d.start()]);
      await waitUntil(async () => (await rows(sub)).length >= 4, 'scheduled probes', 15_000);
      await Promise.all([c.stop(), d.stop()]);
      const { rows: perTick } = await sub.pool.query(
        `SELECT tick, count(*)::int AS n FROM spanledger.mcp_probe_claims GROUP BY tick HAVING count(*) > 1`,
      );
      expect(perTick).toEqual([]);
      const checks = (await rows(sub)).length;
      const { rows: claims } = await sub.pool.query(
        'SELECT count(*)::int AS n FROM spanledger.mcp_probe_claims',
      );
      expect(checks).toBe(claims[0].n);
      expect((await rows(sub, 'startup')).length).toBe(2);
      expect((await rows(sub, 'shutdown')).length).toBe(2);
    } finally {
      await sub.drop();
    }
  });

  it('a probe still running when the next tick comes makes that tick skip', async () => {
    const sub = await createTestDatabase();
    try {
      const prober = new HealthProber({
        pool: sub.pool,
        logger: quiet,
        config: config([
          {
            name: 'hangs',
            transport: 'streamable_http',
            url: hanging.url,
            schedule: '* * * * * *',
            timeout: '2500ms',
          },
        ]),
      });
      await prober.start();
      await waitUntil(() => prober.stats.skippedOverlap >= 1, 'an overlapping tick', 10_000);
      await prober.stop();
      expect(prober.stats.skippedOverlap).toBeGreaterThanOrEqual(1);
      const checks = await rows(sub);
      expect(checks.every((r) => r.status === 'timeout')).toBe(true);
    } finally {
      await sub.drop();
    }
  });

  it('disables, never deletes, a server removed from config; probes servers added to the table', async () => {
    const sub = await createTestDatabase();
    try {
      const first = new HealthProber({
        pool: sub.pool,
        logger: quiet,
        config: config([{ name: 'goes-away', transport: 'streamable_http', url: healthy.url }]),
      });
      await first.runOnce();
      await sub.pool.query(
        `INSERT INTO spanledger.mcp_servers (name, transport, url) VALUES ('added-by-hand', 'streamable_http', $1)`,
        [healthy.url],
      );
      const second = new HealthProber({ pool: sub.pool, logger: quiet, config: config([]) });
      await second.runOnce(new Date(Date.now() + 2_000));
      const { rows: servers } = await sub.pool.query(
        'SELECT name, enabled FROM spanledger.mcp_servers ORDER BY name',
      );
      expect(servers).toEqual([
        { name: 'added-by-hand', enabled: true },
        { name: 'goes-away', enabled: false },
      ]);
      expect(byName(await rows(sub), 'added-by-hand')[0]!.status).toBe('healthy');
      expect(byName(await rows(sub), 'goes-away')).toHaveLength(1);
    } finally {
      await sub.drop();
    }
  });

  it('buffers rows while the database is unavailable and writes them later, in order', async () => {
    const sub = await createTestDatabase();
    try {
      const prober = new HealthProber({
        pool: sub.pool,
        logger: quiet,
        config: config([{ name: 'buffered', transport: 'streamable_http', url: healthy.url }]),
      });
      await prober.runOnce(new Date(Date.now() - 20_000));
      // Make inserts fail (the table is not where the writer expects it) while probes go on.
      await sub.pool.query('ALTER TABLE spanledger.mcp_health_log RENAME TO mcp_health_log_away');
      await prober.runOnce(new Date(Date.now() - 10_000));
      healthy.state.fail500 = true;
      await prober.runOnce();
      expect(prober.pendingRows).toBe(3);
      await sub.pool.query('ALTER TABLE spanledger.mcp_health_log_away RENAME TO mcp_health_log');
      healthy.state.fail500 = false;
      await prober.stop();
      const all = await rows(sub);
      expect(all.map((r) => r.status)).toEqual(['healthy', 'healthy', 'unhealthy']);
      expect(prober.pendingRows).toBe(0);
    } finally {
      healthy.state.fail500 = false;
      await sub.drop();
    }
  });
});
