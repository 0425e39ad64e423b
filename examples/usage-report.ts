import pg from 'pg';

/** llm_usage summed per provider and model; the last line (provider 'total') sums them all. */
export interface UsageLine {
  provider: string;
  model: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** Exact decimal from Postgres; '' when nothing was priced. */
  costUsd: string;
}

/** Tool calls (MCP and others) from audit_log, per tool. */
export interface ToolLine {
  tool: string;
  calls: number;
  errors: number;
}

export interface UsageReport {
  usage: UsageLine[];
  tools: ToolLine[];
}

// ROLLUP adds the total line, so the cost is summed exactly by Postgres (numeric), not in floats.
// Only this run's traces: the database may hold other runs and other services.
const USAGE_SQL = `
  SELECT CASE WHEN grouping(provider, model) = 0 THEN coalesce(provider, '') ELSE 'total' END
           AS provider,
         CASE WHEN grouping(provider, model) = 0 THEN coalesce(model, '') ELSE '' END AS model,
         count(*)::int AS calls,
         coalesce(sum(input_tokens), 0)::int AS "inputTokens",
         coalesce(sum(output_tokens), 0)::int AS "outputTokens",
         coalesce(sum(cost_usd)::text, '') AS "costUsd"
    FROM spanledger.llm_usage WHERE trace_id = ANY($1)
   GROUP BY ROLLUP ((provider, model))
   ORDER BY grouping(provider, model), 1, 2`;

const TOOLS_SQL = `
  SELECT tool_name AS tool, count(*)::int AS calls,
         count(*) FILTER (WHERE status = 'error')::int AS errors
    FROM spanledger.audit_log
   WHERE trace_id = ANY($1) AND event_type IN ('mcp_call', 'tool_call') AND tool_name IS NOT NULL
   GROUP BY 1 ORDER BY 1`;

/** Reads back what the given traces left in the ledgers. */
export async function readUsageReport(url: string, traceIds: string[]): Promise<UsageReport> {
  const client = new pg.Client({
    connectionString: url,
    application_name: 'spanledger-demo',
    connectionTimeoutMillis: 10_000,
  });
  await client.connect();
  try {
    const usage = await client.query<UsageLine>(USAGE_SQL, [traceIds]);
    const tools = await client.query<ToolLine>(TOOLS_SQL, [traceIds]);
    return { usage: usage.rows, tools: tools.rows };
  } finally {
    await client.end();
  }
}

/** Aligned columns: text left, numbers right. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = header.map((_, i) => rows.every((r) => /^[\d.]*$/.test(r[i]!)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** The report as printable lines: calls, tokens and cost per model, then tool calls. */
export function formatUsageReport(report: UsageReport): string[] {
  const usage = report.usage.map((u) => [
    u.provider,
    u.model,
    String(u.calls),
    String(u.inputTokens),
    String(u.outputTokens),
    u.costUsd,
  ]);
  const tools = report.tools.map((t) => [t.tool, String(t.calls), String(t.errors)]);
  return [
    ...table(['provider', 'model', 'calls', 'input', 'output', 'cost_usd'], usage),
    '',
    ...(tools.length > 0 ? table(['tool', 'calls', 'errors'], tools) : ['no tool calls']),
  ];
}
