import { describe, expect, it } from 'vitest';
import { auditPageParams, bindValues, parseParams, rankingsSql } from '../../../query/index.js';

describe('rankingsSql', () => {
  it('binds every filter value as a parameter and reads the matching rows once', () => {
    const evil = "x') OR true; DROP TABLE spanledger.audit_log; --";
    const {
      limit: _l,
      cursor: _c,
      ...filters
    } = parseParams(auditPageParams, {
      from: '2026-11-01',
      tenant_id: evil,
      model: evil,
    });
    const values = bindValues();
    const sql = rankingsSql(filters, 10, values);
    expect(sql).not.toContain('DROP TABLE');
    expect(values.values).toContain(evil);
    expect(values.values).toContain(10);
    expect(sql.match(/FROM spanledger\.audit_log/g)).toHaveLength(1);
    expect(sql).toMatch(/AS slowest,[\s\S]*AS costliest,[\s\S]*AS tools,[\s\S]*AS mcp_servers/);
  });
});
