-- Up Migration
-- Trust (issue 13): the runtime owns nothing, no command comes from the database, and every
-- committed batch extends a hash chain that anyone with read access can verify.
--
-- After this migration the writer role (what the collector and exporting apps log in as) has no
-- privilege on any table. It appends through SECURITY DEFINER functions owned by the schema
-- owner, each with search_path pinned: open_stage → COPY → merge_stage (audit, usage, rollup and
-- the chain in one transaction), append_dead_letters, and the prober's functions.

-- ---------------------------------------------------------------------------------------------
-- What the writer could do directly, taken back.
-- ---------------------------------------------------------------------------------------------
REVOKE ALL ON spanledger.audit_log, spanledger.llm_usage, spanledger.usage_daily,
  spanledger.dead_letter, spanledger.mcp_servers, spanledger.mcp_health_log,
  spanledger.mcp_probe_claims FROM spanledger_writer;
DROP POLICY writer_all ON spanledger.audit_log;
DROP POLICY writer_all ON spanledger.llm_usage;
DROP POLICY writer_all ON spanledger.usage_daily;
-- /readyz compares applied migrations with the package's files.
GRANT SELECT ON spanledger.schema_migrations TO spanledger_writer;

-- ---------------------------------------------------------------------------------------------
-- No command from the database: a stdio server's command and arguments come only from the
-- configuration file. Rows may name stdio servers (so their health has an id) but never hold a
-- command; commands stored before are dropped here.
-- ---------------------------------------------------------------------------------------------
ALTER TABLE spanledger.mcp_servers DROP CONSTRAINT mcp_servers_target_check;
UPDATE spanledger.mcp_servers SET command = NULL WHERE command IS NOT NULL;
ALTER TABLE spanledger.mcp_servers ADD CONSTRAINT mcp_servers_target_check CHECK (
  command IS NULL AND (transport = 'stdio' OR url IS NOT NULL)
);
COMMENT ON COLUMN spanledger.mcp_servers.command IS
  'Always NULL: a stdio server''s command comes only from the collector''s configuration file, never from a row.';

-- ---------------------------------------------------------------------------------------------
-- The hash chain.
-- ---------------------------------------------------------------------------------------------
ALTER TABLE spanledger.audit_log
  ADD COLUMN ledger_chain text COLLATE "C",
  ADD COLUMN ledger_seq bigint,
  ADD COLUMN row_hash bytea;
ALTER TABLE spanledger.llm_usage ADD COLUMN row_hash bytea;

COMMENT ON COLUMN spanledger.audit_log.row_hash IS
  'SHA-256 of spanledger.audit_row_text_v1 of this row, computed when it was written; spanledger verify recomputes it.';

-- One head per chain: each exporter write lane extends its own chain, so writers never wait on
-- one global head. The row lock taken on it serialises only writers of the same chain.
CREATE TABLE spanledger.ledger_heads (
  chain_id         text COLLATE "C" PRIMARY KEY,
  seq              bigint NOT NULL,
  head             bytea NOT NULL,
  -- The seq the latest checkpoint bound; a head past it is due in the next checkpoint.
  checkpointed_seq bigint NOT NULL DEFAULT 0,
  updated_at       timestamptz NOT NULL DEFAULT now()
);

-- One row per committed batch. batch_hash = SHA-256 of
-- "<chain_id>|<seq>|<prev_hash hex>|<merkle_root hex>|<audit_rows>|<usage_rows>"
-- (spanledger.batch_hash_v1); prev_hash is the chain's previous batch_hash (32 zero bytes first).
CREATE TABLE spanledger.ledger_batches (
  chain_id         text COLLATE "C" NOT NULL,
  seq              bigint NOT NULL,
  prev_hash        bytea NOT NULL,
  merkle_root      bytea NOT NULL,
  audit_rows       integer NOT NULL,
  usage_rows       integer NOT NULL,
  first_started_at timestamptz NOT NULL,
  last_started_at  timestamptz NOT NULL,
  committed_at     timestamptz NOT NULL DEFAULT now(),
  hash_version     smallint NOT NULL DEFAULT 1,
  batch_hash       bytea NOT NULL,
  PRIMARY KEY (chain_id, seq)
);
CREATE INDEX ledger_batches_committed_idx ON spanledger.ledger_batches (committed_at);

-- Checkpoints bind the heads of every chain that moved since the previous checkpoint, and link
-- to that checkpoint: deleting a whole chain, or the tail of one, breaks the checkpoint chain.
-- checkpoint_hash = SHA-256 of "<id>|<prev_hash hex>|<heads::text>" (spanledger.checkpoint_hash_v1).
CREATE TABLE spanledger.ledger_checkpoints (
  id              bigint PRIMARY KEY,
  at              timestamptz NOT NULL DEFAULT now(),
  heads           jsonb NOT NULL,
  prev_hash       bytea NOT NULL,
  checkpoint_hash bytea NOT NULL
);

