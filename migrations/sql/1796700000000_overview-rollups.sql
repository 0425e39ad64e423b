-- Up Migration
-- Overview rollups (issue 16): what the console's overview and usage reports without a user
-- dimension read instead of audit_log and usage_daily. At 5M audit rows the overview read ~1.7M
-- rows for an admin's 30 days (4.4 s) and ~17k for one tenant's (231 ms); these tables hold one
-- row per day, tenant and model (or tool, or MCP server), so the same page reads hundreds.
--
-- They are kept by statement triggers on the ledgers (llm_usage, audit_log) rather than inside
-- merge_stage, so that every path that appends ledger rows keeps them exact, and merge_stage's
-- hashed, chained statement stays as the trust migration wrote it. A statement trigger sees
-- exactly the rows the statement inserted (its transition table): re-sent spans that ON CONFLICT
-- skipped are not in it, so nothing is counted twice.
-- Like usage_daily they are rollups, not evidence: retention drops ledger months but keeps them.

-- ---------------------------------------------------------------------------------------------
-- usage_daily_models: usage_daily without the user. A tenant has ~50× fewer rows here (one per
-- provider and model a day instead of one per user, provider and model), every tenant together
-- 5,000× fewer than audit_log at the benchmark's shape. Same measures, same '' for unknown.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE spanledger.usage_daily_models (
  day                date NOT NULL,
  tenant_id          text COLLATE "C" NOT NULL DEFAULT '',
  provider           text NOT NULL DEFAULT '',
  model              text NOT NULL DEFAULT '',
  calls              bigint NOT NULL DEFAULT 0,
  error_calls        bigint NOT NULL DEFAULT 0,
  input_tokens       bigint NOT NULL DEFAULT 0,
  output_tokens      bigint NOT NULL DEFAULT 0,
  cache_read_tokens  bigint NOT NULL DEFAULT 0,
  cache_write_tokens bigint NOT NULL DEFAULT 0,
  reasoning_tokens   bigint NOT NULL DEFAULT 0,
  cost_usd           numeric(24, 10) NOT NULL DEFAULT 0,
  unpriced_calls     bigint NOT NULL DEFAULT 0,
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, day, provider, model)
);

COMMENT ON TABLE spanledger.usage_daily_models IS
  'usage_daily summed over users (day, tenant, provider, model), kept from the same llm_usage rows by a trigger. Read by usage reports and quotas that neither group nor filter by user.';

-- ---------------------------------------------------------------------------------------------
-- calls_daily: calls per day, tenant and tool or MCP server, from every audit row that names
-- one (billed or not): the overview's "most used tools and MCP servers".
-- ---------------------------------------------------------------------------------------------
CREATE TABLE spanledger.calls_daily (
  day         date NOT NULL,
  tenant_id   text COLLATE "C" NOT NULL DEFAULT '',
  kind        text NOT NULL CHECK (kind IN ('tool', 'mcp_server')),
  name        text NOT NULL,
  calls       bigint NOT NULL DEFAULT 0,
  error_calls bigint NOT NULL DEFAULT 0,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, kind, day, name)
);

COMMENT ON TABLE spanledger.calls_daily IS
  'Audit rows per day, tenant and tool name or MCP server, kept by a trigger on audit_log.';

-- Every tenant's rows of a range (an admin's overview): the key starts with the tenant.
CREATE INDEX usage_daily_models_day_idx ON spanledger.usage_daily_models (day);
CREATE INDEX calls_daily_kind_day_idx ON spanledger.calls_daily (kind, day);

