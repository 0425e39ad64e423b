// MCP servers and their health history. mcp_servers and mcp_health_log have no tenant column:
// servers are shared infrastructure, so every token sees them. Only names and health go out —
// never URLs, commands or the header names kept in config — since a URL can carry a secret.

/**
 * Every server with its latest probe result and when its status last changed, as one JSON
 * array (built by Postgres, so timestamps keep their microseconds).
 */
export const MCP_SERVERS_SQL = `
SELECT coalesce(json_agg(row_to_json(s) ORDER BY s.name), '[]')::text AS json
FROM (
  SELECT m.id, m.name, m.transport, m.enabled,
         h.status, h."timestamp" AS checked_at, h.response_time_ms, h.error_message,
         c."timestamp" AS status_changed_at
  FROM spanledger.mcp_servers m
  LEFT JOIN LATERAL (
    SELECT status, "timestamp", response_time_ms, error_message
    FROM spanledger.mcp_health_log
    WHERE mcp_server_id = m.id AND event_type = 'health_check'
    ORDER BY "timestamp" DESC, id DESC LIMIT 1) h ON true
  LEFT JOIN LATERAL (
    SELECT "timestamp"
    FROM spanledger.mcp_health_log
    WHERE mcp_server_id = m.id AND event_type = 'status_change'
    ORDER BY "timestamp" DESC, id DESC LIMIT 1) c ON true
) s`;

/** One server's id and name; $1 is its id. */
export const MCP_SERVER_SQL = `
SELECT row_to_json(s)::text AS json
FROM (SELECT id, name, transport, enabled FROM spanledger.mcp_servers WHERE id = $1::integer) s`;

/** A server's most recent health rows, newest first; $1 server id, $2 how many. */
export const MCP_HEALTH_SQL = `
SELECT coalesce(json_agg(row_to_json(h) ORDER BY h."timestamp" DESC, h.id DESC), '[]')::text AS json
FROM (
  SELECT id, "timestamp", status, response_time_ms, error_message, event_type, meta_data
  FROM spanledger.mcp_health_log
  WHERE mcp_server_id = $1::integer
  ORDER BY "timestamp" DESC, id DESC
  LIMIT $2::integer
) h`;
