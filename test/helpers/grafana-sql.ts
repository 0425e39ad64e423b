/**
 * Grafana's PostgreSQL data source, as far as what reaches Postgres goes: the frontend's template
 * variable interpolation (TemplateSrv.replace with SqlDatasource.interpolateVariable and the
 * format registry), then the backend's global substitutions (sqleng.Interpolate) and the
 * postgres macro engine (pkg/tsdb/grafana-postgresql-datasource/macros.go). Kept faithful to
 * those sources, quirks included, so a dashboard query that runs here runs in Grafana.
 */

/** A dashboard template variable as Grafana holds it at query time. */
export interface TemplateVariable {
  name: string;
  multi?: boolean;
  includeAll?: boolean;
  /** The custom "All" value: inserted as is, without quoting (Grafana skips formatting it). */
  allValue?: string | null;
  /** The selected value(s); "$__all" selects All. */
  current: string | string[];
  /** Every option the variable query returned (the All option excluded). */
  options: string[];
}

/** The time range, interval and variables of one panel query. */
export interface GrafanaQueryContext {
  from: Date;
  to: Date;
  intervalMs: number;
  variables: readonly TemplateVariable[];
}

const ALL = '$__all';
// public/app/features/variables/utils.ts variableRegex: $var, [[var:fmt]], ${var.path:fmt}
const VARIABLE_REGEX = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;
// macros.go: sExpr
const MACRO_REGEX = /\$([_a-zA-Z0-9]+)\(([^)]*)\)/g;

const quoteLiteral = (v: string) => `'${v.replace(/'/g, "''")}'`;

/** SqlDatasource.interpolateVariable: the SQL data sources' default formatting. */
function interpolateVariable(value: string | string[], variable: TemplateVariable | undefined) {
  if (typeof value === 'string') {
    return variable?.multi || variable?.includeAll
      ? quoteLiteral(value)
      : value.replace(/'/g, "''");
  }
  return value.map(quoteLiteral).join(',');
}

/** The formats of formatRegistry.ts that SQL dashboards use; others fail the test loudly. */
function applyFormat(format: string, value: string | string[]): string {
  const list = Array.isArray(value) ? value : [value];
  switch (format) {
    case 'sqlstring':
      return list.map(quoteLiteral).join(',');
    case 'singlequote':
      return list.map((v) => `'${v.replace(/'/g, "\\'")}'`).join(',');
    case 'doublequote':
      return list.map((v) => `"${v.replace(/"/g, '\\"')}"`).join(',');
    case 'csv':
      return list.join(',');
    case 'raw':
      return Array.isArray(value) ? value.join(',') : value;
    case 'pipe':
      return list.join('|');
    default:
      throw new Error(`grafana-sql helper: variable format "${format}" is not implemented`);
  }
}

/** Frontend: TemplateSrv.replace(rawSql, scopedVars, interpolateVariable). */
export function replaceVariables(sql: string, ctx: GrafanaQueryContext): string {
  const scoped: Record<string, string> = {
    __interval: formatInterval(ctx.intervalMs),
    __interval_ms: String(ctx.intervalMs),
    __from: String(ctx.from.getTime()),
    __to: String(ctx.to.getTime()),
  };
  const byName = new Map(ctx.variables.map((v) => [v.name, v]));
  const replace = (text: string): string =>
    text.replace(VARIABLE_REGEX, (match, var1, var2, fmt2, var3, _path, fmt3) => {
      const name: string = var1 ?? var2 ?? var3;
      const format: string | undefined = fmt2 ?? fmt3;
      if (name in scoped) {
        const value = scoped[name]!;
        return format ? applyFormat(format, value) : interpolateVariable(value, undefined);
      }
      const variable = byName.get(name);
      if (!variable) return match;
      let value = variable.current;
      if (value === ALL || (Array.isArray(value) && value[0] === ALL)) {
        // A custom all value is inserted unformatted (except for text/url formats).
        if (variable.allValue) return replace(variable.allValue);
        value = variable.options;
      }
      return format ? applyFormat(format, value) : interpolateVariable(value, variable);
    });
  return replace(sql);
}

/** gtime.FormatInterval: the largest whole unit, as Grafana writes intervals. */
export function formatInterval(ms: number): string {
  const units: Array<[string, number]> = [
    ['y', 365 * 86_400_000],
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
    ['ms', 1],
  ];
  for (const [unit, size] of units) if (ms >= size) return `${Math.floor(ms / size)}${unit}`;
  return '1ms';
}

/** gtime.ParseInterval → seconds: Go durations plus d, w, M and y (Julian year). */
export function parseIntervalSeconds(text: string): number {
  const day = 86_400;
  const year = day * 365.25;
  const calendar = /^(\d+)([dwMy])$/.exec(text);
  if (calendar) {
    const n = Number(calendar[1]);
    return n * { d: day, w: 7 * day, M: year / 12, y: year }[calendar[2] as 'd' | 'w' | 'M' | 'y'];
  }
  const goUnits: Record<string, number> = {
    ns: 1e-9,
    us: 1e-6,
    µs: 1e-6,
    ms: 1e-3,
    s: 1,
    m: 60,
    h: 3600,
  };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new Error(`error parsing interval ${text}`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * goUnits[p[2]!]!, 0);
}

/** Go's %v for a float64: shortest digits, exponent form from 1e21 down to 1e6 and below 1e-4. */
export function goFloat(value: number): string {
  if (value === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(value)));
  if (exp < -4 || exp >= 21 || exp >= 6) {
    const [mantissa, e] = value.toExponential().split('e') as [string, string];
    const sign = e.startsWith('-') ? '-' : '+';
    const digits = e.replace(/^[+-]/, '').padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return String(value);
}

/** Go's time.RFC3339Nano in UTC: fractional seconds without trailing zeros, "Z". */
export function rfc3339Nano(date: Date): string {
  return date
    .toISOString()
    .replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac ? `.${frac}Z` : 'Z'));
}