-- ---------------------------------------------------------------------------------------------
-- The triggers. Rows are upserted in key order, as merge_stage does for usage_daily, so that
-- concurrent writers lock rollup rows in the same order and cannot deadlock.
-- ---------------------------------------------------------------------------------------------
-- usage_daily_models sums the same new llm_usage rows merge_stage rolls into usage_daily, by
-- the same rules (model = the responding model, else the requested one, as llm_usage stores it).
-- One ordered upsert per statement: a trigger on usage_daily would have needed an INSERT and an
-- UPDATE pass (an upsert fires both), and two writers taking rollup rows in two passes can lock
-- them in opposite orders and deadlock (the concurrent-writers test caught exactly that).
CREATE FUNCTION spanledger.roll_up_usage_models() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  INSERT INTO spanledger.usage_daily_models AS d (day, tenant_id, provider, model, calls,
    error_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
    reasoning_tokens, cost_usd, unpriced_calls)
  SELECT (n.started_at AT TIME ZONE 'UTC')::date, coalesce(n.tenant_id, ''),
    coalesce(n.provider, ''), coalesce(n.model, ''), count(*),
    count(*) FILTER (WHERE n.status = 'error'), coalesce(sum(n.input_tokens), 0),
    coalesce(sum(n.output_tokens), 0), coalesce(sum(n.cache_read_tokens), 0),
    coalesce(sum(n.cache_write_tokens), 0), coalesce(sum(n.reasoning_tokens), 0),
    coalesce(sum(n.cost_usd), 0), count(*) FILTER (WHERE n.cost_usd IS NULL)
  FROM new_rows n
  GROUP BY 2, 1, 3, 4
  ORDER BY 2, 1, 3, 4
  ON CONFLICT (tenant_id, day, provider, model) DO UPDATE SET
    calls = d.calls + EXCLUDED.calls,
    error_calls = d.error_calls + EXCLUDED.error_calls,
    input_tokens = d.input_tokens + EXCLUDED.input_tokens,
    output_tokens = d.output_tokens + EXCLUDED.output_tokens,
    cache_read_tokens = d.cache_read_tokens + EXCLUDED.cache_read_tokens,
    cache_write_tokens = d.cache_write_tokens + EXCLUDED.cache_write_tokens,
    reasoning_tokens = d.reasoning_tokens + EXCLUDED.reasoning_tokens,
    cost_usd = d.cost_usd + EXCLUDED.cost_usd,
    unpriced_calls = d.unpriced_calls + EXCLUDED.unpriced_calls,
    updated_at = now();
  RETURN NULL;
END
$$;

CREATE FUNCTION spanledger.roll_up_calls() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  INSERT INTO spanledger.calls_daily AS d (day, tenant_id, kind, name, calls, error_calls)
  SELECT x.day, x.tenant_id, x.kind, x.name, count(*), count(*) FILTER (WHERE x.status = 'error')
  FROM (
    SELECT (n.started_at AT TIME ZONE 'UTC')::date AS day, coalesce(n.tenant_id, '') AS tenant_id,
           k.kind, k.name, n.status
    FROM new_rows n
    CROSS JOIN LATERAL (VALUES ('tool', n.tool_name), ('mcp_server', n.mcp_server)) AS k(kind, name)
    WHERE k.name IS NOT NULL
  ) x
  GROUP BY x.tenant_id, x.kind, x.day, x.name
  ORDER BY x.tenant_id, x.kind, x.day, x.name
  ON CONFLICT (tenant_id, kind, day, name) DO UPDATE SET
    calls = d.calls + EXCLUDED.calls,
    error_calls = d.error_calls + EXCLUDED.error_calls,
    updated_at = now();
  RETURN NULL;
END
$$;

REVOKE ALL ON FUNCTION spanledger.roll_up_usage_models(), spanledger.roll_up_calls() FROM PUBLIC;

CREATE TRIGGER llm_usage_roll_up_models AFTER INSERT ON spanledger.llm_usage
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION spanledger.roll_up_usage_models();
CREATE TRIGGER audit_log_roll_up_calls AFTER INSERT ON spanledger.audit_log
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION spanledger.roll_up_calls();

-- ---------------------------------------------------------------------------------------------
-- Backfill from what is there. usage_daily_models from usage_daily (exactly what the trigger
-- would have summed); calls_daily from audit_log, one pass over the retained months. The
-- ledgers are locked against inserts meanwhile, so no batch lands between the backfill and the
-- trigger (on a large ledger this pauses writers for the pass; the exporters retry and spool).
-- ---------------------------------------------------------------------------------------------
LOCK TABLE spanledger.audit_log, spanledger.llm_usage, spanledger.usage_daily IN SHARE MODE;

INSERT INTO spanledger.usage_daily_models (day, tenant_id, provider, model, calls, error_calls,
  input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
  cost_usd, unpriced_calls)