-- Append-only, like the ledgers.
CREATE TRIGGER ledger_batches_immutable BEFORE UPDATE OR DELETE ON spanledger.ledger_batches
  FOR EACH ROW EXECUTE FUNCTION spanledger.reject_mutation();
CREATE TRIGGER ledger_batches_no_truncate BEFORE TRUNCATE ON spanledger.ledger_batches
  FOR EACH STATEMENT EXECUTE FUNCTION spanledger.reject_mutation();
CREATE TRIGGER ledger_checkpoints_immutable BEFORE UPDATE OR DELETE ON spanledger.ledger_checkpoints
  FOR EACH ROW EXECUTE FUNCTION spanledger.reject_mutation();
CREATE TRIGGER ledger_checkpoints_no_truncate BEFORE TRUNCATE ON spanledger.ledger_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION spanledger.reject_mutation();

-- The canonical text of a row, version 1: the text of a record of every column in a fixed order
-- (record output quotes and escapes each field, and writes NULL as nothing, so it is
-- unambiguous), with timestamps as epoch seconds (exact numerics: no TimeZone or DateStyle
-- setting changes them), float8 as the hex of its 8 bytes (no extra_float_digits), and jsonb in
-- its normalised text form. A record rather than a JSON array: half the cost per row. What was written is what verify recomputes: the same
-- function over the stored row. A later version gets a new function; hash_version says which.
CREATE FUNCTION spanledger.audit_row_text_v1(
  trace_id text, span_id text, parent_span_id text, started_at timestamptz,
  ended_at timestamptz, duration_ms double precision, ingested_at timestamptz, tenant_id text,
  user_id text, session_id text, request_id text, service_name text, service_version text,
  deployment_environment text, event_type text, operation text, span_name text, provider text,
  request_model text, response_model text, response_id text, tool_name text, tool_call_id text,
  mcp_server text, mcp_method text, status text, error_type text, error_message text,
  http_status integer, finish_reasons text[], termination_reason text, input_tokens bigint,
  output_tokens bigint, cache_read_tokens bigint, cache_write_tokens bigint,
  reasoning_tokens bigint, usage_source text, cost_usd numeric, price_ref text, billed boolean,
  input_hash text, output_hash text, input_content text, output_content text, attributes jsonb,
  flags text[]
) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT ROW(
    trace_id, span_id, parent_span_id, extract(epoch FROM started_at), extract(epoch FROM ended_at),
    encode(float8send(duration_ms), 'hex'), extract(epoch FROM ingested_at), tenant_id, user_id,
    session_id, request_id, service_name, service_version, deployment_environment, event_type,
    operation, span_name, provider, request_model, response_model, response_id, tool_name,
    tool_call_id, mcp_server, mcp_method, status, error_type, error_message, http_status,
    finish_reasons, termination_reason, input_tokens, output_tokens, cache_read_tokens,
    cache_write_tokens, reasoning_tokens, usage_source, cost_usd, price_ref, billed, input_hash,
    output_hash, input_content, output_content, attributes, flags)::text
$$;

CREATE FUNCTION spanledger.usage_row_text_v1(
  trace_id text, span_id text, parent_span_id text, started_at timestamptz,
  ended_at timestamptz, ingested_at timestamptz, tenant_id text, user_id text,
  service_name text, provider text, model text, operation text, response_id text, status text,
  input_tokens bigint, output_tokens bigint, cache_read_tokens bigint,
  cache_write_tokens bigint, reasoning_tokens bigint, total_tokens bigint, usage_source text,
  cost_usd numeric, price_ref text
) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT ROW(
    trace_id, span_id, parent_span_id, extract(epoch FROM started_at), extract(epoch FROM ended_at),
    extract(epoch FROM ingested_at), tenant_id, user_id, service_name, provider, model,
    operation, response_id, status, input_tokens, output_tokens, cache_read_tokens,
    cache_write_tokens, reasoning_tokens, total_tokens, usage_source, cost_usd, price_ref)::text
$$;

-- The same over a stored row, for verify.
CREATE FUNCTION spanledger.audit_row_hash_v1(a spanledger.audit_log) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT sha256(convert_to(spanledger.audit_row_text_v1(
    a.trace_id, a.span_id, a.parent_span_id, a.started_at, a.ended_at, a.duration_ms,
    a.ingested_at, a.tenant_id, a.user_id, a.session_id, a.request_id, a.service_name,
    a.service_version, a.deployment_environment, a.event_type, a.operation, a.span_name,
    a.provider, a.request_model, a.response_model, a.response_id, a.tool_name, a.tool_call_id,
    a.mcp_server, a.mcp_method, a.status, a.error_type, a.error_message, a.http_status,
    a.finish_reasons, a.termination_reason, a.input_tokens, a.output_tokens,
    a.cache_read_tokens, a.cache_write_tokens, a.reasoning_tokens, a.usage_source, a.cost_usd,
    a.price_ref, a.billed, a.input_hash, a.output_hash, a.input_content, a.output_content,
    a.attributes, a.flags), 'UTF8'))
