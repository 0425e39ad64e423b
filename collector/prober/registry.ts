import type { Pool } from 'pg';
import type { McpHealthConfig, McpServerConfig } from './config.js';
import type { ProbeTarget } from './probe.js';

interface ServerRow {
  id: number;
  name: string;
  transport: ProbeTarget['transport'];
  url: string | null;
  command: string[] | null;
  config: { schedule?: string; timeout_ms?: number; source?: string } | null;
}

const UPSERT_SQL = `
INSERT INTO spanledger.mcp_servers (name, transport, url, command, enabled, config)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (name) DO UPDATE SET transport = EXCLUDED.transport, url = EXCLUDED.url,
  command = EXCLUDED.command, enabled = EXCLUDED.enabled, config = EXCLUDED.config, updated_at = now()
WHERE (mcp_servers.transport, mcp_servers.url, mcp_servers.command, mcp_servers.enabled, mcp_servers.config)
  IS DISTINCT FROM (EXCLUDED.transport, EXCLUDED.url, EXCLUDED.command, EXCLUDED.enabled, EXCLUDED.config)`;

// Servers that came from config and are no longer in it: disabled, never deleted (history stays).
const DISABLE_REMOVED_SQL = `
UPDATE spanledger.mcp_servers SET enabled = false, updated_at = now()
WHERE config->>'source' = 'config' AND enabled AND NOT (name = ANY($1::text[]))`;

/**
 * Upserts the configured servers into mcp_servers. Header values and env values are secrets and
 * stay in memory: only their names are stored.
 */
export async function syncRegistry(pool: Pool, servers: readonly McpServerConfig[]): Promise<void> {
  for (const s of servers) {
    const config = {
      source: 'config',
      ...(s.schedule ? { schedule: s.schedule } : {}),
      ...(s.timeout ? { timeout_ms: s.timeout } : {}),
      header_names: Object.keys(s.headers).sort(),
      env_names: Object.keys(s.env).sort(),
    };
    const command = s.transport === 'stdio' ? [s.command!, ...s.args] : null;
    await pool.query(UPSERT_SQL, [s.name, s.transport, s.url ?? null, command, s.enabled, config]);
  }
  await pool.query(DISABLE_REMOVED_SQL, [servers.map((s) => s.name)]);
}

/** Every enabled server in the table (configured or added by hand), ready to probe. */
export async function loadTargets(pool: Pool, config: McpHealthConfig): Promise<ProbeTarget[]> {
  const { rows } = await pool.query<ServerRow>(
    'SELECT id, name, transport, url, command, config FROM spanledger.mcp_servers WHERE enabled ORDER BY id',
  );
  const secrets = new Map(config.servers.map((s) => [s.name, s]));
  return rows.map((row) => {
    const fromConfig = secrets.get(row.name);
    return {
      id: row.id,
      name: row.name,
      transport: row.transport,
      url: row.url,
      command: row.command,
      env: fromConfig?.env ?? {},
      headers: fromConfig?.headers ?? {},
      timeoutMs: row.config?.timeout_ms ?? config.default_timeout,
      schedule: row.config?.schedule ?? config.default_schedule,
    };
  });
}

/** The latest probe status of each server, to detect changes across restarts. */
export async function latestStatuses(pool: Pool): Promise<Map<number, string>> {
  const { rows } = await pool.query<{ id: number; status: string }>(`
    SELECT s.id, h.status FROM spanledger.mcp_servers s
    CROSS JOIN LATERAL (
      SELECT status FROM spanledger.mcp_health_log
      WHERE mcp_server_id = s.id AND event_type = 'health_check'
      ORDER BY "timestamp" DESC LIMIT 1) h`);
  return new Map(rows.map((r) => [r.id, r.status]));
}
