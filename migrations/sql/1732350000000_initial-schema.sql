-- Up Migration
-- spanledger's initial schema. Forward-only: never edit once landed; add a new file instead.
-- Everything lives in schema "spanledger" so it can sit beside an application's own tables.

CREATE SCHEMA IF NOT EXISTS spanledger;

-- Roles are cluster-wide, so several databases (or several migrators) may race to create them.
-- Catch both errors a concurrent CREATE ROLE can raise rather than pre-checking pg_roles.
DO $$
BEGIN
  CREATE ROLE spanledger_writer NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

DO $$
BEGIN
  CREATE ROLE spanledger_reader NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

-- Identifier columns (ids, tenants, users) use the "C" collation: byte order is all they need,
-- and it makes every index insert and comparison several times cheaper than a linguistic one.

-- ---------------------------------------------------------------------------------------------
-- audit_log: one row per LLM call, tool call, MCP request or agent invocation. Immutable.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE spanledger.audit_log (
  trace_id               text COLLATE "C" NOT NULL CHECK (trace_id ~ '^[0-9a-f]{32}$'),
  span_id                text COLLATE "C" NOT NULL CHECK (span_id ~ '^[0-9a-f]{16}$'),
  parent_span_id         text COLLATE "C" CHECK (parent_span_id ~ '^[0-9a-f]{16}$'),
  started_at             timestamptz NOT NULL,
  ended_at               timestamptz,
  duration_ms            double precision,
  ingested_at            timestamptz NOT NULL DEFAULT now(),
  tenant_id              text COLLATE "C",
  user_id                text COLLATE "C",
  session_id             text COLLATE "C",
  request_id             text COLLATE "C",
  service_name           text,
  service_version        text,
  deployment_environment text,
  event_type             text NOT NULL CHECK (event_type IN ('llm_call', 'tool_call', 'mcp_call', 'agent_call')),
  operation              text,
  span_name              text,
  provider               text,
  request_model          text,
  response_model         text,
  response_id            text COLLATE "C",
  tool_name              text,
  tool_call_id           text,
  mcp_server             text,
  mcp_method             text,
  status                 text NOT NULL CHECK (status IN ('ok', 'error')),
  error_type             text,
  error_message          text,
  http_status            integer,
  finish_reasons         text[],
  termination_reason     text,
  input_tokens           bigint,
  output_tokens          bigint,
  cache_read_tokens      bigint,
  cache_write_tokens     bigint,
  reasoning_tokens       bigint,
  usage_source           text NOT NULL DEFAULT 'none' CHECK (usage_source IN ('provider', 'estimated', 'none')),
  cost_usd               numeric(20, 10),
  price_ref              text,
  billed                 boolean NOT NULL DEFAULT false,
  input_hash             text,
  output_hash            text,
  input_content          text,
  output_content         text,
  attributes             jsonb NOT NULL DEFAULT '{}'::jsonb,
  flags                  text[] NOT NULL DEFAULT '{}',
  -- The idempotency key. started_at is part of it because a unique key on a partitioned table
  -- must contain the partition key; a re-sent span always carries the same start time.
  PRIMARY KEY (trace_id, span_id, started_at)
) PARTITION BY RANGE (started_at);

COMMENT ON TABLE spanledger.audit_log IS
  'One row per LLM call, tool call, MCP request or agent invocation. Immutable: UPDATE, DELETE and TRUNCATE are rejected by triggers.';
COMMENT ON COLUMN spanledger.audit_log.input_tokens IS
  'Input tokens INCLUDING cached input (OTel GenAI semantics). NULL when unknown, never a fake 0.';
COMMENT ON COLUMN spanledger.audit_log.billed IS
  'True when this call produced a row in llm_usage (leaf model calls only).';

CREATE TABLE spanledger.audit_log_default PARTITION OF spanledger.audit_log DEFAULT;

CREATE INDEX audit_log_tenant_started_idx ON spanledger.audit_log (tenant_id, started_at DESC);
CREATE INDEX audit_log_started_idx ON spanledger.audit_log (started_at DESC);
CREATE INDEX audit_log_event_type_started_idx ON spanledger.audit_log (event_type, started_at DESC);
-- No separate trace_id index: the primary key (trace_id, span_id, started_at) serves
-- "every row of a trace" lookups already.

-- ---------------------------------------------------------------------------------------------
-- llm_usage: the usage ledger, one row per billable (leaf) model call. Immutable.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE spanledger.llm_usage (
  trace_id           text COLLATE "C" NOT NULL,
  span_id            text COLLATE "C" NOT NULL,
  parent_span_id     text COLLATE "C",
  started_at         timestamptz NOT NULL,
  ended_at           timestamptz,
  ingested_at        timestamptz NOT NULL DEFAULT now(),
  tenant_id          text COLLATE "C",
  user_id            text COLLATE "C",
  service_name       text,
  provider           text,
  model              text,
  operation          text,
  response_id        text COLLATE "C",
  status             text NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'error')),
  input_tokens       bigint,
  output_tokens      bigint,
  cache_read_tokens  bigint,
  cache_write_tokens bigint,
  reasoning_tokens   bigint,
  total_tokens       bigint,
  usage_source       text NOT NULL CHECK (usage_source IN ('provider', 'estimated', 'none')),
  cost_usd           numeric(20, 10),
  price_ref          text,
  PRIMARY KEY (trace_id, span_id, started_at)
) PARTITION BY RANGE (started_at);

