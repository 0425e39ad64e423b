import type { Pool } from 'pg';
import type { McpHealthConfig, McpServerConfig } from './config.js';
import type { ProbeTarget } from './probe.js';

interface ServerRow {
  id: number;
  name: string;
  transport: ProbeTarget['transport'];
  url: string | null;
  config: { schedule?: string; timeout_ms?: number; source?: string } | null;
}

/**
 * Registers the configured servers in mcp_servers (through spanledger.register_mcp_servers: the
 * runtime login has no privilege on the table). Header and env values are secrets and stay in
 * memory: only their names are stored. A stdio server's command is never stored: it comes from
 * the configuration file every time, so no row can make the prober spawn anything.
 */
export async function syncRegistry(pool: Pool, servers: readonly McpServerConfig[]): Promise<void> {
  const rows = servers.map((s) => ({
    name: s.name,
    transport: s.transport,
    url: s.url ?? null,
    enabled: s.enabled,
    config: {
      ...(s.schedule ? { schedule: s.schedule } : {}),
      ...(s.timeout ? { timeout_ms: s.timeout } : {}),
      header_names: Object.keys(s.headers).sort(),
      env_names: Object.keys(s.env).sort(),
    },
  }));
  await pool.query('SELECT spanledger.register_mcp_servers($1::jsonb)', [JSON.stringify(rows)]);
}

/**
 * Every enabled server in the table (configured or added by hand), ready to probe. HTTP and SSE
 * targets may come from rows (the SSRF guard checks them at probe time); a stdio target only
 * from the configuration, matched by name: a stdio row without a configured command is skipped.
 */
export async function loadTargets(
  pool: Pool,
  config: McpHealthConfig,
  onSkipped: (name: string, why: string) => void = () => {},
): Promise<ProbeTarget[]> {
  const { rows } = await pool.query<ServerRow>(
    'SELECT id, name, transport, url, config FROM spanledger.mcp_probe_targets()',
  );
  const configured = new Map(config.servers.map((s) => [s.name, s]));
  const targets: ProbeTarget[] = [];
  for (const row of rows) {
    const fromConfig = configured.get(row.name);
    let command: string[] | null = null;
    if (row.transport === 'stdio') {
      if (fromConfig?.transport !== 'stdio' || !fromConfig.command) {
        onSkipped(
          row.name,
          'a stdio server is probed only when extensions.mcp_health.servers configures its command',
        );
        continue;
      }
      command = [fromConfig.command, ...fromConfig.args];
    }
    targets.push({
      id: row.id,
      name: row.name,
      transport: row.transport,
      url: row.url,
      command,
      env: fromConfig?.env ?? {},
      headers: fromConfig?.headers ?? {},
      timeoutMs: row.config?.timeout_ms ?? config.default_timeout,
      schedule: row.config?.schedule ?? config.default_schedule,
    });
  }
  return targets;
}

/** The latest probe status of each server, to detect changes across restarts. */
export async function latestStatuses(pool: Pool): Promise<Map<number, string>> {
  const { rows } = await pool.query<{ id: number; status: string }>(
    'SELECT id, status FROM spanledger.mcp_latest_statuses()',
  );
  return new Map(rows.map((r) => [r.id, r.status]));
}
