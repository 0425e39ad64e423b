import type { Pool } from 'pg';
import type { Logger } from '../shared/index.js';
import type { McpHealthConfig } from './config.js';
import { mcpHealthSchema } from './config.js';
import { HealthProber } from './health-prober.js';

/**
 * The MCP health prober as the collector and `spanledger probe` run it: configured by
 * extensions.mcp_health (defaults when absent, so servers added to mcp_servers by hand are
 * probed too); undefined when `enabled: false`.
 */
export function createProber(
  configured: Readonly<McpHealthConfig> | undefined,
  pool: Pool,
  logger: Logger,
): HealthProber | undefined {
  const health = configured ?? mcpHealthSchema.parse({});
  if (!health.enabled) return undefined;
  const log = logger.child({ component: 'mcp-prober' });
  return new HealthProber({
    pool,
    config: health,
    logger: log,
  });
}