/** Backend: sqleng.Interpolate, the substitutions every SQL data source shares. */
function globalSubstitutions(sql: string, ctx: GrafanaQueryContext): string {
  return sql
    .replaceAll('$__interval_ms', String(ctx.intervalMs))
    .replaceAll('$__interval', formatInterval(ctx.intervalMs))
    .replaceAll('$__unixEpochFrom()', String(Math.floor(ctx.from.getTime() / 1000)))
    .replaceAll('$__unixEpochTo()', String(Math.floor(ctx.to.getTime() / 1000)));
}

function evaluateMacro(name: string, args: string[], ctx: GrafanaQueryContext): string {
  const from = rfc3339Nano(ctx.from);
  const to = rfc3339Nano(ctx.to);
  const unix = (d: Date) => Math.floor(d.getTime() / 1000);
  const nano = (d: Date) => (BigInt(d.getTime()) * 1_000_000n).toString();
  const column = () => {
    if (!args[0]) throw new Error(`missing time column argument for macro ${name}`);
    return args[0];
  };
  const group = () => {
    if (args.length < 2) {
      throw new Error(`macro ${name} needs time column and interval and optional fill value`);
    }
    if (args.length === 3) throw new Error('grafana-sql helper: fill modes are not implemented');
    return goFloat(parseIntervalSeconds(args[1]!.replace(/^'+|'+$/g, '')));
  };
  switch (name) {
    case '__time':
      return `${column()} AS "time"`;
    case '__timeEpoch':
      return `extract(epoch from ${column()}) as "time"`;
    case '__timeFilter':
      return `${column()} BETWEEN '${from}' AND '${to}'`;
    case '__timeFrom':
      return `'${from}'`;
    case '__timeTo':
      return `'${to}'`;
    case '__timeGroup': {
      const s = group();
      return `floor(extract(epoch from ${args[0]})/${s})*${s}`;
    }
    case '__timeGroupAlias':
      return `${evaluateMacro('__timeGroup', args, ctx)} AS "time"`;
    case '__unixEpochFilter':
      return `${column()} >= ${unix(ctx.from)} AND ${args[0]} <= ${unix(ctx.to)}`;
    case '__unixEpochNanoFilter':
      return `${column()} >= ${nano(ctx.from)} AND ${args[0]} <= ${nano(ctx.to)}`;
    case '__unixEpochNanoFrom':
      return nano(ctx.from);
    case '__unixEpochNanoTo':
      return nano(ctx.to);
    case '__unixEpochGroup': {
      const s = group();
      return `floor((${args[0]})/${s})*${s}`;
    }
    case '__unixEpochGroupAlias':
      return `${evaluateMacro('__unixEpochGroup', args, ctx)} AS "time"`;
    default:
      throw new Error(`unknown macro "${name}"`);
  }
}

/** Backend: the postgres macro engine (postgresMacroEngine.Interpolate). */
function expandMacros(sql: string, ctx: GrafanaQueryContext): string {
  return sql.replace(MACRO_REGEX, (match, macro: string, rawArgs: string) => {
    let name = macro;
    // Pre-5.3 compatibility: "$__timeGroup(…)," means the aliased form. Grafana looks at the
    // first occurrence of the same text in the whole query, so do we.
    if (name === '__timeGroup') {
      const at = sql.indexOf(match) + match.length;
      if (sql[at] === ',') name = '__timeGroupAlias';
    }
    const args = rawArgs.split(',').map((a) => a.replace(/^ +| +$/g, ''));
    return evaluateMacro(name, args, ctx);
  });
}

/** The SQL Grafana sends to Postgres for a panel target or a variable query. */
export function interpolateGrafanaSql(rawSql: string, ctx: GrafanaQueryContext): string {
  return expandMacros(globalSubstitutions(replaceVariables(rawSql, ctx), ctx), ctx);
}
