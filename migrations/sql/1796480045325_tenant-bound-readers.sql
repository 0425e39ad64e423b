-- Up Migration
-- Tenant-bound reader logins for direct SQL access (Grafana, BI tools, compliance SQL).
--
-- spanledger_reader's policies trust spanledger.tenant_id, a setting any session may change:
-- that is safe behind the query API, which sets it itself, but a login handed to a tenant's
-- Grafana could simply set another tenant. A tenant-bound login's tenant is instead looked up
-- from session_user, which a session cannot change: SET ROLE changes current_user only, SET
-- SESSION AUTHORIZATION needs a superuser login, and settings play no part.

DO $$
BEGIN
  CREATE ROLE spanledger_tenant_reader NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

-- login → tenant. Keyed by role name: a renamed login loses its tenant (and sees nothing)
-- rather than keeping it under a name nobody granted. Only the schema owner reads or changes it.
CREATE TABLE spanledger.tenant_reader_logins (
  role_name  name PRIMARY KEY,
  tenant_id  text COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
  granted_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE spanledger.tenant_reader_logins IS
  'Tenant-bound reader logins: a session whose session_user is listed sees only that tenant''s rows, whatever it sets or whichever reader role it switches to. Change it with spanledger.grant_tenant_reader / revoke_tenant_reader.';

-- The tenant bound to this session's login, or NULL. SECURITY DEFINER so that readers need no
-- access to the mapping table; session_user (not current_user) so SET ROLE cannot change it.
CREATE FUNCTION spanledger.bound_tenant() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT tenant_id FROM spanledger.tenant_reader_logins WHERE role_name = session_user
$$;

REVOKE ALL ON FUNCTION spanledger.bound_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spanledger.bound_tenant()
  TO spanledger_reader, spanledger_admin_reader, spanledger_tenant_reader;

GRANT USAGE ON SCHEMA spanledger TO spanledger_tenant_reader;
GRANT SELECT ON spanledger.audit_log, spanledger.llm_usage, spanledger.usage_daily,
  spanledger.mcp_health_log TO spanledger_tenant_reader;
-- MCP servers are shared infrastructure: names and health, never URLs, commands or config
-- (a URL or a command line can carry a secret).
GRANT SELECT (id, name, transport, enabled, created_at, updated_at)
  ON spanledger.mcp_servers TO spanledger_tenant_reader;

-- The policy that lets a bound login see its tenant. "(SELECT …)" makes the lookup an InitPlan:
-- once per query, not once per row.
CREATE POLICY tenant_reader_bound ON spanledger.audit_log FOR SELECT TO spanledger_tenant_reader
  USING (tenant_id = (SELECT spanledger.bound_tenant()));
CREATE POLICY tenant_reader_bound ON spanledger.llm_usage FOR SELECT TO spanledger_tenant_reader
  USING (tenant_id = (SELECT spanledger.bound_tenant()));
CREATE POLICY tenant_reader_bound ON spanledger.usage_daily FOR SELECT TO spanledger_tenant_reader
  USING (tenant_id = (SELECT spanledger.bound_tenant()));

-- And the cap: a restrictive policy on every reader role, so a bound login that is also granted
-- spanledger_reader (and sets spanledger.tenant_id) or spanledger_admin_reader still sees only its
-- tenant. Unbound sessions (the query API's login, an operators' admin reader) get NULL and are
-- unaffected. Writer roles are not listed: the exporter's statements stay as they were, and
-- grant_tenant_reader refuses logins that can write.
CREATE POLICY bound_login_own_tenant ON spanledger.audit_log AS RESTRICTIVE FOR SELECT
  TO spanledger_reader, spanledger_admin_reader, spanledger_tenant_reader
  USING ((SELECT spanledger.bound_tenant()) IS NULL OR tenant_id = (SELECT spanledger.bound_tenant()));
CREATE POLICY bound_login_own_tenant ON spanledger.llm_usage AS RESTRICTIVE FOR SELECT
  TO spanledger_reader, spanledger_admin_reader, spanledger_tenant_reader
  USING ((SELECT spanledger.bound_tenant()) IS NULL OR tenant_id = (SELECT spanledger.bound_tenant()));
CREATE POLICY bound_login_own_tenant ON spanledger.usage_daily AS RESTRICTIVE FOR SELECT
  TO spanledger_reader, spanledger_admin_reader, spanledger_tenant_reader
  USING ((SELECT spanledger.bound_tenant()) IS NULL OR tenant_id = (SELECT spanledger.bound_tenant()));

-- Binds an existing login to one tenant and makes it a tenant reader (idempotent; calling it
-- again with another tenant moves the login). Owner-only: EXECUTE is revoked from PUBLIC, and it
-- runs with the caller's rights (the owner can GRANT the role it created).
CREATE FUNCTION spanledger.grant_tenant_reader(login name, tenant text) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  r pg_roles%ROWTYPE;
BEGIN
  IF tenant IS NULL OR tenant = '' THEN
    RAISE EXCEPTION 'spanledger.grant_tenant_reader: tenant must be a non-empty tenant id'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT * INTO r FROM pg_roles WHERE rolname = login;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'spanledger.grant_tenant_reader: role "%" does not exist', login
      USING ERRCODE = 'undefined_object', HINT = 'CREATE ROLE ... LOGIN PASSWORD ... first.';
  END IF;
  -- Row-level security does not apply to these at all, so binding them would promise nothing.
  IF r.rolsuper OR r.rolbypassrls THEN
    RAISE EXCEPTION 'spanledger.grant_tenant_reader: role "%" is a superuser or has BYPASSRLS', login
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF login LIKE 'spanledger\_%' THEN
    RAISE EXCEPTION 'spanledger.grant_tenant_reader: "%" is one of spanledger''s own roles; bind a login role', login
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- A login that can act as the writer or the table owner is not held by the reader policies.
  IF pg_has_role(login, 'spanledger_writer', 'MEMBER')
     OR pg_has_role(login, (SELECT relowner FROM pg_class WHERE oid = 'spanledger.audit_log'::regclass), 'MEMBER') THEN
    RAISE EXCEPTION 'spanledger.grant_tenant_reader: role "%" can write or owns the ledgers; use a login that only reads', login
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  INSERT INTO spanledger.tenant_reader_logins (role_name, tenant_id) VALUES (login, tenant)
  ON CONFLICT (role_name) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, granted_at = now();
  EXECUTE format('GRANT spanledger_tenant_reader TO %I', login);
END
$$;

-- Unbinds a login and takes the tenant reader role back (idempotent).
CREATE FUNCTION spanledger.revoke_tenant_reader(login name) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = login) THEN
    EXECUTE format('REVOKE spanledger_tenant_reader FROM %I', login);
  END IF;
  DELETE FROM spanledger.tenant_reader_logins WHERE role_name = login;
END
$$;

REVOKE ALL ON FUNCTION spanledger.grant_tenant_reader(name, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION spanledger.revoke_tenant_reader(name) FROM PUBLIC;
