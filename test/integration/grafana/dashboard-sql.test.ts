import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import {
  type Dashboard,
  dataLinks,
  loadDashboards,
  overriddenFields,
  provisionedAlertRules,
  sqlTargets,
  sqlVariables,
  variableQuery,
} from '../../helpers/grafana-dashboards.js';
import {
  type GrafanaQueryContext,
  interpolateGrafanaSql,
  type TemplateVariable,
} from '../../helpers/grafana-sql.js';
import { createTestLogin, type TestLogin } from '../../helpers/logins.js';
import { seedObservabilityData } from '../../helpers/observability-data.js';

const HOUR = 3_600_000;
const NUMERIC = new Set([20, 21, 23, 700, 701, 1700]);
const TEXT = new Set([19, 25, 1042, 1043]);
const TIME = new Set([1082, 1114, 1184, ...NUMERIC]);

type Selection = 'all' | 'first' | 'first-two';
const SELECTIONS: Selection[] = ['all', 'first', 'first-two'];

interface Range {
  name: string;
  from: Date;
  to: Date;
  intervalMs: number;
}

/** Runs the dashboard's variable queries in order, each seeing the choices made before it. */
async function resolveVariables(
  client: pg.Client,
  dashboard: Dashboard,
  range: Range,
  selection: Selection,
): Promise<TemplateVariable[]> {
  const resolved: TemplateVariable[] = [];
  for (const variable of sqlVariables(dashboard)) {
    const ctx: GrafanaQueryContext = { ...range, variables: resolved };
    const sql = interpolateGrafanaSql(variableQuery(variable), ctx);
    const { rows, fields } = await client.query(sql);
    // SqlDatasource's metricFindQuery: __value when present, else the first column.
    const column = fields.find((f) => f.name === '__value')?.name ?? fields[0]!.name;
    const options = rows
      .map((r) => r[column])
      .filter((v) => v !== null)
      .map(String);
    const chosen =
      selection === 'all' || options.length === 0
        ? '$__all'
        : options.slice(0, selection === 'first' ? 1 : 2);
    resolved.push({
      name: variable.name,
      multi: variable.multi,
      includeAll: variable.includeAll,
      allValue: variable.allValue,
      current: chosen,
      options,
    });
  }
  return resolved;
}

interface Outcome {
  panel: string;
  refId: string;
  range: string;
  selection: Selection;
  rows: number;
}

/** Checks one result against what its panel needs; returns problems in words. */
function checkResult(
  panel: Parameters<typeof overriddenFields>[0],
  format: string | undefined,
  result: pg.QueryResult,
): string[] {
  const problems: string[] = [];
  const names = result.fields.map((f) => f.name);
  if (format !== 'table') {
    const time = result.fields.find((f) => f.name === 'time');
    if (!time) problems.push(`time series without a "time" column (${names.join(', ')})`);
    else if (!TIME.has(time.dataTypeID)) problems.push(`"time" has type oid ${time.dataTypeID}`);
    for (const f of result.fields) {
      if (f.name !== 'time' && !NUMERIC.has(f.dataTypeID) && !TEXT.has(f.dataTypeID)) {
        problems.push(`column ${f.name} is neither a number nor a label (oid ${f.dataTypeID})`);
      }
    }
    if (!result.fields.some((f) => f.name !== 'time' && NUMERIC.has(f.dataTypeID))) {
      problems.push('time series without a numeric value column');
    }
    // data.LongToWide refuses unsorted or null times.
    const times = result.rows.map((r) =>
      r.time instanceof Date ? r.time.getTime() : Number(r.time),
    );
    if (times.some((t) => Number.isNaN(t))) problems.push('a null or invalid time');
    if (times.some((t, i) => i > 0 && t < times[i - 1]!)) problems.push('rows not sorted by time');
  }
  for (const field of overriddenFields(panel)) {
    if (!names.includes(field)) problems.push(`override for field "${field}" that is not returned`);
  }
  for (const { link } of dataLinks(panel)) {
    for (const m of link.url.matchAll(/\$\{__data\.fields\.([^}]+)\}/g)) {
      if (!names.includes(m[1]!)) problems.push(`link "${link.title}" needs field ${m[1]}`);
    }
  }
  return problems;
}