SELECT day, tenant_id, provider, model, sum(calls), sum(error_calls), sum(input_tokens),
  sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens), sum(reasoning_tokens),
  sum(cost_usd), sum(unpriced_calls)
FROM spanledger.usage_daily
GROUP BY day, tenant_id, provider, model;

INSERT INTO spanledger.calls_daily (day, tenant_id, kind, name, calls, error_calls)
SELECT x.day, x.tenant_id, x.kind, x.name, count(*), count(*) FILTER (WHERE x.status = 'error')
FROM (
  SELECT (a.started_at AT TIME ZONE 'UTC')::date AS day, coalesce(a.tenant_id, '') AS tenant_id,
         k.kind, k.name, a.status
  FROM spanledger.audit_log a
  CROSS JOIN LATERAL (VALUES ('tool', a.tool_name), ('mcp_server', a.mcp_server)) AS k(kind, name)
  WHERE k.name IS NOT NULL
) x
GROUP BY x.tenant_id, x.kind, x.day, x.name;

-- ---------------------------------------------------------------------------------------------
-- The overview's slowest and costliest calls: the tenant's rows in ranking order, so "top 10
-- of the range" reads about 10 rows per month partition instead of every row of the range.
-- An admin's view runs the same probe per tenant. The writer pays for both on every audit row
-- (with the triggers, 6–9% of the exporter's throughput: docs/benchmarks.md).
-- Built in this transaction (CREATE INDEX CONCURRENTLY cannot run in one): on a large existing
-- ledger, create them per partition CONCURRENTLY first, with the same columns, and these
-- statements attach them instead of building.
-- ---------------------------------------------------------------------------------------------
CREATE INDEX audit_log_tenant_duration_idx
  ON spanledger.audit_log (tenant_id, duration_ms DESC NULLS LAST, started_at DESC);
CREATE INDEX audit_log_tenant_cost_idx
  ON spanledger.audit_log (tenant_id, cost_usd DESC NULLS LAST, started_at DESC);

-- ---------------------------------------------------------------------------------------------
-- Who reads them: the same readers and policies as usage_daily. The writer gets nothing; the
-- triggers run inside merge_stage, as the owner.
-- ---------------------------------------------------------------------------------------------
GRANT SELECT ON spanledger.usage_daily_models, spanledger.calls_daily
  TO spanledger_reader, spanledger_admin_reader, spanledger_tenant_reader;

ALTER TABLE spanledger.usage_daily_models ENABLE ROW LEVEL SECURITY;
ALTER TABLE spanledger.calls_daily ENABLE ROW LEVEL SECURITY;

CREATE POLICY reader_tenant ON spanledger.usage_daily_models FOR SELECT TO spanledger_reader
  USING (tenant_id = current_setting('spanledger.tenant_id', true));
CREATE POLICY reader_tenant ON spanledger.calls_daily FOR SELECT TO spanledger_reader
  USING (tenant_id = current_setting('spanledger.tenant_id', true));
CREATE POLICY admin_reader_all ON spanledger.usage_daily_models FOR SELECT
  TO spanledger_admin_reader USING (true);
CREATE POLICY admin_reader_all ON spanledger.calls_daily FOR SELECT
  TO spanledger_admin_reader USING (true);
CREATE POLICY tenant_reader_bound ON spanledger.usage_daily_models FOR SELECT
  TO spanledger_tenant_reader USING (tenant_id = (SELECT spanledger.bound_tenant()));
CREATE POLICY tenant_reader_bound ON spanledger.calls_daily FOR SELECT
  TO spanledger_tenant_reader USING (tenant_id = (SELECT spanledger.bound_tenant()));
CREATE POLICY bound_login_own_tenant ON spanledger.usage_daily_models AS RESTRICTIVE FOR SELECT
  TO spanledger_reader, spanledger_admin_reader, spanledger_tenant_reader
  USING ((SELECT spanledger.bound_tenant()) IS NULL OR tenant_id = (SELECT spanledger.bound_tenant()));
CREATE POLICY bound_login_own_tenant ON spanledger.calls_daily AS RESTRICTIVE FOR SELECT
  TO spanledger_reader, spanledger_admin_reader, spanledger_tenant_reader
  USING ((SELECT spanledger.bound_tenant()) IS NULL OR tenant_id = (SELECT spanledger.bound_tenant()));
