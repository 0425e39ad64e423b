// Number and time formatting for pages: pure, locale-independent (the same output everywhere).

/** 1234567 → "1,234,567"; null → "–". */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** USD with enough decimals for fractions of a cent; null → "–". */
export function formatUsd(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '–';
  const n = Number(value);
  if (!Number.isFinite(n)) return '–';
  if (n === 0) return '$0';
  return n >= 1 ? `$${n.toFixed(2)}` : `$${n.toPrecision(3)}`;
}

/** Milliseconds as "850 ms" / "1.24 s"; null → "–". */
export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (value < 1000) return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
  return `${(value / 1000).toFixed(2)} s`;
}

/** A ratio as a percentage with one decimal; null → "–". */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return `${(value * 100).toFixed(1)}%`;
}

/** A timestamp as stored ("2026-12-05T20:59:22.123456+00:00") → "2026-12-05 20:59:22". */
export function formatTime(value: string | null | undefined): string {
  if (!value) return '–';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return d.toISOString().replace('T', ' ').slice(0, 19);
}

/** Today minus `days - 1` as YYYY-MM-DD (UTC): the first day of a range of `days` days. */
export function firstDay(days: number, now: Date): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  d.setUTCDate(d.getUTCDate() - (days - 1));
  return d.toISOString().slice(0, 10);
}
