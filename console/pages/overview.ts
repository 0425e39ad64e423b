import type { QuotaReport, UsageReport } from '../../query/index.js';
import { formatCount, formatMs, formatPercent, formatTime, formatUsd } from '../format.js';
import { html, jsonScript, type SafeHtml } from '../html.js';
import { type ChartData, dayAxis, measureSeries, splitSeries } from './chart-data.js';

/** The dimensions the overview's charts can be split by. */
export const SPLITS = ['model', 'provider', 'user'] as const;
export type Split = (typeof SPLITS)[number];
/** The ranges (days) the overview offers. */
export const RANGES = [1, 7, 30, 90] as const;

/** A call the overview ranks (slowest, costliest). */
export interface RankedCall {
  trace_id: string;
  span_id: string;
  started_at: string;
  tenant_id: string | null;
  user_id: string | null;
  event_type: string;
  provider: string | null;
  request_model: string | null;
  response_model: string | null;
  tool_name: string | null;
  status: string;
  duration_ms: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | string | null;
}

/** A tool or MCP server with its call count. */
export interface UsedName {
  name: string;
  calls: number;
  errors: number;
}

export interface OverviewData {
  days: number;
  first: string;
  split: Split;
  /** The tenant shown; undefined: every tenant (admin). */
  tenant: string | undefined;
  /** Tenants an admin can pick; undefined for a tenant token. */
  tenants: string[] | undefined;
  daily: UsageReport;
  bySplit: UsageReport;
  slowest: RankedCall[];
  costliest: RankedCall[];
  tools: UsedName[];
  mcpServers: UsedName[];
  quotas: QuotaReport[];
}

const SPLIT_COLUMN: Readonly<Record<Split, string>> = {
  model: 'model',
  provider: 'provider',
  user: 'user_id',
};

/** The model a call shows: the responding model, else the requested one. */
export const modelOf = (c: { response_model: string | null; request_model: string | null }) =>
  c.response_model ?? c.request_model;

function filtersForm(data: OverviewData): SafeHtml {
  return html`<form method="get" action="/" class="filters">
<label>Range <select name="days" class="autosubmit">${RANGES.map(
    (d) =>
      html`<option value="${d}"${d === data.days ? html` selected` : ''}>last ${d} day${d === 1 ? '' : 's'}</option>`,
  )}</select></label>
<label>Split by <select name="split" class="autosubmit">${SPLITS.map(
    (s) => html`<option value="${s}"${s === data.split ? html` selected` : ''}>${s}</option>`,
  )}</select></label>
${
  data.tenants
    ? html`<label>Tenant <select name="tenant_id" class="autosubmit"><option value="">every tenant</option>${data.tenants.map(
        (t) => html`<option value="${t}"${t === data.tenant ? html` selected` : ''}>${t}</option>`,
      )}</select></label>`
    : ''
}
<button type="submit">Show</button>
</form>`;
}

function chart(id: string, data: ChartData): SafeHtml {
  return html`<figure class="chart"><figcaption>${data.title}</figcaption><div class="plot" data-chart="${id}"></div>${jsonScript(id, data)}</figure>`;
}

function callsTable(caption: string, calls: RankedCall[], id: string): SafeHtml {
  if (calls.length === 0)
    return html`<section><h2>${caption}</h2><p class="empty">No calls in this range.</p></section>`;
  return html`<section><h2>${caption}</h2><table id="${id}"><thead><tr><th>started</th><th>kind</th><th>model / tool</th><th>user</th><th>status</th><th class="num">duration</th><th class="num">tokens in/out</th><th class="num">cost</th><th>trace</th></tr></thead><tbody>${calls.map(
    (c) =>
      html`<tr><td>${formatTime(c.started_at)}</td><td>${c.event_type}</td><td>${modelOf(c) ?? c.tool_name ?? '–'}</td><td>${c.user_id ?? '–'}</td><td class="status-${c.status}">${c.status}</td><td class="num">${formatMs(c.duration_ms)}</td><td class="num">${formatCount(c.input_tokens)} / ${formatCount(c.output_tokens)}</td><td class="num">${formatUsd(c.cost_usd)}</td><td><a href="/traces/${c.trace_id}">${c.trace_id.slice(0, 8)}…</a></td></tr>`,
  )}</tbody></table></section>`;
}

function usedTable(caption: string, used: UsedName[], id: string): SafeHtml {
  if (used.length === 0)
    return html`<section><h2>${caption}</h2><p class="empty">None in this range.</p></section>`;
  return html`<section><h2>${caption}</h2><table id="${id}"><thead><tr><th>name</th><th class="num">calls</th><th class="num">errors</th></tr></thead><tbody>${used.map(
    (u) =>
      html`<tr><td>${u.name}</td><td class="num">${formatCount(u.calls)}</td><td class="num">${formatCount(u.errors)}</td></tr>`,
  )}</tbody></table></section>`;
}

