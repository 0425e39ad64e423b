import type { Pool } from 'pg';
import type { SpanledgerConfig } from './config/index.js';
import type { Logger } from './logger.js';
import { HealthProber, mcpHealthSchema } from './prober/index.js';

/**
 * The MCP health prober as the collector and `spanledger probe` run it: configured by
 * extensions.mcp_health (defaults when absent, so servers added to mcp_servers by hand are
 * probed too); undefined when `enabled: false`.
 */
export function createProber(
  config: Readonly<SpanledgerConfig>,
  pool: Pool,
  logger: Logger,
): HealthProber | undefined {
  const health = config.extensions.mcp_health ?? mcpHealthSchema.parse({});
  if (!health.enabled) return undefined;
  const log = logger.child({ component: 'mcp-prober' });
  return new HealthProber({
    pool,
    config: health,
    logger: {
      debug: (m) => log.debug(m),
      info: (m) => log.info(m),
      warn: (m) => log.warn(m),
      error: (m) => log.error(m),
    },
  });
}
