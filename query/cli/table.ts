/** A column of a text table: its header and whether values align right (numbers). */
export interface Column {
  header: string;
  right?: boolean;
}

/** Renders rows as aligned text lines, header first. */
export function renderTable(columns: readonly Column[], rows: readonly string[][]): string[] {
  const widths = columns.map((c, i) =>
    Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    columns
      .map((c, i) => {
        const cell = cells[i] ?? '';
        return c.right ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)];
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1234567 → "1,234,567". */
export const formatCount = (n: number | null | undefined) => (n == null ? '' : integer.format(n));

/** Dollars with up to 6 decimals: "0.001234", "12.5". */
export const formatUsd = (n: number | null | undefined) =>
  n == null ? '' : `$${Number(n.toFixed(6)).toString()}`;
