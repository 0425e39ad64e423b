import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const DEPLOY = 'deploy';
export const DASHBOARD_DIR = join(DEPLOY, 'grafana', 'dashboards');
export const PROVISIONING_DIR = join(DEPLOY, 'grafana', 'provisioning');

/** The parts of a dashboard JSON the tests read. */
export interface Dashboard {
  file: string;
  uid: string;
  title: string;
  schemaVersion: number;
  templating: { list: DashboardVariable[] };
  panels: Panel[];
}

export interface DashboardVariable {
  type: string;
  name: string;
  query?: unknown;
  datasource?: { type?: string; uid?: string };
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string | null;
}

export interface Panel {
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  fieldConfig?: { defaults?: Record<string, unknown>; overrides?: Override[] };
  panels?: Panel[];
}

export interface Target {
  refId: string;
  rawSql?: string;
  format?: 'table' | 'time_series';
  expr?: string;
  datasource?: { type?: string; uid?: string };
}

export interface Override {
  matcher: { id: string; options: string };
  properties: Array<{ id: string; value: unknown }>;
}

export interface DataLink {
  title: string;
  url: string;
  internal?: { datasourceUid: string; query: Record<string, unknown> };
}

export const POSTGRES_TYPE = 'grafana-postgresql-datasource';

/** Every dashboard JSON in deploy/grafana/dashboards. */
export function loadDashboards(): Dashboard[] {
  return readdirSync(DASHBOARD_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, ...JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')) }));
}

/** Panels with rows flattened (collapsed rows keep theirs in `panels`). */
export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
}

const isPostgres = (ds: { type?: string } | undefined) => ds?.type === POSTGRES_TYPE;

/** Every SQL target with its panel. */
export function sqlTargets(dashboard: Dashboard) {
  return allPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? [])
      .filter((t) => t.rawSql !== undefined && isPostgres(t.datasource ?? panel.datasource))
      .map((target) => ({ panel, target })),
  );
}

/** SQL query variables in dashboard order (later ones may refer to earlier ones). */
export function sqlVariables(dashboard: Dashboard): DashboardVariable[] {
  return dashboard.templating.list.filter((v) => v.type === 'query' && isPostgres(v.datasource));
}

/** The text of a variable's query (a string, or { query } for Prometheus). */
export function variableQuery(variable: DashboardVariable): string {
  const q = variable.query;
  if (typeof q === 'string') return q;
  if (q && typeof q === 'object' && 'query' in q) return String((q as { query: unknown }).query);
  throw new Error(`variable ${variable.name} has no query text`);
}

/** Every data link of a panel: field defaults and overrides. */
export function dataLinks(panel: Panel): Array<{ field: string | undefined; link: DataLink }> {
  const out: Array<{ field: string | undefined; link: DataLink }> = [];
  const defaults = (panel.fieldConfig?.defaults?.links as DataLink[] | undefined) ?? [];
  for (const link of defaults) out.push({ field: undefined, link });
  for (const override of panel.fieldConfig?.overrides ?? []) {
    for (const property of override.properties) {
      if (property.id !== 'links') continue;
      const field = override.matcher.id === 'byName' ? override.matcher.options : undefined;
      for (const link of property.value as DataLink[]) out.push({ field, link });
    }
  }
  return out;
}

/** Field names that panel overrides match by name. */
export function overriddenFields(panel: Panel): string[] {
  return (panel.fieldConfig?.overrides ?? [])
    .filter((o) => o.matcher.id === 'byName')
    .map((o) => o.matcher.options);
}

/** The provisioned data sources (deploy/grafana/provisioning/datasources/*.yaml). */
export function provisionedDatasources(): Array<{ uid: string; type: string; name: string }> {
  const dir = join(PROVISIONING_DIR, 'datasources');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parse(readFileSync(join(dir, f), 'utf8')).datasources);
}

/** Grafana-managed alert rules (deploy/grafana/provisioning/alerting/*.yaml). */
export function provisionedAlertRules(): Array<{
  uid: string;
  title: string;
  condition: string;
  data: Array<{ refId: string; datasourceUid: string; model: Record<string, unknown> }>;
}> {
  const dir = join(PROVISIONING_DIR, 'alerting');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parse(readFileSync(join(dir, f), 'utf8')).groups)
    .flatMap((g: { rules: never[] }) => g.rules);
}

/** Prometheus alert/record rules (deploy/prometheus/rules/*.yaml). */
export function prometheusRules(): Array<{ alert?: string; record?: string; expr: string }> {
  const dir = join(DEPLOY, 'prometheus', 'rules');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parse(readFileSync(join(dir, f), 'utf8')).groups)
    .flatMap((g: { rules: never[] }) => g.rules);
}

/** Every PromQL expression of the dashboards (targets and label_values variables) and rules. */
export function promqlExpressions(): Array<{ where: string; expr: string }> {
  const out: Array<{ where: string; expr: string }> = [];
  for (const d of loadDashboards()) {
    for (const panel of allPanels(d)) {
      for (const t of panel.targets ?? []) {
        if (t.expr !== undefined) out.push({ where: `${d.file}: ${panel.title}`, expr: t.expr });
      }
    }
    for (const v of d.templating.list) {
      if (v.type === 'query' && v.datasource?.type === 'prometheus') {
        out.push({ where: `${d.file}: $${v.name}`, expr: variableQuery(v) });
      }
    }
  }
  for (const rule of prometheusRules()) {
    out.push({ where: `rules: ${rule.alert ?? rule.record}`, expr: rule.expr });
  }
  return out;
}

const PROMQL_WORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'inf',
  'nan',
  'atan2',
]);

/**
 * The metric names a PromQL expression (or Grafana's label_values(metric, label)) selects.
 * Not a parser: strings, label matchers, range selectors, Grafana variables and grouping
 * clauses are removed, then every identifier not followed by "(" (a function or aggregation)
 * and not a keyword or a number's exponent is a metric name.
 */
export function metricNames(expr: string): string[] {
  const labelValues = /^\s*label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(expr);
  if (labelValues) return [labelValues[1]!];
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+-?[0-9a-z]+/g, ' ');
  const names: string[] = [];
  for (const m of s.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const before = s[m.index - 1] ?? ' ';
    if (/[0-9.]/.test(before)) continue;
    if (
      s
        .slice(m.index + m[0].length)
        .trimStart()
        .startsWith('(')
    )
      continue;
    if (PROMQL_WORDS.has(m[0].toLowerCase())) continue;
    names.push(m[0]);
  }
  return names;
}
