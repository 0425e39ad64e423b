/** One chart as the page's script draws it: x in epoch seconds, one values array per series. */
export interface ChartData {
  title: string;
  unit: 'count' | 'usd' | 'ms';
  kind: 'bars' | 'lines' | 'points';
  x: number[];
  series: Array<{ label: string; values: Array<number | null> }>;
}

/** Each UTC day from `first` (YYYY-MM-DD) for `days` days, as epoch seconds. */
export function dayAxis(first: string, days: number): number[] {
  const start = Date.parse(`${first}T00:00:00Z`) / 1000;
  return Array.from({ length: days }, (_, i) => start + i * 86_400);
}

/** Most series a chart shows; the rest are summed into "other". */
const MAX_SERIES = 8;

/**
 * Per-day rows ({day, key, measure}) → one series per key on the day axis, the keys with the
 * largest totals first, the rest summed into "other". Unknown keys are "(none)".
 */
export function splitSeries(
  rows: ReadonlyArray<Record<string, string | number | null>>,
  key: string,
  measure: string,
  x: readonly number[],
): ChartData['series'] {
  const index = new Map(x.map((t, i) => [t, i]));
  const totals = new Map<string, number>();
  for (const row of rows) {
    const name = row[key] === null || row[key] === undefined ? '(none)' : String(row[key]);
    totals.set(name, (totals.get(name) ?? 0) + Number(row[measure] ?? 0));
  }
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const shown = ranked.slice(0, MAX_SERIES).map(([name]) => name);
  const hasOther = ranked.length > MAX_SERIES;
  const series = [...shown, ...(hasOther ? ['other'] : [])].map((label) => ({
    label,
    values: x.map(() => 0) as Array<number | null>,
  }));
  const slot = new Map(series.map((s, i) => [s.label, i]));
  for (const row of rows) {
    const at = index.get(Date.parse(`${row.day}T00:00:00Z`) / 1000);
    if (at === undefined) continue;
    const name = row[key] === null || row[key] === undefined ? '(none)' : String(row[key]);
    const s = series[slot.get(name) ?? slot.get('other')!]!;
    s.values[at] = (s.values[at] ?? 0) + Number(row[measure] ?? 0);
  }
  return series;
}

/** Per-day rows → one series per measure (summed over the other dimensions). */
export function measureSeries(
  rows: ReadonlyArray<Record<string, string | number | null>>,
  measures: ReadonlyArray<readonly [measure: string, label: string]>,
  x: readonly number[],
): ChartData['series'] {
  const index = new Map(x.map((t, i) => [t, i]));
  return measures.map(([measure, label]) => {
    const values = x.map(() => 0) as number[];
    for (const row of rows) {
      const at = index.get(Date.parse(`${row.day}T00:00:00Z`) / 1000);
      if (at !== undefined) values[at]! += Number(row[measure] ?? 0);
    }
    return { label, values };
  });
}
