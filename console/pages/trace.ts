import { formatCount, formatMs, formatTime, formatUsd } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { buildTraceTree, type TraceNode, type TraceSpan } from './trace-tree.js';

export interface TraceViewData {
  traceId: string;
  spans: TraceSpan[];
  /** More spans than one page held. */
  truncated: boolean;
  /** extensions.console.trace_url with {trace_id}; undefined when not configured. */
  traceUrl: string | undefined;
}

function label(s: TraceSpan): string {
  const what = s.response_model ?? s.request_model ?? s.tool_name ?? s.mcp_method ?? s.span_name;
  return [s.event_type, what].filter(Boolean).join(' · ');
}

const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v, null, 2));

function details(s: TraceSpan): SafeHtml {
  const reasons = Array.isArray(s.finish_reasons)
    ? s.finish_reasons.join(', ')
    : text(s.finish_reasons ?? '');
  const rows: Array<[string, string | SafeHtml]> = [
    ['span id', s.span_id],
    ['started', formatTime(s.started_at)],
    ['provider', s.provider ?? '–'],
    ['operation', s.operation ?? '–'],
    ['requested model', s.request_model ?? '–'],
    ['response model', s.response_model ?? '–'],
    ['tool', s.tool_name ?? '–'],
    ['MCP server / method', `${s.mcp_server ?? '–'} / ${s.mcp_method ?? '–'}`],
    ['finish reasons', reasons || '–'],
    [
      'tokens in / out / cached',
      `${formatCount(s.input_tokens)} / ${formatCount(s.output_tokens)} / ${formatCount(s.cache_read_tokens)}`,
    ],
    ['cost', formatUsd(s.cost_usd)],
    ['user', s.user_id ?? '–'],
    ['input digest', s.input_hash ?? '–'],
    ['output digest', s.output_hash ?? '–'],
  ];
  if (s.status === 'error')
    rows.push(['error', `${s.error_type ?? ''} ${s.error_message ?? ''}`.trim() || 'error']);
  const content = (name: string, value: unknown) =>
    value === null || value === undefined
      ? ''
      : html`<details class="content"><summary>${name} (captured)</summary><pre>${text(value)}</pre></details>`;
  return html`<dl class="span-fields">${rows.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>${content('input', s.input_content)}${content('output', s.output_content)}`;
}

function renderNode(n: TraceNode): SafeHtml {
  const s = n.span;
  const x = (n.offset * 1000).toFixed(1);
  const w = (n.width * 1000).toFixed(1);
  return html`<li id="span-${s.span_id}" class="span kind-${s.event_type}">
<details>
<summary><span class="span-label">${label(s)}</span>
<svg class="bar" viewBox="0 0 1000 10" preserveAspectRatio="none" aria-hidden="true"><rect x="${x}" y="0" width="${w}" height="10" class="status-${s.status}"></rect></svg>
<span class="num">${formatMs(s.duration_ms)}</span>
<span class="num">${formatCount(s.input_tokens)} / ${formatCount(s.output_tokens)} tok</span>
<span class="num">${formatUsd(s.cost_usd)}</span>
<span class="status-${s.status}">${s.status}</span></summary>
${details(s)}
</details>
${n.children.length > 0 ? html`<ol>${n.children.map(renderNode)}</ol>` : ''}
</li>`;
}

/** The trace view's body: the GenAI spans of one trace as a timeline tree. */
export function renderTrace(data: TraceViewData): SafeHtml {
  const tree = buildTraceTree(data.spans);
  const link = data.traceUrl
    ? html`<p><a id="trace-link" href="${data.traceUrl.replaceAll('{trace_id}', data.traceId)}" rel="noreferrer">Open this trace in the tracing backend</a></p>`
    : '';
  if (tree.length === 0) {
    return html`<p class="mono">${data.traceId}</p><p class="empty">No GenAI spans of this trace are in the ledger (or they belong to another tenant).</p>${link}`;
  }
  return html`<p class="mono">${data.traceId} · ${data.spans.length} span(s)</p>${link}
${data.truncated ? html`<p class="error">Only the first ${data.spans.length} spans are shown.</p>` : ''}
<ol class="tree" id="trace-tree">${tree.map(renderNode)}</ol>`;
}
