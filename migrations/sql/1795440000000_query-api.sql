-- Up Migration
-- The query API (collector/query/): an all-tenants reader role for admin tokens, the audit_log
-- indexes behind its most common filters, and the usage_daily index quota checks read.

-- spanledger_admin_reader sees every tenant. It is a role of its own rather than a setting
-- that widens spanledger_reader's policy: "all tenants" is then visible as current_user in
-- pg_stat_activity and in Postgres logs, and no forgotten or mistyped setting on a pooled
-- connection can widen what a tenant's request sees.
DO $$
BEGIN
  CREATE ROLE spanledger_admin_reader NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

GRANT USAGE ON SCHEMA spanledger TO spanledger_admin_reader;
GRANT SELECT ON spanledger.audit_log, spanledger.llm_usage, spanledger.usage_daily,
  spanledger.mcp_servers, spanledger.mcp_health_log TO spanledger_admin_reader;

-- Row-level security stays on; this role's policy simply admits every row (NULL tenants too).
CREATE POLICY admin_reader_all ON spanledger.audit_log FOR SELECT TO spanledger_admin_reader
  USING (true);
CREATE POLICY admin_reader_all ON spanledger.llm_usage FOR SELECT TO spanledger_admin_reader
  USING (true);
CREATE POLICY admin_reader_all ON spanledger.usage_daily FOR SELECT TO spanledger_admin_reader
  USING (true);

-- mcp_servers and mcp_health_log have no tenant column: MCP servers are shared infrastructure
-- probed by the collector, so both reader roles see all of them (as the initial grants already
-- allow). The API returns their names and health, never URLs, commands or header names.

-- usage_daily's key starts with day, which suits "everything on day X" but makes "tenant T this
-- month" walk every tenant's rows of the month (Postgres 18 can skip-scan it; older versions
-- cannot). Quota checks read (tenant, user, day range); usage reports read (tenant, day range),
-- which this index serves too: the day bound is checked in the index before any row is read.
-- Counters change in place and key columns never do, so the rollup's updates stay HOT: the
-- exporter pays for this index only on new rollup rows.
CREATE INDEX usage_daily_tenant_user_day_idx ON spanledger.usage_daily (tenant_id, user_id, day);

-- Audit pages walk (tenant_id, started_at DESC) and filter the rows they meet, so a page costs
-- what it must read to find `limit` matches. That is cheap for common values and expensive for
-- rare ones: a user's rows are ~1/50 of a tenant's in the benchmark, errors ~1/40, so a page of
-- them read thousands of rows (26 ms at 1M rows). These two serve the filters compliance and
-- SRE queries use most ("everything this user did", "what failed"). The error index is partial:
-- the writer pays for it only on error rows. Other filters (model, session, tool) stay scans of
-- the tenant's index, bounded by from/to and extensions.query_api.query_timeout.
-- Built in this transaction (CREATE INDEX CONCURRENTLY cannot run in one): on a large existing
-- ledger, create them per partition CONCURRENTLY first and this becomes a quick attach.
CREATE INDEX audit_log_tenant_user_started_idx
  ON spanledger.audit_log (tenant_id, user_id, started_at DESC);
CREATE INDEX audit_log_tenant_errors_started_idx
  ON spanledger.audit_log (tenant_id, started_at DESC) WHERE status = 'error';
