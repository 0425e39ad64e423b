/**
 * Removes what migrations/sql/1796700000000_overview-rollups.sql adds to the write path (its
 * triggers and two audit_log indexes) from a benchmark database: the baseline that prices them
 * in the same run. The rollup tables stay; nothing writes them.
 */
export const WITHOUT_OVERVIEW_ROLLUPS_SQL = `
DROP TRIGGER llm_usage_roll_up_models ON spanledger.llm_usage;
DROP TRIGGER audit_log_roll_up_calls ON spanledger.audit_log;
DROP INDEX spanledger.audit_log_tenant_duration_idx;
DROP INDEX spanledger.audit_log_tenant_cost_idx;`;