COMMENT ON TABLE spanledger.llm_usage IS
  'Usage ledger: one row per billable leaf model call. cost_usd is NULL when the model is unpriced. Immutable.';

CREATE TABLE spanledger.llm_usage_default PARTITION OF spanledger.llm_usage DEFAULT;

CREATE INDEX llm_usage_tenant_user_started_idx ON spanledger.llm_usage (tenant_id, user_id, started_at DESC);
CREATE INDEX llm_usage_trace_parent_idx ON spanledger.llm_usage (trace_id, parent_span_id);

-- ---------------------------------------------------------------------------------------------
-- usage_daily: rollup of llm_usage, kept exactly consistent by the exporter (only newly inserted
-- llm_usage rows are added). Unknown key parts are '' rather than NULL so that the primary key
-- works on every supported Postgres (NULLS NOT DISTINCT needs 15+).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE spanledger.usage_daily (
  day                date NOT NULL,
  tenant_id          text COLLATE "C" NOT NULL DEFAULT '',
  user_id            text COLLATE "C" NOT NULL DEFAULT '',
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
  PRIMARY KEY (day, tenant_id, user_id, provider, model)
);

COMMENT ON COLUMN spanledger.usage_daily.cost_usd IS
  'Sum of priced calls only; unpriced_calls counts calls whose cost is unknown (never counted as 0).';

-- ---------------------------------------------------------------------------------------------
-- MCP registry and health log (the shape users already query).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE spanledger.mcp_servers (
  id         integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name       text NOT NULL UNIQUE,
  transport  text NOT NULL CHECK (transport IN ('streamable_http', 'sse', 'stdio')),
  url        text,
  command    text[],
  enabled    boolean NOT NULL DEFAULT true,
  config     jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT mcp_servers_target_check CHECK (
    (transport = 'stdio' AND command IS NOT NULL AND cardinality(command) > 0)
    OR (transport <> 'stdio' AND url IS NOT NULL)
  )
);

CREATE TABLE spanledger.mcp_health_log (
  id               bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  mcp_server_id    integer NOT NULL REFERENCES spanledger.mcp_servers (id),
  "timestamp"      timestamptz NOT NULL DEFAULT now(),
  -- NULL only on the prober's own 'startup'/'shutdown' events, which describe no probe.
  status           varchar(20) CHECK (status IN ('healthy', 'degraded', 'unhealthy', 'timeout')),
  response_time_ms integer,
  error_message    text,
  meta_data        jsonb,
  event_type       varchar(50) NOT NULL DEFAULT 'health_check'
                   CHECK (event_type IN ('health_check', 'startup', 'shutdown', 'status_change')),
  CONSTRAINT mcp_health_log_status_check2 CHECK (status IS NOT NULL OR event_type IN ('startup', 'shutdown'))
);

-- One row per (server, scheduled tick): the prober that inserts it probes; the others skip.
-- This is how several collectors share one schedule without probing a server twice per tick.
CREATE TABLE spanledger.mcp_probe_claims (
  mcp_server_id integer NOT NULL REFERENCES spanledger.mcp_servers (id),
  tick          timestamptz NOT NULL,
  claimed_by    text NOT NULL,
  claimed_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (mcp_server_id, tick)
);

CREATE INDEX mcp_health_log_server_ts_idx ON spanledger.mcp_health_log (mcp_server_id, "timestamp" DESC);
CREATE INDEX mcp_health_log_ts_idx ON spanledger.mcp_health_log ("timestamp" DESC);

-- ---------------------------------------------------------------------------------------------
-- dead_letter: what could not be stored, with why. Nothing is dropped silently.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE spanledger.dead_letter (
  id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now(),
  source      text NOT NULL,
  reason      text NOT NULL,
  tenant_id   text COLLATE "C",
  trace_id    text COLLATE "C",
  span_id     text COLLATE "C",
  payload     jsonb,
  -- A digest of the entry: a replayed spool record or a re-sent bad span is dead-lettered once.
  dedup_key   text NOT NULL UNIQUE
);

CREATE INDEX dead_letter_received_idx ON spanledger.dead_letter (received_at DESC);

-- ---------------------------------------------------------------------------------------------
-- Immutability: rejected by triggers, for the table owner too.
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION spanledger.reject_mutation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'spanledger.% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Audit and usage rows are immutable. Retention drops whole partitions through an admin function.';
END
$$;

