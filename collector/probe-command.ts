import { ensurePartitions, runMigrations } from '../migrations/index.js';
import { createPool } from '../shared/database/index.js';
import type { SpanledgerConfig } from './config/index.js';
import { openDatabaseTarget } from './database-target.js';
import { createLogger } from './logger.js';
import { createProber } from './prober-runtime.js';

/**
 * `spanledger probe [--once]`: the MCP health prober on its own. With --once, one round is
 * probed, written and printed, and the process exits (non-zero when a server is not healthy).
 */
export async function runProbeCommand(
  config: Readonly<SpanledgerConfig>,
  once: boolean,
  print: (line: string) => void,
): Promise<number> {
  const logger = createLogger(config.service.telemetry.logs.level);
  const target = await openDatabaseTarget(config, process.env, logger);
  const pool = createPool({ url: target.url, applicationName: 'spanledger-prober', max: 4 });
  try {
    await runMigrations({ database: target.url });
    await ensurePartitions(pool);
    const prober = createProber(config, pool, logger);
    if (!prober) {
      print('spanledger: extensions.mcp_health.enabled is false; nothing to probe');
      return 0;
    }
    if (once) {
      const results = await prober.runOnce();
      const { rows } = await pool.query<{
        name: string;
        status: string;
        response_time_ms: number;
        error_message: string | null;
      }>(
        `SELECT s.name, h.status, h.response_time_ms, h.error_message
         FROM spanledger.mcp_health_log h JOIN spanledger.mcp_servers s ON s.id = h.mcp_server_id
         WHERE h.event_type = 'health_check' ORDER BY h.id DESC LIMIT $1`,
        [results.length],
      );
      for (const r of rows.reverse()) {
        print(
          `${r.name.padEnd(24)} ${r.status.padEnd(10)} ${String(r.response_time_ms).padStart(6)} ms  ${r.error_message ?? ''}`,
        );
      }
      if (prober.pendingRows > 0)
        throw new Error(`${prober.pendingRows} health row(s) could not be written`);
      return results.every((r) => r.status === 'healthy') ? 0 : 2;
    }
    await prober.start();
    print('spanledger prober running; Ctrl-C to stop');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await prober.stop();
    return 0;
  } finally {
    await pool.end();
    await target.release();
  }
}
