/** The audit fields a trace's timeline shows (a subset of a GET /v1/audit row). */
export interface TraceSpan {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  tenant_id: string | null;
  user_id: string | null;
  event_type: string;
  operation: string | null;
  span_name: string | null;
  provider: string | null;
  request_model: string | null;
  response_model: string | null;
  tool_name: string | null;
  mcp_server: string | null;
  mcp_method: string | null;
  status: string;
  error_type: string | null;
  error_message: string | null;
  finish_reasons: unknown;
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cost_usd: number | string | null;
  input_hash: string | null;
  output_hash: string | null;
  input_content: unknown;
  output_content: unknown;
}

/** A span with its children, and where it lies on the trace's timeline (0–1). */
export interface TraceNode {
  span: TraceSpan;
  depth: number;
  offset: number;
  width: number;
  children: TraceNode[];
}

const startMs = (s: TraceSpan) => Date.parse(s.started_at);
const endMs = (s: TraceSpan) =>
  s.ended_at ? Date.parse(s.ended_at) : startMs(s) + Math.max(s.duration_ms ?? 0, 0);

/**
 * The spans of one trace as a tree, children in start order. A span whose parent is not among
 * the GenAI spans (an HTTP server span, say) is a root: the tree shows what the ledger holds.
 * Offsets and widths are fractions of the trace's span from first start to last end.
 */
export function buildTraceTree(spans: readonly TraceSpan[]): TraceNode[] {
  if (spans.length === 0) return [];
  const t0 = Math.min(...spans.map(startMs));
  const t1 = Math.max(...spans.map(endMs));
  const total = Math.max(t1 - t0, 1);
  const ids = new Set(spans.map((s) => s.span_id));
  const byParent = new Map<string, TraceSpan[]>();
  const roots: TraceSpan[] = [];
  for (const s of spans) {
    if (s.parent_span_id && s.parent_span_id !== s.span_id && ids.has(s.parent_span_id)) {
      const list = byParent.get(s.parent_span_id) ?? [];
      list.push(s);
      byParent.set(s.parent_span_id, list);
    } else {
      roots.push(s);
    }
  }
  const order = (a: TraceSpan, b: TraceSpan) =>
    startMs(a) - startMs(b) || (a.span_id < b.span_id ? -1 : 1);
  const seen = new Set<string>();
  const node = (span: TraceSpan, depth: number): TraceNode => {
    seen.add(span.span_id);
    const children = (byParent.get(span.span_id) ?? [])
      .filter((c) => !seen.has(c.span_id)) // a cycle in bad input ends here
      .sort(order)
      .map((c) => node(c, depth + 1));
    return {
      span,
      depth,
      offset: (startMs(span) - t0) / total,
      width: Math.max((endMs(span) - startMs(span)) / total, 0.002),
      children,
    };
  };
  return roots.sort(order).map((r) => node(r, 0));
}
