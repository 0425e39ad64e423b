import { formatMs, formatPercent, formatTime } from '../format.js';
import { html, jsonScript, type SafeHtml } from '../html.js';
import type { ChartData } from './chart-data.js';

export interface McpServerRow {
  id: number;
  name: string;
  transport: string;
  enabled: boolean;
  status: string | null;
  checked_at: string | null;
  response_time_ms: number | null;
  error_message: string | null;
  status_changed_at: string | null;
}

export interface McpUptime {
  id: number;
  uptime_24h: number | null;
  uptime_7d: number | null;
  uptime_30d: number | null;
}

export interface McpStatusChange {
  id: number;
  timestamp: string;
  server: string;
  status: string | null;
  error_message: string | null;
}

export interface McpViewData {
  servers: McpServerRow[];
  uptime: McpUptime[];
  /** [server id, epoch seconds, ms] in time order. */
  responseTimes: Array<[number, number, number | null]>;
  statusChanges: McpStatusChange[];
}

/** One series per server on a shared time axis (null where a server has no point). */
export function responseTimeChart(data: McpViewData): ChartData {
  const x = [...new Set(data.responseTimes.map(([, t]) => t))].sort((a, b) => a - b);
  const index = new Map(x.map((t, i) => [t, i]));
  const series = data.servers.map((s) => {
    const values: Array<number | null> = x.map(() => null);
    for (const [id, t, ms] of data.responseTimes) if (id === s.id) values[index.get(t)!] = ms;
    return { label: s.name, values };
  });
  return { title: 'Response time, last 24 hours (ms)', unit: 'ms', kind: 'points', x, series };
}

/** The MCP health view's body: servers with status and uptime, the chart, status changes. */
export function renderMcp(data: McpViewData): SafeHtml {
  if (data.servers.length === 0) {
    return html`<p class="empty">No MCP servers are probed. Configure extensions.mcp_health.servers in otel-config.yaml.</p>`;
  }
  const uptime = new Map(data.uptime.map((u) => [u.id, u]));
  return html`<table id="mcp-servers"><thead><tr><th>server</th><th>transport</th><th>status</th><th>checked</th><th class="num">response</th><th class="num">uptime 24 h</th><th class="num">7 d</th><th class="num">30 d</th><th>status since</th><th>last error</th></tr></thead><tbody>${data.servers.map(
    (s) => {
      const u = uptime.get(s.id);
      return html`<tr><td>${s.name}${s.enabled ? '' : ' (disabled)'}</td><td>${s.transport}</td><td class="health-${s.status ?? 'unknown'}">${s.status ?? 'not probed yet'}</td><td>${formatTime(s.checked_at)}</td><td class="num">${formatMs(s.response_time_ms)}</td><td class="num">${formatPercent(u?.uptime_24h)}</td><td class="num">${formatPercent(u?.uptime_7d)}</td><td class="num">${formatPercent(u?.uptime_30d)}</td><td>${formatTime(s.status_changed_at)}</td><td>${s.error_message ?? ''}</td></tr>`;
    },
  )}</tbody></table>
<figure class="chart wide"><figcaption>Response time, last 24 hours (ms)</figcaption><div class="plot" data-chart="chart-mcp"></div>${jsonScript('chart-mcp', responseTimeChart(data))}</figure>
<section><h2>Status changes</h2>${
    data.statusChanges.length === 0
      ? html`<p class="empty">No status changes recorded.</p>`
      : html`<table id="mcp-changes"><thead><tr><th>when</th><th>server</th><th>status</th><th>error</th></tr></thead><tbody>${data.statusChanges.map(
          (c) =>
            html`<tr><td>${formatTime(c.timestamp)}</td><td>${c.server}</td><td class="health-${c.status ?? 'unknown'}">${c.status ?? '–'}</td><td>${c.error_message ?? ''}</td></tr>`,
        )}</tbody></table>`
  }</section>`;
}
