import { formatCount, formatMs, formatTime, formatUsd } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { modelOf } from './overview.js';

/** The filters the audit view's form carries: the API's parameter names, as typed. */
export const AUDIT_FILTER_FIELDS = [
  ['from', 'from', 'date or timestamp'],
  ['to', 'to', 'date or timestamp'],
  ['tenant_id', 'tenant', ''],
  ['user_id', 'user', ''],
  ['session_id', 'session', ''],
  ['model', 'model', ''],
  ['provider', 'provider', ''],
  ['tool_name', 'tool', ''],
  ['trace_id', 'trace id', '32 hex characters'],
] as const;

/** An audit row as a page of GET /v1/audit carries it (the fields the table shows). */
export interface AuditRow {
  trace_id: string;
  span_id: string;
  started_at: string;
  duration_ms: number | null;
  tenant_id: string | null;
  user_id: string | null;
  session_id: string | null;
  event_type: string;
  provider: string | null;
  request_model: string | null;
  response_model: string | null;
  tool_name: string | null;
  status: string;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | string | null;
}

export interface AuditViewData {
  /** The raw query values (for the form and links); only known, non-empty fields. */
  query: Record<string, string>;
  rows: AuditRow[];
  nextCursor: string | null;
  /** A filter the API refused, with its message; rows are then empty. */
  error?: string;
  /** An admin may filter by tenant; a tenant token's tenant is fixed. */
  tenantFilter: boolean;
}

const STATUSES = ['', 'ok', 'error'] as const;
const EVENT_TYPES = ['', 'llm_call', 'tool_call', 'mcp_call', 'agent_call'] as const;

/** `?a=b&…` from the given values (empty values left out). */
export function queryString(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v) params.set(k, v);
  const text = params.toString();
  return text ? `?${text}` : '';
}

function select(
  name: string,
  label: string,
  options: readonly string[],
  value: string | undefined,
) {
  return html`<label>${label} <select name="${name}">${options.map(
    (o) =>
      html`<option value="${o}"${o === (value ?? '') ? html` selected` : ''}>${o || 'any'}</option>`,
  )}</select></label>`;
}

function filterForm(data: AuditViewData): SafeHtml {
  const q = data.query;
  return html`<form method="get" action="/audit" class="filters" id="audit-filters">
${AUDIT_FILTER_FIELDS.filter(([name]) => name !== 'tenant_id' || data.tenantFilter).map(
  ([name, label, hint]) =>
    html`<label>${label} <input name="${name}" value="${q[name] ?? ''}"${hint ? html` placeholder="${hint}"` : ''}></label>`,
)}
${select('event_type', 'kind', EVENT_TYPES, q.event_type)}
${select('status', 'status', STATUSES, q.status)}
<button type="submit">Filter</button> <a href="/audit">clear</a>
</form>`;
}

/** The audit view's body: filters, export links, the table and the next-page link. */
export function renderAudit(data: AuditViewData): SafeHtml {
  const filters = Object.fromEntries(
    Object.entries(data.query).filter(([k]) => k !== 'cursor' && k !== 'limit'),
  );
  const exportLinks = html`<p class="exports">Download every matching row:
<a id="export-csv" href="/audit/export${queryString({ ...filters, format: 'csv' })}" download>CSV</a>
<a id="export-jsonl" href="/audit/export${queryString({ ...filters, format: 'jsonl' })}" download>JSONL</a></p>`;
  const body = data.error
    ? html`<p class="error" role="alert">${data.error}</p>`
    : data.rows.length === 0
      ? html`<p class="empty">No rows match.</p>`
      : html`<p class="hint">Rows are newest first. Use ↑/↓ (or j/k) to move between rows and Enter to open a row's trace.</p>
<table id="audit-rows" class="rows"><thead><tr><th>started</th><th>tenant</th><th>user</th><th>kind</th><th>provider</th><th>model / tool</th><th>status</th><th class="num">duration</th><th class="num">tokens in/out</th><th class="num">cost</th><th>trace id</th></tr></thead><tbody>${data.rows.map(
          (r) =>
            html`<tr data-href="/traces/${r.trace_id}#span-${r.span_id}"><td>${formatTime(r.started_at)}</td><td>${r.tenant_id ?? '–'}</td><td>${r.user_id ?? '–'}</td><td>${r.event_type}</td><td>${r.provider ?? '–'}</td><td>${modelOf(r) ?? r.tool_name ?? '–'}</td><td class="status-${r.status}">${r.status}</td><td class="num">${formatMs(r.duration_ms)}</td><td class="num">${formatCount(r.input_tokens)} / ${formatCount(r.output_tokens)}</td><td class="num">${formatUsd(r.cost_usd)}</td><td class="mono"><a href="/traces/${r.trace_id}#span-${r.span_id}">${r.trace_id}</a></td></tr>`,
        )}</tbody></table>`;
  const pager = html`<nav class="pager" aria-label="Pages">${
    data.query.cursor ? html`<a href="/audit${queryString(filters)}">first page</a>` : ''
  } ${
    data.nextCursor
      ? html`<a id="next-page" rel="next" href="/audit${queryString({ ...filters, cursor: data.nextCursor })}">next page →</a>`
      : ''
  }</nav>`;
  return html`${filterForm(data)}${exportLinks}${body}${pager}`;
}
