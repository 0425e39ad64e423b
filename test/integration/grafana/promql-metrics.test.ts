import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryApiSchema } from '../../../query/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { metricNames, promqlExpressions } from '../../helpers/grafana-dashboards.js';
import { startTestCollector } from '../collector/harness.js';

// Prometheus adds "up" to every scrape target itself; every other name must come from /metrics.
const PROMETHEUS_SYNTHETIC = ['up'];

/** The series names a scrape can contain: every # TYPE, with a histogram's three series. */
function servedNames(text: string): Set<string> {
  const names = new Set(PROMETHEUS_SYNTHETIC);
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m as unknown as [string, string, string];
    if (type === 'histogram' || type === 'summary') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    } else {
      names.add(name);
    }
  }
  return names;
}

describe('every PromQL metric in the dashboards and alert rules exists on /metrics', () => {
  let db: TestDatabase;
  let served: Set<string>;
  beforeAll(async () => {
    db = await createTestDatabase();
    // Everything that adds metrics turned on: the prober, quota rules (forward metrics are always
    // registered, labelled by target).
    const collector = await startTestCollector(db.url, db.pool, {
      prober: () => undefined,
      quotas: queryApiSchema.parse({
        auth: { admin_tokens: ['x'.repeat(16)] },
        quotas: [{ tenant: '*', period: 'month', tokens: 1_000 }],
      }).quotas,
    });
    try {
      served = servedNames(await (await fetch(`${collector.url}/metrics`)).text());
    } finally {
      await collector.stop();
    }
  });
  afterAll(async () => db.drop());

  it('extracts metric names from PromQL without a parser', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le) (rate(a_seconds_bucket{instance=~"$instance", x="y{z}"}[$__rate_interval])))',
      ),
    ).toEqual(['a_seconds_bucket']);
    expect(
      metricNames('deriv(b_bytes[10m]) > 0 and b_bytes > 1e6 unless on (instance) c offset 5m'),
    ).toEqual(['b_bytes', 'b_bytes', 'c']);
    expect(metricNames('max by (tenant, scope) (q_ratio) > 0.9')).toEqual(['q_ratio']);
    expect(metricNames('label_values(d_total, instance)')).toEqual(['d_total']);
  });

  it('finds the dashboards and rules and their expressions', () => {
    const expressions = promqlExpressions();
    expect(expressions.length).toBeGreaterThan(30);
    const names = new Set(expressions.flatMap((e) => metricNames(e.expr)));
    for (const expected of [
      'spanledger_otlp_spans_received_total',
      'spanledger_exporter_spool_bytes',
      'spanledger_collector_ready',
      'spanledger_quota_used_ratio',
      'spanledger_exporter_dead_lettered_total',
    ]) {
      expect(names).toContain(expected);
    }
    expect(served.has('spanledger_collector_ready')).toBe(true);
  });

  it('names only metrics that the collector serves', () => {
    const missing = promqlExpressions().flatMap(({ where, expr }) => {
      const names = metricNames(expr);
      if (names.length === 0) return [`${where}: no metric in ${expr}`];
      return names.filter((n) => !served.has(n)).map((n) => `${where}: ${n}`);
    });
    expect(missing).toEqual([]);
  });
});
