import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentMcpClient, withAuditContext } from '../../../instrumentation/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { createTestExporter } from '../../helpers/exporter.js';
import { setupTracing } from '../../helpers/tracing.js';
import { waitUntil } from '../../helpers/wait.js';

// The client runs here; the server is a separate process over stdio, instrumented with its own
// initTelemetry and writing to the same database. The only link between the two sides is the
// trace context the client puts in params._meta.

const ROOT = resolve(import.meta.dirname, '../../..');
const SERVER = join(ROOT, 'test/fixtures/mcp-stdio-tools-server.ts');
const SERVER_SERVICE = 'mcp-stdio-server';
const TOOLS = ['add', 'fail', 'missing'];

let db: TestDatabase;
let exp: Awaited<ReturnType<typeof createTestExporter>>;
let tracing: ReturnType<typeof setupTracing>;
let serverSpool: string;
let client: Client;
let serverStderr = '';
type ToolResult = { isError?: boolean; content?: unknown };
const results: Record<string, ToolResult> = {};

interface McpRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  span_name: string;
  tool_name: string | null;
  status: string;
  error_type: string | null;
  tenant_id: string | null;
  attributes: Record<string, unknown>;
}

async function mcpRows(side: 'client' | 'server'): Promise<McpRow[]> {
  const { rows } = await db.pool.query<McpRow>(
    `SELECT trace_id, span_id, parent_span_id, span_name, tool_name, status, error_type,
            tenant_id, attributes
       FROM spanledger.audit_log
      WHERE event_type = 'mcp_call' AND mcp_method = 'tools/call'
        AND (service_name = $1) = $2
      ORDER BY tool_name`,
    [SERVER_SERVICE, side === 'server'],
  );
  return rows;
}

beforeAll(async () => {
  db = await createTestDatabase();
  exp = await createTestExporter(db.url);
  tracing = setupTracing([new SimpleSpanProcessor(exp.exporter)]);
  serverSpool = await mkdtemp(join(tmpdir(), 'spanledger-mcp-stdio-'));
  client = new Client({ name: 'stdio-test-client', version: '1.0.0' });
  instrumentMcpClient(client);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', SERVER],
    cwd: ROOT,
    stderr: 'pipe',
    env: {
      ...(process.env as Record<string, string>),
      DATABASE_URL: db.url,
      OTEL_SERVICE_NAME: SERVER_SERVICE,
      SPANLEDGER_SPOOL_DIR: serverSpool,
      // Export the server's spans soon after they end rather than after the default 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    },
  });
  transport.stderr?.on('data', (chunk: Buffer) => {
    serverStderr += chunk.toString();
  });
  await client.connect(transport);
  const call = (name: string, args: Record<string, unknown>) =>
    client.callTool({ name, arguments: args }) as Promise<ToolResult>;
  await withAuditContext({ tenantId: 'acme' }, async () => {
    results.add = await call('add', { a: 2, b: 3 });
    results.fail = await call('fail', { reason: 'nope' });
    results.missing = await call('missing', {});
  });
  // The server process exports on its own schedule: wait for its rows before closing it.
  await waitUntil(
    async () => (await mcpRows('server')).length === TOOLS.length,
    `the server's tools/call rows (server stderr: ${serverStderr})`,
    60_000,
  );
  await tracing.provider.forceFlush();
  await exp.exporter.forceFlush();
}, 120_000);

afterAll(async () => {
  await client?.close();
  await tracing?.shutdown();
  await exp?.cleanup();
  await db?.drop();
  await rm(serverSpool, { recursive: true, force: true });
});

function clientSpan(name: string) {
  const spans = tracing.spans().filter((s) => s.name === name && s.kind === SpanKind.CLIENT);
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

describe('MCP client over stdio', () => {
  it('tools/call success: a CLIENT span per the MCP conventions', () => {
    expect(results.add?.content).toEqual([{ type: 'text', text: '5' }]);
    const span = clientSpan('tools/call add');
    expect(span.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'add',
      'gen_ai.operation.name': 'execute_tool',
      'jsonrpc.request.id': expect.stringMatching(/^\d+$/),
      'spanledger.tenant_id': 'acme',
    });
    expect(span.attributes['error.type']).toBeUndefined();
    // stdio has no session (mcp.session.id is an HTTP transport's Mcp-Session-Id).
    expect(span.attributes['mcp.session.id']).toBeUndefined();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('a tool that answers isError and an unknown tool are tool_error spans', () => {
    for (const name of ['fail', 'missing']) {
      expect(results[name]?.isError).toBe(true);
      const span = clientSpan(`tools/call ${name}`);
      expect(span.attributes).toMatchObject({
        'gen_ai.tool.name': name,
        'error.type': 'tool_error',
      });
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
    }
  });

  it('initialize records the negotiated protocol version', () => {
    const span = clientSpan('initialize');
    expect(span.attributes['mcp.protocol.version']).toEqual(expect.stringMatching(/^\d{4}-/));
  });

  // The stdio transport keeps no protocolVersion: the client remembers what initialize negotiated.
  it('requests after initialize carry the negotiated protocol version', () => {
    const negotiated = clientSpan('initialize').attributes['mcp.protocol.version'];
    expect(negotiated).toEqual(expect.stringMatching(/^\d{4}-/));
    expect(clientSpan('tools/call add').attributes['mcp.protocol.version']).toBe(negotiated);
  });

  it('each request gets its own JSON-RPC id', () => {
    const ids = TOOLS.map((t) => clientSpan(`tools/call ${t}`).attributes['jsonrpc.request.id']);
    expect(new Set(ids).size).toBe(TOOLS.length);
  });
});

describe('client and server spans in Postgres', () => {
  it('both sides of every tools/call are one trace, the server span a child of the client span', async () => {
    const clients = await mcpRows('client');
    const servers = await mcpRows('server');
    expect(clients.map((r) => r.tool_name)).toEqual(TOOLS);
    expect(servers.map((r) => r.tool_name)).toEqual(TOOLS);
    for (const [i, c] of clients.entries()) {
      const s = servers[i]!;
      expect(s.trace_id).toBe(c.trace_id);
      expect(s.parent_span_id).toBe(c.span_id);
      expect(s.attributes['jsonrpc.request.id']).toBe(c.attributes['jsonrpc.request.id']);
    }
    // Three calls, three traces: the context is per request, not per connection.
    expect(new Set(clients.map((r) => r.trace_id)).size).toBe(TOOLS.length);
  });

  it('status and error type agree on both sides', async () => {
    for (const side of ['client', 'server'] as const) {
      const rows = await mcpRows(side);
      expect(rows.map((r) => [r.tool_name, r.status, r.error_type])).toEqual([
        ['add', 'ok', null],
        ['fail', 'error', 'tool_error'],
        ['missing', 'error', 'tool_error'],
      ]);
    }
  });

  it('the server side records the protocol version it negotiated', async () => {
    const { rows } = await db.pool.query(
      `SELECT DISTINCT attributes->>'mcp.protocol.version' AS version FROM spanledger.audit_log
        WHERE service_name = $1 AND mcp_method = 'tools/call'`,
      [SERVER_SERVICE],
    );
    expect(rows).toEqual([{ version: expect.stringMatching(/^\d{4}-/) }]);
  });
});
