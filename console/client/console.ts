// The console's one script, bundled with uPlot by scripts/bundle-console-assets.ts. Pages work
// without it; it draws the charts from their JSON blocks and adds keyboard navigation. It never
// builds HTML from strings: data reaches the page as text nodes only.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './console.css';

interface ChartData {
  title: string;
  unit: 'count' | 'usd' | 'ms';
  kind: 'bars' | 'lines' | 'points';
  x: number[];
  series: Array<{ label: string; values: Array<number | null> }>;
}

const COLORS = [
  '#2563eb',
  '#dc2626',
  '#16a34a',
  '#d97706',
  '#7c3aed',
  '#0891b2',
  '#db2777',
  '#4b5563',
  '#65a30d',
];

function formatValue(unit: ChartData['unit'], v: number | null): string {
  if (v === null || v === undefined) return '–';
  if (unit === 'usd') return `$${v < 1 ? v.toPrecision(3) : v.toFixed(2)}`;
  if (unit === 'ms') return `${Math.round(v)} ms`;
  // Small axes get fractional ticks: show them rather than round 1.5 to 2.
  return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(1);
}

function drawChart(el: HTMLElement) {
  const source = document.getElementById(el.dataset.chart ?? '');
  if (!source?.textContent) return;
  const data = JSON.parse(source.textContent) as ChartData;
  if (data.x.length === 0 || data.series.length === 0) {
    el.textContent = 'No data in this range.';
    return;
  }
  const bars = data.kind === 'bars' ? uPlot.paths.bars?.({ size: [0.8, 40] }) : undefined;
  const opts: uPlot.Options = {
    width: Math.max(el.clientWidth, 280),
    height: 220,
    legend: { live: true },
    scales: { x: { time: true } },
    axes: [{}, { values: (_u, vals) => vals.map((v) => formatValue(data.unit, v)), size: 70 }],
    series: [
      {},
      ...data.series.map((s, i) => ({
        label: s.label,
        stroke: COLORS[i % COLORS.length],
        fill: data.kind === 'bars' ? `${COLORS[i % COLORS.length]}99` : undefined,
        width: data.kind === 'points' ? 0 : 2,
        points: { show: data.kind === 'points' || data.x.length < 3 },
        value: (_u: uPlot, v: number | null) => formatValue(data.unit, v),
        ...(bars ? { paths: bars } : {}),
      })),
    ],
  };
  // Stacked bars would need a band per series; side by side is honest and simple.
  const plot = new uPlot(
    opts,
    [data.x, ...data.series.map((s) => s.values)] as uPlot.AlignedData,
    el,
  );
  new ResizeObserver(() =>
    plot.setSize({ width: Math.max(el.clientWidth, 280), height: 220 }),
  ).observe(el);
}

/** Arrow keys (and j/k) move between audit rows; Enter opens the focused row's trace. */
function keyboardRows(table: HTMLTableElement) {
  const rows = () => Array.from(table.tBodies[0]?.rows ?? []);
  // Roving tabindex: the table is one Tab stop (the current row), arrows move within it.
  // Without this script the rows' trace links are ordinary Tab stops instead.
  rows().forEach((row, i) => {
    row.tabIndex = i === 0 ? 0 : -1;
    const link = row.querySelector('a');
    if (link) link.tabIndex = -1;
  });
  table.addEventListener('focusin', (event) => {
    const row = (event.target as HTMLElement).closest('tr');
    if (!row?.dataset.href) return;
    for (const other of rows()) other.tabIndex = other === row ? 0 : -1;
  });
  table.addEventListener('keydown', (event) => {
    const row = (event.target as HTMLElement).closest('tr');
    if (!row?.dataset.href) return;
    const list = rows();
    const at = list.indexOf(row);
    let next: HTMLTableRowElement | undefined;
    if (event.key === 'ArrowDown' || event.key === 'j') next = list[at + 1];
    else if (event.key === 'ArrowUp' || event.key === 'k') next = list[at - 1];
    else if (event.key === 'Home') next = list[0];
    else if (event.key === 'End') next = list[list.length - 1];
    else if (event.key === 'Enter') {
      event.preventDefault();
      window.location.assign(row.dataset.href);
      return;
    } else return;
    event.preventDefault();
    next?.focus();
  });
  table.addEventListener('click', (event) => {
    const target = event.target as HTMLElement;
    if (target.closest('a')) return;
    const row = target.closest('tr');
    if (row?.dataset.href) window.location.assign(row.dataset.href);
  });
}

/** Selects marked autosubmit submit their form on change. */
function autosubmit(select: HTMLSelectElement) {
  select.addEventListener('change', () => select.form?.requestSubmit());
}

/** Opening a trace at #span-…: unfold that span and its ancestors. */
function openTarget() {
  const id = window.location.hash.slice(1);
  if (!id.startsWith('span-')) return;
  const target = document.getElementById(id);
  for (let el: HTMLElement | null = target; el; el = el.parentElement) {
    if (el instanceof HTMLDetailsElement) el.open = true;
    if (el.tagName === 'LI') el.querySelector(':scope > details')?.setAttribute('open', '');
  }
  target?.classList.add('target');
  target?.scrollIntoView({ block: 'center' });
}

document.addEventListener('DOMContentLoaded', () => {
  for (const el of document.querySelectorAll<HTMLElement>('[data-chart]')) drawChart(el);
  for (const t of document.querySelectorAll<HTMLTableElement>('table.rows')) keyboardRows(t);
  for (const s of document.querySelectorAll<HTMLSelectElement>('select.autosubmit')) autosubmit(s);
  openTarget();
  document.documentElement.dataset.ready = 'true';
});
