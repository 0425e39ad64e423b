import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../collector/config/index.js';
import { partitionWarnings } from '../../../maintenance/index.js';

describe('partitionWarnings', () => {
  it('is quiet with two or more months ahead and empty default partitions', () => {
    expect(
      partitionWarnings([
        { table: 'audit_log', monthsAhead: 2, defaultHasRows: false },
        { table: 'llm_usage', monthsAhead: 3, defaultHasRows: false },
      ]),
    ).toEqual([]);
  });

  it('names the table, the count and what to do when fewer than two months are ahead', () => {
    const [w] = partitionWarnings([{ table: 'llm_usage', monthsAhead: 1, defaultHasRows: false }]);
    expect(w).toMatch(
      /spanledger\.llm_usage has partitions for 1 future month\(s\) \(fewer than 2\)/,
    );
    expect(w).toMatch(/spanledger maintain/);
  });

  it('warns when a default partition holds rows', () => {
    const w = partitionWarnings([{ table: 'audit_log', monthsAhead: 3, defaultHasRows: true }]);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/audit_log_default holds rows/);
  });
});

describe('extensions.maintenance', () => {
  it('defaults to a daily schedule and three months ahead', () => {
    const config = resolveConfig({});
    expect(config.extensions.maintenance).toEqual({
      enabled: true,
      schedule: '0 3 * * *',
      months_ahead: 3,
    });
  });

  it('refuses a bad schedule and months_ahead outside 0–24, naming the field', () => {
    expect(() =>
      resolveConfig({ extensions: { maintenance: { schedule: 'daily', months_ahead: 30 } } }),
    ).toThrow(
      /extensions\.maintenance\.schedule must be a cron expression[\s\S]*extensions\.maintenance\.months_ahead/,
    );
  });
});
