import { describe, expect, it } from 'vitest';
import {
  formatInterval,
  goFloat,
  interpolateGrafanaSql,
  parseIntervalSeconds,
  replaceVariables,
  rfc3339Nano,
  type TemplateVariable,
} from '../../helpers/grafana-sql.js';

// Expected strings from Grafana's own tests (pkg/tsdb/grafana-postgresql-datasource/
// macros_test.go, packages/grafana-sql variable interpolation), so the helper the dashboard
// tests rely on expands queries as Grafana does.
const from = new Date('2018-04-12T18:00:00Z');
const to = new Date('2018-04-12T18:05:00Z');
const ctx = (variables: TemplateVariable[] = [], intervalMs = 600_000) => ({
  from,
  to,
  intervalMs,
  variables,
});

describe('the Grafana PostgreSQL macro expansion used by the dashboard tests', () => {
  it.each([
    ['select $__time(time_column)', 'select time_column AS "time"'],
    [
      'WHERE $__timeFilter(time_column)',
      "WHERE time_column BETWEEN '2018-04-12T18:00:00Z' AND '2018-04-12T18:05:00Z'",
    ],
    ['select $__timeFrom()', "select '2018-04-12T18:00:00Z'"],
    ['select $__timeTo()', "select '2018-04-12T18:05:00Z'"],
    [
      "SELECT $__timeGroup(time_column,'5m'), value",
      'SELECT floor(extract(epoch from time_column)/300)*300 AS "time", value',
    ],
    [
      "SELECT $__timeGroup(time_column,'5m') as time, value",
      'SELECT floor(extract(epoch from time_column)/300)*300 as time, value',
    ],
    [
      "$__timeGroupAlias(time_column , '5m')",
      'floor(extract(epoch from time_column)/300)*300 AS "time"',
    ],
    [
      'select $__unixEpochFilter(time)',
      `select time >= ${from.getTime() / 1000} AND time <= ${to.getTime() / 1000}`,
    ],
    [
      "SELECT $__unixEpochGroup(time_column+time_adjustment,'5m')",
      'SELECT floor((time_column+time_adjustment)/300)*300',
    ],
    ['SELECT $__interval', 'SELECT 10m'],
    ['SELECT $__interval_ms, $__unixEpochFrom()', `SELECT 600000, ${from.getTime() / 1000}`],
    [
      'SELECT $__timeGroupAlias(t, $__interval)',
      'SELECT floor(extract(epoch from t)/600)*600 AS "time"',
    ],
    [
      "SELECT $__timeGroupAlias(t, '30d')",
      'SELECT floor(extract(epoch from t)/2.592e+06)*2.592e+06 AS "time"',
    ],
  ])('%s', (sql, expected) => {
    expect(interpolateGrafanaSql(sql, ctx())).toBe(expected);
  });

  it('fails on an unknown macro, as Grafana does', () => {
    expect(() => interpolateGrafanaSql('SELECT $__nope(x)', ctx())).toThrow(
      'unknown macro "__nope"',
    );
  });

  it('formats like Go: intervals, floats, RFC 3339 times', () => {
    expect([formatInterval(300_000), formatInterval(86_400_000), formatInterval(1_500)]).toEqual([
      '5m',
      '1d',
      '1s',
    ]);
    expect([goFloat(300), goFloat(604_800), goFloat(1e6), goFloat(0.02)]).toEqual([
      '300',
      '604800',
      '1e+06',
      '0.02',
    ]);
    expect(parseIntervalSeconds('1h30m')).toBe(5_400);
    expect(parseIntervalSeconds('12d')).toBe(1_036_800);
    expect(rfc3339Nano(new Date('1960-02-01T07:00:00.500Z'))).toBe('1960-02-01T07:00:00.5Z');
  });

  const tenant = (current: string | string[], allValue?: string): TemplateVariable => ({
    name: 'tenant',
    multi: true,
    includeAll: true,
    allValue,
    current,
    options: ['acme', "o'hara"],
  });

  it('quotes multi-value variables, doubles quotes, and expands All to every option', () => {
    expect(replaceVariables('IN ($tenant)', ctx([tenant(['acme', "o'hara"])]))).toBe(
      "IN ('acme','o''hara')",
    );
    expect(replaceVariables('IN (${tenant:sqlstring})', ctx([tenant('$__all')]))).toBe(
      "IN ('acme','o''hara')",
    );
    expect(replaceVariables('IN ([[tenant]])', ctx([tenant(['acme'])]))).toBe("IN ('acme')");
  });

  it('inserts a custom All value as is, with any format', () => {
    const all = tenant(['$__all'], "'__all'");
    expect(replaceVariables('IN ($tenant) OR IN (${tenant:sqlstring})', ctx([all]))).toBe(
      "IN ('__all') OR IN ('__all')",
    );
  });

  it('leaves a single-value variable unquoted but escaped, and unknown names alone', () => {
    const single: TemplateVariable = { name: 'v', current: "it's", options: [] };
    expect(replaceVariables("'$v' $unknown", ctx([single]))).toBe("'it''s' $unknown");
  });
});
