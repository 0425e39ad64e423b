-- The logins of the compose stack, created by the schema owner after `spanledger migrate`
-- (service "db-logins"). Idempotent: a second run updates passwords and grants.
--
-- Settings (the compose file passes them with PGOPTIONS="-c spanledger_setup.NAME=VALUE ..."):
--   collector_password   the collectors' login: a member of spanledger_writer, nothing more
--   operator_password    the operators' Grafana: spanledger_admin_reader (every tenant)
--   tenant_password      a tenant's Grafana: bound to one tenant by spanledger.grant_tenant_reader
--   tenant               that tenant's id
--   collector_login, operator_login, tenant_login   login names (defaults below)

CREATE FUNCTION pg_temp.setting(name text, fallback text DEFAULT NULL) RETURNS text
LANGUAGE sql AS $$
  SELECT coalesce(nullif(current_setting('spanledger_setup.' || name, true), ''), fallback)
$$;

-- Creates the login or resets its password; refuses short or missing passwords.
CREATE FUNCTION pg_temp.ensure_login(login text, password text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  IF password IS NULL OR length(password) < 12 THEN
    RAISE EXCEPTION 'logins.sql: the password for login "%" must be at least 12 characters', login;
  END IF;
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = login) THEN
    EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', login, password);
  ELSE
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', login, password);
  END IF;
  RETURN login;
END
$$;

DO $$
DECLARE
  collector text := pg_temp.ensure_login(
    pg_temp.setting('collector_login', 'spanledger_collector'), pg_temp.setting('collector_password'));
  operator text := pg_temp.ensure_login(
    pg_temp.setting('operator_login', 'grafana_operator'), pg_temp.setting('operator_password'));
  tenant_login text := pg_temp.ensure_login(
    pg_temp.setting('tenant_login', 'grafana_tenant'), pg_temp.setting('tenant_password'));
BEGIN
  -- The collectors append through the writer role's functions and nothing else (docs/security.md).
  EXECUTE format('GRANT spanledger_writer TO %I', collector);
  -- The operators' Grafana sees every tenant (and rows without one).
  EXECUTE format('GRANT spanledger_admin_reader TO %I', operator);
  -- A tenant's Grafana sees that tenant only, whatever it sets (docs/query-api.md).
  PERFORM spanledger.grant_tenant_reader(tenant_login, pg_temp.setting('tenant', 'default'));
END
$$;