$$;

CREATE FUNCTION spanledger.usage_row_hash_v1(u spanledger.llm_usage) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT sha256(convert_to(spanledger.usage_row_text_v1(
    u.trace_id, u.span_id, u.parent_span_id, u.started_at, u.ended_at, u.ingested_at,
    u.tenant_id, u.user_id, u.service_name, u.provider, u.model, u.operation, u.response_id,
    u.status, u.input_tokens, u.output_tokens, u.cache_read_tokens, u.cache_write_tokens,
    u.reasoning_tokens, u.total_tokens, u.usage_source, u.cost_usd, u.price_ref), 'UTF8'))
$$;

-- RFC 6962 Merkle tree hash: leaves SHA-256(0x00 || row_hash), nodes SHA-256(0x01 || l || r),
-- an odd node carried up a level (the same root as RFC 6962's split at the largest power of 2).
CREATE FUNCTION spanledger.merkle_root_v1(leaves bytea[]) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  level bytea[];
  next  bytea[];
  n     integer;
BEGIN
  n := coalesce(cardinality(leaves), 0);
  IF n = 0 THEN
    RETURN sha256(''::bytea);
  END IF;
  SELECT array_agg(sha256('\x00'::bytea || l) ORDER BY i) INTO level
    FROM unnest(leaves) WITH ORDINALITY AS t(l, i);
  WHILE n > 1 LOOP
    next := '{}';
    FOR i IN 1..n BY 2 LOOP
      IF i = n THEN
        next := next || level[i];
      ELSE
        next := next || sha256('\x01'::bytea || level[i] || level[i + 1]);
      END IF;
    END LOOP;
    level := next;
    n := cardinality(level);
  END LOOP;
  RETURN level[1];
END
$$;

CREATE FUNCTION spanledger.batch_hash_v1(chain_id text, seq bigint, prev_hash bytea,
  merkle_root bytea, audit_rows integer, usage_rows integer) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT sha256(convert_to(format('%s|%s|%s|%s|%s|%s', chain_id, seq, encode(prev_hash, 'hex'),
    encode(merkle_root, 'hex'), audit_rows, usage_rows), 'UTF8'))
$$;

CREATE FUNCTION spanledger.checkpoint_hash_v1(id bigint, prev_hash bytea, heads jsonb)
RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT sha256(convert_to(format('%s|%s|%s', id, encode(prev_hash, 'hex'), heads::text), 'UTF8'))
$$;

-- ---------------------------------------------------------------------------------------------
-- The writer's door: staging and merging.
-- ---------------------------------------------------------------------------------------------

-- The per-session staging table, created by the owner (this function) so the caller cannot
-- alter it: no triggers, policies, rules or column types of its own making reach the owner's
-- merge. The caller may only INSERT (COPY) into it. Idempotent per session.
CREATE FUNCTION spanledger.open_stage() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF to_regclass('pg_temp.spanledger_stage') IS NOT NULL THEN
    IF (SELECT relowner FROM pg_class WHERE oid = 'pg_temp.spanledger_stage'::regclass)
       <> (SELECT oid FROM pg_roles WHERE rolname = current_user) THEN
      RAISE EXCEPTION 'spanledger.open_stage: pg_temp.spanledger_stage was not created by spanledger'
        USING ERRCODE = 'insufficient_privilege', HINT = 'DROP it, then call spanledger.open_stage() again.';
    END IF;
    RETURN;
  END IF;
  CREATE TEMP TABLE spanledger_stage (
    trace_id text COLLATE "C", span_id text COLLATE "C", parent_span_id text COLLATE "C",
    started_at timestamptz, ended_at timestamptz, duration_ms float8, tenant_id text COLLATE "C",
    user_id text COLLATE "C", session_id text COLLATE "C", request_id text COLLATE "C",
    service_name text COLLATE "C", service_version text COLLATE "C",
    deployment_environment text COLLATE "C", event_type text COLLATE "C",
    operation text COLLATE "C", span_name text COLLATE "C", provider text COLLATE "C",
    request_model text COLLATE "C", response_model text COLLATE "C", tool_name text COLLATE "C",
    tool_call_id text COLLATE "C", mcp_server text COLLATE "C", mcp_method text COLLATE "C",
    status text COLLATE "C", error_type text COLLATE "C", error_message text COLLATE "C",
    http_status int4, finish_reasons text[], termination_reason text COLLATE "C",
    input_tokens int8, output_tokens int8, cache_read_tokens int8, cache_write_tokens int8,
    reasoning_tokens int8, usage_source text COLLATE "C", cost_usd numeric,
    price_ref text COLLATE "C", input_hash text COLLATE "C", output_hash text COLLATE "C",
    input_content text COLLATE "C", output_content text COLLATE "C", attributes jsonb,
    flags text[], billable bool, response_id text COLLATE "C"
  ) ON COMMIT DELETE ROWS;
  GRANT INSERT ON pg_temp.spanledger_stage TO spanledger_writer;
END
$$;

-- Merges the staged batch: audit rows (idempotent on the key), llm_usage for new billable leaf
-- calls, the daily rollup from exactly those, and one batch on `chain` (row hashes, Merkle root,
-- link to the chain's previous batch). One statement and one transaction, with the caller's.
CREATE FUNCTION spanledger.merge_stage(chain text)
RETURNS TABLE (staged integer, inserted integer, billed integer, unpriced integer, rollups integer)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET work_mem = '64MB'
AS $$
#variable_conflict use_column
DECLARE
  v_seq     bigint;
  v_prev    bytea;
  v_audit   bytea[];
  v_usage   bytea[];
  v_first   timestamptz;
  v_last    timestamptz;
  v_root    bytea;
  v_hash    bytea;
BEGIN
  IF chain IS NULL OR chain = '' OR length(chain) > 200 THEN
    RAISE EXCEPTION 'spanledger.merge_stage: chain must be a non-empty id of at most 200 characters'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- The caller's COPY is in; fresh statistics for the join columns only (see the exporter).
  ANALYZE pg_temp.spanledger_stage (trace_id, span_id, parent_span_id, started_at, billable);
  INSERT INTO spanledger.ledger_heads (chain_id, seq, head)
  VALUES (chain, 0, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea)
  ON CONFLICT (chain_id) DO NOTHING;
  SELECT h.seq + 1, h.head INTO v_seq, v_prev
    FROM spanledger.ledger_heads h WHERE h.chain_id = chain FOR UPDATE;

  WITH candidates AS MATERIALIZED (
    SELECT s.trace_id, s.span_id, s.parent_span_id, s.started_at, s.ended_at, s.provider,
           s.input_tokens, s.output_tokens, s.response_id
    FROM pg_temp.spanledger_stage s
    WHERE s.billable
      AND NOT EXISTS (SELECT 1 FROM pg_temp.spanledger_stage k
                      WHERE k.billable AND k.trace_id = s.trace_id AND k.parent_span_id = s.span_id)
      AND NOT EXISTS (SELECT 1 FROM pg_temp.spanledger_stage d
                      WHERE d.billable AND d.trace_id = s.trace_id
                        AND d.parent_span_id = s.parent_span_id AND d.span_id <> s.span_id
                        AND d.provider IS NOT DISTINCT FROM s.provider
                        AND d.input_tokens IS NOT DISTINCT FROM s.input_tokens
                        AND d.output_tokens IS NOT DISTINCT FROM s.output_tokens
                        AND (d.response_id = s.response_id
                             OR ((d.response_id IS NULL OR s.response_id IS NULL)
                                 AND d.started_at <= coalesce(s.ended_at, s.started_at)
                                 AND s.started_at <= coalesce(d.ended_at, d.started_at)))
                        AND (d.started_at, d.span_id) < (s.started_at, s.span_id))
  ),
  bill AS MATERIALIZED (
    SELECT s.trace_id, s.span_id, s.started_at
    FROM candidates s
    WHERE (SELECT 1 FROM spanledger.llm_usage u
           WHERE u.trace_id = s.trace_id AND u.parent_span_id = s.span_id
             AND u.started_at BETWEEN s.started_at - interval '1 day' AND s.started_at + interval '1 day'
           LIMIT 1) IS NULL
      AND (SELECT 1 FROM spanledger.llm_usage u
           WHERE u.trace_id = s.trace_id AND u.parent_span_id = s.parent_span_id
             AND u.span_id <> s.span_id
             AND u.provider IS NOT DISTINCT FROM s.provider
             AND u.input_tokens IS NOT DISTINCT FROM s.input_tokens
             AND u.output_tokens IS NOT DISTINCT FROM s.output_tokens
             AND (u.response_id = s.response_id
                  OR ((u.response_id IS NULL OR s.response_id IS NULL)
                      AND u.started_at <= coalesce(s.ended_at, s.started_at)
                      AND s.started_at <= coalesce(u.ended_at, u.started_at)))
             AND u.started_at BETWEEN s.started_at - interval '1 day' AND s.started_at + interval '1 day'
           LIMIT 1) IS NULL
  ),
  rows_in AS (
    SELECT s.*, (b.span_id IS NOT NULL) AS is_billed, s.cost_usd::numeric(20, 10) AS cost
    FROM pg_temp.spanledger_stage s
    LEFT JOIN bill b ON b.trace_id = s.trace_id AND b.span_id = s.span_id AND b.started_at = s.started_at
  ),
  new_audit AS (
    INSERT INTO spanledger.audit_log (trace_id, span_id, parent_span_id, started_at, ended_at,
      duration_ms, ingested_at, tenant_id, user_id, session_id, request_id, service_name,
      service_version, deployment_environment, event_type, operation, span_name, provider,
      request_model, response_model, response_id, tool_name, tool_call_id, mcp_server,
      mcp_method, status, error_type, error_message, http_status, finish_reasons,
      termination_reason, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
      reasoning_tokens, usage_source, cost_usd, price_ref, billed, input_hash, output_hash,
      input_content, output_content, attributes, flags, ledger_chain, ledger_seq, row_hash)
    SELECT r.trace_id, r.span_id, r.parent_span_id, r.started_at, r.ended_at, r.duration_ms,
      now(), r.tenant_id, r.user_id, r.session_id, r.request_id, r.service_name,
      r.service_version, r.deployment_environment, r.event_type, r.operation, r.span_name,
      r.provider, r.request_model, r.response_model, r.response_id, r.tool_name,
      r.tool_call_id, r.mcp_server, r.mcp_method, r.status, r.error_type, r.error_message,
      r.http_status, r.finish_reasons, r.termination_reason, r.input_tokens, r.output_tokens,
      r.cache_read_tokens, r.cache_write_tokens, r.reasoning_tokens, r.usage_source, r.cost,
      r.price_ref, r.is_billed, r.input_hash, r.output_hash, r.input_content, r.output_content,
      r.attributes, r.flags, chain, v_seq,
      sha256(convert_to(spanledger.audit_row_text_v1(r.trace_id, r.span_id, r.parent_span_id,
        r.started_at, r.ended_at, r.duration_ms, now(), r.tenant_id, r.user_id, r.session_id,
        r.request_id, r.service_name, r.service_version, r.deployment_environment,
        r.event_type, r.operation, r.span_name, r.provider, r.request_model, r.response_model,
        r.response_id, r.tool_name, r.tool_call_id, r.mcp_server, r.mcp_method, r.status,
        r.error_type, r.error_message, r.http_status, r.finish_reasons, r.termination_reason,
        r.input_tokens, r.output_tokens, r.cache_read_tokens, r.cache_write_tokens,
        r.reasoning_tokens, r.usage_source, r.cost, r.price_ref, r.is_billed, r.input_hash,
        r.output_hash, r.input_content, r.output_content, r.attributes, r.flags), 'UTF8'))
    FROM rows_in r
    ON CONFLICT DO NOTHING
    RETURNING audit_log.trace_id, audit_log.span_id, audit_log.started_at, audit_log.billed,
      audit_log.row_hash
  ),
  usage_in AS (
    SELECT r.trace_id, r.span_id, r.parent_span_id, r.started_at, r.ended_at, r.tenant_id,
      r.user_id, r.service_name, r.provider, coalesce(r.response_model, r.request_model) AS model,
      r.operation, r.response_id, r.status, r.input_tokens, r.output_tokens, r.cache_read_tokens,
      r.cache_write_tokens, r.reasoning_tokens,
      CASE WHEN r.input_tokens IS NULL AND r.output_tokens IS NULL THEN NULL
           ELSE coalesce(r.input_tokens, 0) + coalesce(r.output_tokens, 0) END AS total_tokens,
      r.usage_source, r.cost, r.price_ref
    FROM rows_in r
    JOIN new_audit n ON n.trace_id = r.trace_id AND n.span_id = r.span_id AND n.started_at = r.started_at
    WHERE n.billed
  ),
  new_usage AS (
    INSERT INTO spanledger.llm_usage (trace_id, span_id, parent_span_id, started_at, ended_at,
      ingested_at, tenant_id, user_id, service_name, provider, model, operation, response_id,
      status, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
      reasoning_tokens, total_tokens, usage_source, cost_usd, price_ref, row_hash)
    SELECT u.trace_id, u.span_id, u.parent_span_id, u.started_at, u.ended_at, now(), u.tenant_id,
      u.user_id, u.service_name, u.provider, u.model, u.operation, u.response_id, u.status,
      u.input_tokens, u.output_tokens, u.cache_read_tokens, u.cache_write_tokens,
      u.reasoning_tokens, u.total_tokens, u.usage_source, u.cost, u.price_ref,
      sha256(convert_to(spanledger.usage_row_text_v1(u.trace_id, u.span_id, u.parent_span_id,
        u.started_at, u.ended_at, now(), u.tenant_id, u.user_id, u.service_name, u.provider,
        u.model, u.operation, u.response_id, u.status, u.input_tokens, u.output_tokens,
        u.cache_read_tokens, u.cache_write_tokens, u.reasoning_tokens, u.total_tokens,
        u.usage_source, u.cost, u.price_ref), 'UTF8'))
    FROM usage_in u
    ON CONFLICT DO NOTHING
    RETURNING llm_usage.trace_id, llm_usage.span_id, llm_usage.started_at, llm_usage.tenant_id,
      llm_usage.user_id, llm_usage.provider, llm_usage.model, llm_usage.status,
      llm_usage.input_tokens, llm_usage.output_tokens, llm_usage.cache_read_tokens,
      llm_usage.cache_write_tokens, llm_usage.reasoning_tokens, llm_usage.cost_usd,
      llm_usage.row_hash
  ),
  rollup AS (
    INSERT INTO spanledger.usage_daily AS d (day, tenant_id, user_id, provider, model, calls,
      error_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
      reasoning_tokens, cost_usd, unpriced_calls)
    SELECT (n.started_at AT TIME ZONE 'UTC')::date, coalesce(n.tenant_id, ''),
      coalesce(n.user_id, ''), coalesce(n.provider, ''), coalesce(n.model, ''), count(*),
      count(*) FILTER (WHERE n.status = 'error'), coalesce(sum(n.input_tokens), 0),
      coalesce(sum(n.output_tokens), 0), coalesce(sum(n.cache_read_tokens), 0),
      coalesce(sum(n.cache_write_tokens), 0), coalesce(sum(n.reasoning_tokens), 0),
      coalesce(sum(n.cost_usd), 0), count(*) FILTER (WHERE n.cost_usd IS NULL)
    FROM new_usage n
    GROUP BY 1, 2, 3, 4, 5
    -- A fixed order makes concurrent writers lock rollup rows in the same order: no deadlocks.
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (day, tenant_id, user_id, provider, model) DO UPDATE SET
      calls = d.calls + EXCLUDED.calls,
      error_calls = d.error_calls + EXCLUDED.error_calls,
      input_tokens = d.input_tokens + EXCLUDED.input_tokens,
      output_tokens = d.output_tokens + EXCLUDED.output_tokens,
      cache_read_tokens = d.cache_read_tokens + EXCLUDED.cache_read_tokens,
      cache_write_tokens = d.cache_write_tokens + EXCLUDED.cache_write_tokens,
      reasoning_tokens = d.reasoning_tokens + EXCLUDED.reasoning_tokens,
      cost_usd = d.cost_usd + EXCLUDED.cost_usd,
      unpriced_calls = d.unpriced_calls + EXCLUDED.unpriced_calls,
      updated_at = now()
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM pg_temp.spanledger_stage)::int,
         (SELECT count(*) FROM new_audit)::int,
         (SELECT count(*) FROM new_usage)::int,
         (SELECT count(*) FROM new_usage WHERE cost_usd IS NULL)::int,
         (SELECT count(*) FROM rollup)::int,
         (SELECT array_agg(row_hash ORDER BY trace_id, span_id, started_at) FROM new_audit),
         (SELECT array_agg(row_hash ORDER BY trace_id, span_id, started_at) FROM new_usage),
         (SELECT min(started_at) FROM new_audit),
         (SELECT max(started_at) FROM new_audit)
    INTO staged, inserted, billed, unpriced, rollups, v_audit, v_usage, v_first, v_last;

  -- Re-sent spans only: nothing new, the chain does not move.
  IF inserted > 0 THEN
    v_root := spanledger.merkle_root_v1(v_audit || coalesce(v_usage, '{}'));
    v_hash := spanledger.batch_hash_v1(chain, v_seq, v_prev, v_root, inserted, billed);
    INSERT INTO spanledger.ledger_batches (chain_id, seq, prev_hash, merkle_root, audit_rows,
      usage_rows, first_started_at, last_started_at, batch_hash)
    VALUES (chain, v_seq, v_prev, v_root, inserted, billed, v_first, v_last, v_hash);
    UPDATE spanledger.ledger_heads SET seq = v_seq, head = v_hash, updated_at = now()
      WHERE chain_id = chain;
  END IF;
  RETURN NEXT;
END
$$;

-- Dead letters, through the same door.
CREATE FUNCTION spanledger.append_dead_letters(entries jsonb) RETURNS integer
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  WITH ins AS (
    INSERT INTO spanledger.dead_letter (source, reason, tenant_id, trace_id, span_id, payload, dedup_key)
    SELECT x.source, x.reason, x.tenant_id, x.trace_id, x.span_id, x.payload, x.dedup_key
    FROM jsonb_to_recordset(entries) AS x(source text, reason text, tenant_id text,
      trace_id text, span_id text, payload jsonb, dedup_key text)
    ON CONFLICT (dedup_key) DO NOTHING
    RETURNING 1
  )
  SELECT count(*)::int FROM ins
$$;

-- A checkpoint of every chain whose head moved since the last one. Serialised by an advisory
-- lock; returns the new checkpoint's id, or the latest one's when nothing moved.
CREATE FUNCTION spanledger.ledger_checkpoint() RETURNS TABLE (id bigint, checkpoint_hash bytea)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_last  spanledger.ledger_checkpoints%ROWTYPE;
  v_heads jsonb;
  v_id    bigint;
  v_prev  bytea;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('spanledger.ledger_checkpoint'));
  SELECT * INTO v_last FROM spanledger.ledger_checkpoints c ORDER BY c.id DESC LIMIT 1;
  -- One statement per head row: what is marked checkpointed is exactly what is bound (a writer
  -- committing meanwhile makes this wait for it, then its new head is bound or left for later).
  WITH moved AS (
    UPDATE spanledger.ledger_heads h SET checkpointed_seq = h.seq
    WHERE h.seq > h.checkpointed_seq
    RETURNING h.chain_id, h.seq, h.head
  )
  SELECT coalesce(jsonb_object_agg(m.chain_id, jsonb_build_array(m.seq, encode(m.head, 'hex'))), '{}')
    INTO v_heads FROM moved m;
  IF v_last.id IS NOT NULL AND v_heads = '{}'::jsonb THEN
    id := v_last.id;
    checkpoint_hash := v_last.checkpoint_hash;
    RETURN NEXT;
    RETURN;
  END IF;
  v_id := coalesce(v_last.id, 0) + 1;
  v_prev := coalesce(v_last.checkpoint_hash,
    '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
  id := v_id;
  checkpoint_hash := spanledger.checkpoint_hash_v1(v_id, v_prev, v_heads);
  INSERT INTO spanledger.ledger_checkpoints (id, at, heads, prev_hash, checkpoint_hash)
  VALUES (v_id, clock_timestamp(), v_heads, v_prev, checkpoint_hash);
  RETURN NEXT;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- The prober's door: configured servers registered (never a command), targets read, claims
-- taken, health rows appended.
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION spanledger.register_mcp_servers(servers jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  INSERT INTO spanledger.mcp_servers AS m (name, transport, url, enabled, config)
  SELECT x.name, x.transport, x.url, x.enabled, x.config || '{"source": "config"}'::jsonb
  FROM jsonb_to_recordset(servers) AS x(name text, transport text, url text, enabled boolean, config jsonb)
  ON CONFLICT (name) DO UPDATE SET transport = EXCLUDED.transport, url = EXCLUDED.url,
    enabled = EXCLUDED.enabled, config = EXCLUDED.config, updated_at = now()
  WHERE (m.transport, m.url, m.enabled, m.config)
    IS DISTINCT FROM (EXCLUDED.transport, EXCLUDED.url, EXCLUDED.enabled, EXCLUDED.config);
  -- Servers that came from config and are no longer in it: disabled, never deleted.
  UPDATE spanledger.mcp_servers SET enabled = false, updated_at = now()
  WHERE config->>'source' = 'config' AND enabled
    AND NOT (name = ANY (ARRAY(SELECT x->>'name' FROM jsonb_array_elements(servers) x)));
END
$$;

CREATE FUNCTION spanledger.mcp_probe_targets()
RETURNS TABLE (id integer, name text, transport text, url text, config jsonb)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT s.id, s.name, s.transport, s.url, s.config FROM spanledger.mcp_servers s
  WHERE s.enabled ORDER BY s.id
$$;

CREATE FUNCTION spanledger.mcp_latest_statuses() RETURNS TABLE (id integer, status text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT s.id, h.status::text FROM spanledger.mcp_servers s
  CROSS JOIN LATERAL (
    SELECT l.status FROM spanledger.mcp_health_log l
    WHERE l.mcp_server_id = s.id AND l.event_type = 'health_check'
    ORDER BY l."timestamp" DESC LIMIT 1) h
$$;

CREATE FUNCTION spanledger.claim_mcp_probe(server_id integer, tick timestamptz, prober text)
RETURNS boolean
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  WITH c AS (
    INSERT INTO spanledger.mcp_probe_claims (mcp_server_id, tick, claimed_by)
    VALUES (server_id, tick, prober) ON CONFLICT DO NOTHING RETURNING 1
  )
  SELECT EXISTS (SELECT 1 FROM c)
$$;

CREATE FUNCTION spanledger.prune_mcp_probe_claims() RETURNS void
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  DELETE FROM spanledger.mcp_probe_claims WHERE tick < now() - interval '1 day'
$$;

CREATE FUNCTION spanledger.append_mcp_health(entries jsonb) RETURNS integer
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  WITH ins AS (
    INSERT INTO spanledger.mcp_health_log
      (mcp_server_id, "timestamp", status, response_time_ms, error_message, meta_data, event_type)
    SELECT r.mcp_server_id, r."timestamp", r.status, r.response_time_ms, r.error_message,
      r.meta_data, r.event_type
    FROM ROWS FROM (jsonb_to_recordset(entries) AS (mcp_server_id integer, "timestamp" timestamptz,
      status text, response_time_ms integer, error_message text, meta_data jsonb, event_type text))
      WITH ORDINALITY AS r(mcp_server_id, "timestamp", status, response_time_ms, error_message,
        meta_data, event_type, n)
    ORDER BY r.n
    RETURNING 1
  )
  SELECT count(*)::int FROM ins
$$;

-- Partitions kept ahead by the running collector too: the same function, now run as the owner
-- with bounds a caller cannot abuse.
CREATE OR REPLACE FUNCTION spanledger.ensure_partitions(months_back integer DEFAULT 1, months_ahead integer DEFAULT 3)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  base       date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
  month_from date;
  month_to   date;
  parent     text;
  part_name  text;
  created    integer := 0;
  has_rows   boolean;
BEGIN
  IF months_back NOT BETWEEN 0 AND 24 OR months_ahead NOT BETWEEN 0 AND 24 THEN
    RAISE EXCEPTION 'spanledger.ensure_partitions: months_back and months_ahead must be between 0 and 24'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('spanledger.ensure_partitions'));
  FOREACH parent IN ARRAY ARRAY['audit_log', 'llm_usage'] LOOP
    FOR i IN -months_back..months_ahead LOOP
      month_from := (base + make_interval(months => i))::date;
      month_to   := (month_from + interval '1 month')::date;
      part_name  := format('%s_y%sm%s', parent, to_char(month_from, 'YYYY'), to_char(month_from, 'MM'));
      CONTINUE WHEN to_regclass(format('spanledger.%I', part_name)) IS NOT NULL;
      EXECUTE format(
        'SELECT EXISTS (SELECT 1 FROM spanledger.%I WHERE started_at >= %L::timestamptz AND started_at < %L::timestamptz)',
        parent || '_default', month_from::timestamptz, month_to::timestamptz) INTO has_rows;
      IF has_rows THEN
        RAISE NOTICE 'spanledger: % already holds rows for %; partition % not created', parent || '_default', month_from, part_name;
        CONTINUE;
      END IF;
      EXECUTE format('CREATE TABLE spanledger.%I PARTITION OF spanledger.%I FOR VALUES FROM (%L) TO (%L)',
        part_name, parent, month_from::timestamptz, month_to::timestamptz);
      EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON spanledger.%I FOR EACH STATEMENT EXECUTE FUNCTION spanledger.reject_mutation()',
        part_name || '_no_truncate', part_name);
      created := created + 1;
    END LOOP;
  END LOOP;
  RETURN created;
END
$$;

-- Functions are executable by PUBLIC unless revoked: every door is opened to the writer only.
REVOKE ALL ON FUNCTION spanledger.open_stage(), spanledger.merge_stage(text),
  spanledger.append_dead_letters(jsonb), spanledger.ledger_checkpoint(),
  spanledger.register_mcp_servers(jsonb), spanledger.mcp_probe_targets(),
  spanledger.mcp_latest_statuses(), spanledger.claim_mcp_probe(integer, timestamptz, text),
  spanledger.prune_mcp_probe_claims(), spanledger.append_mcp_health(jsonb),
  spanledger.ensure_partitions(integer, integer)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spanledger.open_stage(), spanledger.merge_stage(text),
  spanledger.append_dead_letters(jsonb), spanledger.ledger_checkpoint(),
  spanledger.register_mcp_servers(jsonb), spanledger.mcp_probe_targets(),
  spanledger.mcp_latest_statuses(), spanledger.claim_mcp_probe(integer, timestamptz, text),
  spanledger.prune_mcp_probe_claims(), spanledger.append_mcp_health(jsonb),
  spanledger.ensure_partitions(integer, integer)
  TO spanledger_writer;

-- Verification needs every row and the chain: the all-tenants reader may read them.
GRANT SELECT ON spanledger.ledger_batches, spanledger.ledger_checkpoints, spanledger.ledger_heads
  TO spanledger_admin_reader;
