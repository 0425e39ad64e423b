import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthProber, mcpHealthSchema } from '../../../prober/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { type RunningServer, startStreamableServer } from '../../helpers/mcp-probe-servers.js';
import { startTestCollector } from '../collector/harness.js';

describe('prober metrics on the collector /metrics endpoint', () => {
  let db: TestDatabase;
  let server: RunningServer;
  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startStreamableServer();
  });
  afterAll(async () => {
    await server.close();
    await db.drop();
  });

  it('exposes up/down and the latest probe duration per server', async () => {
    const prober = new HealthProber({
      pool: db.pool,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      config: mcpHealthSchema.parse({
        allow_private_targets: true,
        servers: [
          { name: 'docs', transport: 'streamable_http', url: server.url },
          { name: 'gone', transport: 'streamable_http', url: 'http://127.0.0.1:9/mcp' },
        ],
      }),
    });
    const collector = await startTestCollector(db.url, db.pool, { prober: () => prober });
    try {
      await prober.runOnce();
      const text = await (await fetch(`${collector.url}/metrics`)).text();
      expect(text).toMatch(/spanledger_mcp_server_up\{server="docs",status="healthy"\} 1/);
      expect(text).toMatch(/spanledger_mcp_server_up\{server="gone",status="unhealthy"\} 0/);
      expect(text).toMatch(/spanledger_mcp_probe_duration_seconds\{server="docs"\} \d/);
      expect(text).toMatch(/spanledger_mcp_probes_total 2/);
      // Every probe in the histogram, by server and outcome (percentiles in Grafana).
      expect(text).toMatch(
        /spanledger_mcp_probe_response_seconds_count\{server="docs",status="healthy"\} 1/,
      );
      expect(text).toMatch(
        /spanledger_mcp_probe_response_seconds_count\{server="gone",status="unhealthy"\} 1/,
      );
    } finally {
      await collector.stop();
    }
  });
});