function splitTable(data: OverviewData): SafeHtml {
  const column = SPLIT_COLUMN[data.split];
  return html`<section><h2>By ${data.split}</h2><table id="by-split"><thead><tr><th>${data.split}</th><th class="num">calls</th><th class="num">errors</th><th class="num">input tokens</th><th class="num">output tokens</th><th class="num">cached tokens</th><th class="num">cost</th></tr></thead><tbody>${data.bySplit.rows.map(
    (r) =>
      html`<tr><td>${r[column] ?? '(none)'}</td><td class="num">${formatCount(Number(r.calls))}</td><td class="num">${formatCount(Number(r.error_calls))}</td><td class="num">${formatCount(Number(r.input_tokens))}</td><td class="num">${formatCount(Number(r.output_tokens))}</td><td class="num">${formatCount(Number(r.cache_read_tokens))}</td><td class="num">${formatUsd(r.cost_usd)}</td></tr>`,
  )}</tbody></table></section>`;
}

function quotaSection(quotas: QuotaReport[], tenant: string | undefined): SafeHtml {
  const checks = quotas.flatMap((q) => q.checks.map((c) => ({ q, c })));
  if (checks.length === 0) {
    return html`<section><h2>Quotas</h2><p class="empty">${
      tenant === undefined
        ? 'Pick a tenant to see its quota state.'
        : 'No quota rule applies to this tenant (extensions.query_api.quotas).'
    }</p></section>`;
  }
  return html`<section><h2>Quotas</h2><table id="quotas"><thead><tr><th>tenant</th><th>period</th><th>scope</th><th>unit</th><th class="num">used</th><th class="num">limit</th><th>state</th></tr></thead><tbody>${checks.map(
    ({ q, c }) =>
      html`<tr><td>${q.tenant_id}</td><td>${q.period} from ${q.period_start}</td><td>${c.scope}</td><td>${c.unit}</td><td class="num">${c.unit === 'cost_usd' ? formatUsd(c.used) : formatCount(c.used)}</td><td class="num">${c.unit === 'cost_usd' ? formatUsd(c.limit) : formatCount(c.limit)}</td><td class="${c.exceeded ? 'status-error' : 'status-ok'}">${c.exceeded ? 'exceeded' : `${formatPercent(c.used / c.limit)} used`}</td></tr>`,
  )}</tbody></table></section>`;
}

/** The overview's body: totals, per-day charts, rankings and quota state. */
export function renderOverview(data: OverviewData): SafeHtml {
  const x = dayAxis(data.first, data.days);
  const column = SPLIT_COLUMN[data.split];
  const t = data.daily.totals;
  const errorRate = t.calls > 0 ? t.error_calls / t.calls : null;
  const charts: Array<[string, ChartData]> = [
    [
      'chart-calls',
      {
        title: `Calls per day by ${data.split}`,
        unit: 'count',
        kind: 'bars',
        x,
        series: splitSeries(data.daily.rows, column, 'calls', x),
      },
    ],
    [
      'chart-cost',
      {
        title: `Cost per day by ${data.split} (USD)`,
        unit: 'usd',
        kind: 'bars',
        x,
        series: splitSeries(data.daily.rows, column, 'cost_usd', x),
      },
    ],
    [
      'chart-tokens',
      {
        title: 'Tokens per day',
        unit: 'count',
        kind: 'lines',
        x,
        series: measureSeries(
          data.daily.rows,
          [
            ['input_tokens', 'input'],
            ['output_tokens', 'output'],
            ['cache_read_tokens', 'cached'],
          ],
          x,
        ),
      },
    ],
    [
      'chart-errors',
      {
        title: 'Errors per day',
        unit: 'count',
        kind: 'bars',
        x,
        series: measureSeries(data.daily.rows, [['error_calls', 'errors']], x),
      },
    ],
  ];
  return html`${filtersForm(data)}
<dl class="totals" id="totals">
<div><dt>calls</dt><dd>${formatCount(t.calls)}</dd></div>
<div><dt>error rate</dt><dd>${formatPercent(errorRate)}</dd></div>
<div><dt>input tokens</dt><dd>${formatCount(t.input_tokens)}</dd></div>
<div><dt>output tokens</dt><dd>${formatCount(t.output_tokens)}</dd></div>
<div><dt>cached tokens</dt><dd>${formatCount(t.cache_read_tokens)}</dd></div>
<div><dt>cost</dt><dd>${formatUsd(t.cost_usd)}${t.unpriced_calls > 0 ? html` <small>(+${formatCount(t.unpriced_calls)} unpriced)</small>` : ''}</dd></div>
</dl>
<div class="charts">${charts.map(([id, c]) => chart(id, c))}</div>
${splitTable(data)}
<div class="columns">
${usedTable('Most used tools', data.tools, 'tools')}
${usedTable('Most used MCP servers', data.mcpServers, 'mcp-servers')}
</div>
${callsTable('Slowest calls', data.slowest, 'slowest')}
${callsTable('Costliest calls', data.costliest, 'costliest')}
${quotaSection(data.quotas, data.tenant)}`;
}