-- Row triggers on a partitioned table are cloned onto every partition (present and future).
CREATE TRIGGER audit_log_immutable BEFORE UPDATE OR DELETE ON spanledger.audit_log
  FOR EACH ROW EXECUTE FUNCTION spanledger.reject_mutation();
CREATE TRIGGER llm_usage_immutable BEFORE UPDATE OR DELETE ON spanledger.llm_usage
  FOR EACH ROW EXECUTE FUNCTION spanledger.reject_mutation();

-- Statement-level TRUNCATE triggers are not inherited, so every partition gets its own
-- (ensure_partitions adds it to the partitions it creates).
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON spanledger.audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION spanledger.reject_mutation();
CREATE TRIGGER llm_usage_no_truncate BEFORE TRUNCATE ON spanledger.llm_usage
  FOR EACH STATEMENT EXECUTE FUNCTION spanledger.reject_mutation();
CREATE TRIGGER audit_log_default_no_truncate BEFORE TRUNCATE ON spanledger.audit_log_default
  FOR EACH STATEMENT EXECUTE FUNCTION spanledger.reject_mutation();
CREATE TRIGGER llm_usage_default_no_truncate BEFORE TRUNCATE ON spanledger.llm_usage_default
  FOR EACH STATEMENT EXECUTE FUNCTION spanledger.reject_mutation();

-- ---------------------------------------------------------------------------------------------
-- Monthly partitions. Called at collector start (and safe to call from several at once).
-- A month whose rows already sit in the default partition is skipped with a NOTICE: attaching
-- it would require moving immutable rows, so they stay queryable where they are.
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION spanledger.ensure_partitions(months_back integer DEFAULT 1, months_ahead integer DEFAULT 3)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  base       date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
  month_from date;
  month_to   date;
  parent     text;
  part_name  text;
  created    integer := 0;
  has_rows   boolean;
BEGIN
  -- Serialise concurrent callers; the lock is released at transaction end.
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

REVOKE ALL ON FUNCTION spanledger.ensure_partitions(integer, integer) FROM PUBLIC;

SELECT spanledger.ensure_partitions();

-- ---------------------------------------------------------------------------------------------
-- Least privilege.
-- ---------------------------------------------------------------------------------------------
GRANT USAGE ON SCHEMA spanledger TO spanledger_writer, spanledger_reader;

-- The writer needs SELECT on the ledgers for INSERT ... RETURNING (how the exporter learns which
-- rows were new) and for the leaf-billing checks; it gets no UPDATE, DELETE or TRUNCATE on them.
GRANT SELECT, INSERT ON spanledger.audit_log, spanledger.llm_usage TO spanledger_writer;
GRANT SELECT, INSERT, UPDATE ON spanledger.usage_daily TO spanledger_writer;
GRANT SELECT, INSERT ON spanledger.dead_letter TO spanledger_writer;
GRANT SELECT, INSERT, UPDATE ON spanledger.mcp_servers TO spanledger_writer;
GRANT SELECT, INSERT ON spanledger.mcp_health_log TO spanledger_writer;
GRANT SELECT, INSERT, DELETE ON spanledger.mcp_probe_claims TO spanledger_writer;

GRANT SELECT ON spanledger.audit_log, spanledger.llm_usage, spanledger.usage_daily,
  spanledger.mcp_servers, spanledger.mcp_health_log TO spanledger_reader;

-- Row-level security: readers see only the tenant set in spanledger.tenant_id for their
-- transaction (SET LOCAL); with it unset, current_setting(..., true) is NULL and nothing matches.
-- COPY FROM is refused on RLS tables, which is why the exporter stages and INSERTs ... SELECTs.
ALTER TABLE spanledger.audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE spanledger.llm_usage ENABLE ROW LEVEL SECURITY;
ALTER TABLE spanledger.usage_daily ENABLE ROW LEVEL SECURITY;

CREATE POLICY reader_tenant ON spanledger.audit_log FOR SELECT TO spanledger_reader
  USING (tenant_id = current_setting('spanledger.tenant_id', true));
CREATE POLICY reader_tenant ON spanledger.llm_usage FOR SELECT TO spanledger_reader
  USING (tenant_id = current_setting('spanledger.tenant_id', true));
CREATE POLICY reader_tenant ON spanledger.usage_daily FOR SELECT TO spanledger_reader
  USING (tenant_id = current_setting('spanledger.tenant_id', true));

CREATE POLICY writer_all ON spanledger.audit_log FOR ALL TO spanledger_writer USING (true) WITH CHECK (true);
CREATE POLICY writer_all ON spanledger.llm_usage FOR ALL TO spanledger_writer USING (true) WITH CHECK (true);
CREATE POLICY writer_all ON spanledger.usage_daily FOR ALL TO spanledger_writer USING (true) WITH CHECK (true);