describe('Grafana dashboards: every SQL query against the real schema and data', () => {
  let db: TestDatabase;
  let operator: TestLogin;
  let tenant: TestLogin;
  let ranges: Range[];
  const dashboards = loadDashboards().filter((d) => sqlTargets(d).length > 0);

  beforeAll(async () => {
    db = await createTestDatabase();
    const { now } = await seedObservabilityData(db.url, db.pool);
    ranges = [
      {
        name: 'last 6 hours',
        from: new Date(now - 6 * HOUR),
        to: new Date(now + 60_000),
        intervalMs: 300_000,
      },
      {
        name: 'last 7 days',
        from: new Date(now - 7 * 24 * HOUR - HOUR),
        to: new Date(now + 60_000),
        intervalMs: HOUR,
      },
    ];
    // The two kinds of login Grafana is provisioned with (deploy/postgres/logins.sql).
    operator = await createTestLogin(db, 'sl_grafana_ops', (n) => [
      `GRANT spanledger_admin_reader TO ${n}`,
    ]);
    tenant = await createTestLogin(db, 'sl_grafana_acme');
    await db.pool.query('SELECT spanledger.grant_tenant_reader($1, $2)', [tenant.name, 'acme']);
  }, 180_000);
  afterAll(async () => {
    await db.drop();
    await operator?.drop();
    await tenant?.drop();
  });

  it('there are SQL dashboards to check', () => {
    expect(dashboards.map((d) => d.uid).sort()).toEqual([
      'spanledger-latency',
      'spanledger-mcp-health',
      'spanledger-usage',
    ]);
  });

  for (const dashboard of dashboards) {
    it(`${dashboard.title}: variables, then every panel query in 2 ranges × 3 selections, as the operators' login`, async () => {
      const client = await operator.connect();
      const outcomes: Outcome[] = [];
      const problems: string[] = [];
      for (const range of ranges) {
        for (const selection of SELECTIONS) {
          const variables = await resolveVariables(client, dashboard, range, selection);
          if (selection === 'all' && range.name === 'last 7 days') {
            for (const v of variables) {
              expect(v.options.length, `variable $${v.name} has options`).toBeGreaterThan(0);
            }
          }
          for (const { panel, target } of sqlTargets(dashboard)) {
            const sql = interpolateGrafanaSql(target.rawSql!, { ...range, variables });
            const where = `${panel.title} [${range.name}, ${selection}]`;
            let result: pg.QueryResult;
            try {
              result = await client.query(sql);
            } catch (err) {
              problems.push(`${where}: ${(err as Error).message}\n${sql}`);
              continue;
            }
            for (const p of checkResult(panel, target.format, result))
              problems.push(`${where}: ${p}`);
            outcomes.push({
              panel: panel.title,
              refId: target.refId,
              range: range.name,
              selection,
              rows: result.rowCount ?? 0,
            });
            // A specific tenant chosen: no other tenant's rows.
            const chosen = variables.find((v) => v.name === 'tenant')?.current;
            if (Array.isArray(chosen) && result.fields.some((f) => f.name === 'tenant')) {
              for (const row of result.rows) {
                if (!chosen.includes(row.tenant))
                  problems.push(`${where}: tenant ${row.tenant} not selected`);
              }
            }
          }
        }
      }
      expect(problems).toEqual([]);
      // Every panel has data over the week with everything selected; most do in six hours too.
      const week = outcomes.filter((o) => o.range === 'last 7 days' && o.selection === 'all');
      expect(week.filter((o) => o.rows === 0).map((o) => o.panel)).toEqual([]);
      const hours = outcomes.filter((o) => o.range === 'last 6 hours' && o.selection === 'all');
      expect(hours.filter((o) => o.rows > 0).length / hours.length).toBeGreaterThanOrEqual(0.9);
    });

    it(`${dashboard.title}: a tenant-bound login runs every query and sees its own tenant only`, async () => {
      const client = await tenant.connect();
      const problems: string[] = [];
      let rows = 0;
      for (const range of ranges) {
        const variables = await resolveVariables(client, dashboard, range, 'all');
        const tenantVar = variables.find((v) => v.name === 'tenant');
        if (tenantVar && range.name === 'last 7 days') expect(tenantVar.options).toEqual(['acme']);
        for (const { panel, target } of sqlTargets(dashboard)) {
          const sql = interpolateGrafanaSql(target.rawSql!, { ...range, variables });
          try {
            const result = await client.query(sql);
            rows += result.rowCount ?? 0;
            for (const row of result.rows) {
              if ('tenant' in row && row.tenant !== 'acme') {
                problems.push(`${panel.title}: a row of tenant ${row.tenant}`);
              }
            }
          } catch (err) {
            problems.push(`${panel.title} [${range.name}]: ${(err as Error).message}`);
          }
        }
      }
      expect(problems).toEqual([]);
      expect(rows).toBeGreaterThan(0);
    });
  }

  it('the Grafana alert "MCP server unhealthy" fires for the server that is down, not the others', async () => {
    const rule = provisionedAlertRules().find((r) => r.uid === 'spanledger-mcp-unhealthy')!;
    const query = rule.data.find((d) => d.datasourceUid === 'spanledger-pg')!;
    const now = Date.now();
    const sql = interpolateGrafanaSql(String(query.model.rawSql), {
      from: new Date(now - 600_000),
      to: new Date(now),
      intervalMs: 60_000,
      variables: [],
    });
    const client = await operator.connect();
    const result = await client.query(sql);
    // Grafana turns a table into alert instances: string columns are labels, one number the value.
    expect(
      result.fields.map((f) => [f.name, NUMERIC.has(f.dataTypeID) ? 'number' : 'text']),
    ).toEqual([
      ['server', 'text'],
      ['unhealthy', 'number'],
    ]);
    expect(result.rows).toEqual([
      { server: 'search-mcp', unhealthy: 1 },
      { server: 'weather-mcp', unhealthy: 0 },
    ]);
  });
});
