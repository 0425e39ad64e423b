import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditFilters } from '../../../query/index.js';
import {
  auditExportSql,
  auditPageSql,
  bindValues,
  quotaUsageSql,
  settingValues,
  usageParams,
  usageReportSql,
} from '../../../query/index.js';

const bound = (text: string) => ({ text, ms: 0 });

function filters(v: string): AuditFilters {
  return {
    from: bound(v),
    to: bound(v),
    tenant_id: v,
    event_type: 'llm_call',
    user_id: v,
    session_id: v,
    model: v,
    provider: v,
    tool_name: v,
    status: 'ok',
    trace_id: v,
  };
}

describe('SQL builders', () => {
  it('statement text depends on which filters are set, never on their values', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (a, b) => {
        const position = (s: string) => ({ startedUs: s, traceId: s, spanId: s });
        const page = (v: string) => auditPageSql(filters(v), 100, position(v), bindValues());
        expect(page(a)).toBe(page(b));
        const copy = (v: string) => auditExportSql(filters(v), 'jsonl', settingValues());
        expect(copy(a)).toBe(copy(b));
        const quota = (v: string) =>
          quotaUsageSql({ tenant: v, user: v, start: v, end: v }, bindValues());
        expect(quota(a)).toBe(quota(b));
      }),
    );
  });

  it('binds every value beside the statement', () => {
    const values = bindValues();
    const sql = auditPageSql(filters("o'brien"), 50, undefined, values);
    expect(sql).not.toContain("o'brien");
    expect(values.values).toContain("o'brien");
    expect(values.values.at(-1)).toBe(51); // limit + 1: learns whether another page follows
    expect(sql).toContain('(request_model = $11::text OR response_model = $11::text)');
  });

  it('gives COPY its values through set_config, itself parameterised', () => {
    const values = settingValues();
    const sql = auditExportSql({ user_id: "'; DROP TABLE x; --", status: 'error' }, 'csv', values);
    expect(sql).toBe(
      "COPY (SELECT a.* FROM (SELECT trace_id, span_id, parent_span_id, started_at, ended_at, duration_ms, ingested_at, tenant_id, user_id, session_id, request_id, service_name, service_version, deployment_environment, event_type, operation, span_name, provider, request_model, response_model, response_id, tool_name, tool_call_id, mcp_server, mcp_method, status, error_type, error_message, http_status, finish_reasons, termination_reason, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, usage_source, cost_usd, price_ref, billed, input_hash, output_hash, input_content, output_content, attributes, flags FROM spanledger.audit_log WHERE user_id = current_setting('spanledger.q1')::text AND status = current_setting('spanledger.q2')::text) a ORDER BY a.started_at, a.trace_id, a.span_id) TO STDOUT WITH (FORMAT csv, HEADER true)",
    );
    expect(values.statement()).toEqual({
      text: "SELECT set_config('spanledger.q1', $1, true), set_config('spanledger.q2', $2, true)",
      values: ["'; DROP TABLE x; --", 'error'],
    });
    expect(settingValues().statement()).toBeUndefined();
  });

  it('groups usage by the requested dimensions, in order', () => {
    const values = bindValues();
    const params = usageParams.parse({
      group_by: 'month,model',
      from: '2026-11-01',
      to: '2026-11-30',
    });
    const sql = usageReportSql(params, values);
    expect(sql).toContain(
      "SELECT GROUPING(to_char(day, 'YYYY-MM'), nullif(model, '')) <> 0 AS is_total, to_char(day, 'YYYY-MM') AS month, nullif(model, '') AS model,",
    );
    expect(sql).toContain(
      "GROUP BY GROUPING SETS ((to_char(day, 'YYYY-MM'), nullif(model, '')), ())\nORDER BY 1 DESC, 2, 3",
    );
    expect(values.values).toEqual(['2026-11-01', '2026-12-01', 1002]);
  });
});
