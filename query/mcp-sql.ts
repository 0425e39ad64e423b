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

/**
 * Each server's uptime: the share of health checks answered `healthy` in the last 24 hours,
 * 7 days and 30 days (null with no checks in the window), as one JSON array.
 */
export const MCP_UPTIME_SQL = `
SELECT coalesce(json_agg(row_to_json(u) ORDER BY u.id), '[]')::text AS json
FROM (
  SELECT m.id,
    (count(*) FILTER (WHERE h."timestamp" > now() - interval '24 hours' AND h.status = 'healthy'))::float8
      / nullif(count(*) FILTER (WHERE h."timestamp" > now() - interval '24 hours'), 0) AS uptime_24h,
    (count(*) FILTER (WHERE h."timestamp" > now() - interval '7 days' AND h.status = 'healthy'))::float8
      / nullif(count(*) FILTER (WHERE h."timestamp" > now() - interval '7 days'), 0) AS uptime_7d,
    (count(*) FILTER (WHERE h.status = 'healthy'))::float8 / nullif(count(h.id), 0) AS uptime_30d
  FROM spanledger.mcp_servers m
  LEFT JOIN spanledger.mcp_health_log h
    ON h.mcp_server_id = m.id AND h.event_type = 'health_check'
   AND h."timestamp" > now() - interval '30 days'
  GROUP BY m.id
) u`;

/**
 * Response times of the last 24 hours' health checks: [server id, epoch seconds, ms] triples in
 * time order, as one JSON array (the chart's series).
 */
export const MCP_RESPONSE_TIMES_SQL = `
SELECT coalesce(json_agg(json_build_array(mcp_server_id, extract(epoch FROM "timestamp")::float8, response_time_ms)
                ORDER BY "timestamp"), '[]')::text AS json
FROM spanledger.mcp_health_log
WHERE event_type = 'health_check' AND "timestamp" > now() - interval '24 hours'`;

/** The most recent status changes of every server, newest first; $1 how many. */
export const MCP_STATUS_CHANGES_SQL = `
SELECT coalesce(json_agg(row_to_json(c) ORDER BY c."timestamp" DESC, c.id DESC), '[]')::text AS json
FROM (
  SELECT h.id, h."timestamp", m.name AS server, h.status, h.error_message
  FROM spanledger.mcp_health_log h JOIN spanledger.mcp_servers m ON m.id = h.mcp_server_id
  WHERE h.event_type = 'status_change'
  ORDER BY h."timestamp" DESC, h.id DESC
  LIMIT $1::integer
) c`;
