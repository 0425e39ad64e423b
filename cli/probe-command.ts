import type { SpanledgerConfig } from '../collector/config/index.js';
import { ensureSchema } from '../migrations/index.js';
import { createProber } from '../prober/index.js';
import { connectOrExplain, createPool, openDatabaseTarget } from '../shared/database/index.js';
import { createLogger } from '../shared/index.js';

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
  const target = await openDatabaseTarget(config.exporters.postgres, process.env, logger, {
    reuseRunning: true,
  });
  const pool = createPool({ url: target.url, applicationName: 'spanledger-prober', max: 4 });
  try {
    await connectOrExplain(target);
    await ensureSchema(pool, target.url);
    const prober = createProber(config.extensions.mcp_health, pool, logger);
    if (!prober) {
      print('spanledger: extensions.mcp_health.enabled is false; nothing to probe');
      return 0;
    }
    if (once) {
      const results = await prober.runOnce();
      if (results.length === 0)
        print('spanledger: no MCP server to probe (extensions.mcp_health.servers is empty)');
      for (const r of results) {
        print(
          `${r.name.padEnd(24)} ${r.status.padEnd(10)} ${String(r.responseTimeMs).padStart(6)} ms  ${r.errorMessage ?? ''}`,
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
