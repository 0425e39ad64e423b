-- Up Migration
-- The tenant-bound readers' restrictive cap, rewritten so the planner sees what it costs.
--
-- The cap was `(SELECT bound_tenant()) IS NULL OR tenant_id = (SELECT bound_tenant())`. Postgres
-- cannot know an InitPlan's value at plan time, so it guessed "IS NULL" true for 0.5% of rows and
-- the whole cap for ~1.5%: every reader query's row estimate was ~65× too low. On 5M audit rows
-- that made a tenant's filtered audit page sort every matching row of a BitmapAnd (180–460 ms)
-- instead of walking (tenant_id, started_at) and stopping after a page (3–8 ms).
--
-- `(SELECT bound_tenant() IS NULL)` is one boolean InitPlan, which the planner estimates at 0.5:
-- still a guess, but one that keeps the index walk. What the cap admits is unchanged: the same
-- expression, evaluated once per query.

ALTER POLICY bound_login_own_tenant ON spanledger.audit_log
  USING ((SELECT spanledger.bound_tenant() IS NULL) OR tenant_id = (SELECT spanledger.bound_tenant()));
ALTER POLICY bound_login_own_tenant ON spanledger.llm_usage
  USING ((SELECT spanledger.bound_tenant() IS NULL) OR tenant_id = (SELECT spanledger.bound_tenant()));
ALTER POLICY bound_login_own_tenant ON spanledger.usage_daily
  USING ((SELECT spanledger.bound_tenant() IS NULL) OR tenant_id = (SELECT spanledger.bound_tenant()));
ALTER POLICY bound_login_own_tenant ON spanledger.usage_daily_models
  USING ((SELECT spanledger.bound_tenant() IS NULL) OR tenant_id = (SELECT spanledger.bound_tenant()));
ALTER POLICY bound_login_own_tenant ON spanledger.calls_daily
  USING ((SELECT spanledger.bound_tenant() IS NULL) OR tenant_id = (SELECT spanledger.bound_tenant()));
