import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  instrumentMcpClient,
  instrumentMcpServer,
  withAuditContext,
} from '../../../instrumentation/index.js';
import { buildMcpServer, startMcpHttpServer } from '../../helpers/mcp-server.js';
import { setupTracing } from '../../helpers/tracing.js';
import { waitUntil } from '../../helpers/wait.js';

const tracing = setupTracing();
let server: Awaited<ReturnType<typeof startMcpHttpServer>>;
let client: Client;
const undo: Array<() => void> = [];

beforeAll(async () => {
  const mcp = buildMcpServer();
  undo.push(instrumentMcpServer(mcp));
  server = await startMcpHttpServer(mcp);
  client = new Client({ name: 'test-client', version: '1.0.0' });
  undo.push(instrumentMcpClient(client));
  await client.connect(new StreamableHTTPClientTransport(server.url));
});
afterAll(async () => {
  await client.close();
  await server.close();
  for (const fn of undo) fn();
  await tracing.shutdown();
});
beforeEach(() => tracing.reset());

function clientAndServer(name: string) {
  const spans = tracing.spans().filter((s) => s.name === name);
  const c = spans.find((s) => s.kind === SpanKind.CLIENT);
  const sv = spans.find((s) => s.kind === SpanKind.SERVER);
  if (!c || !sv) throw new Error(`missing client or server span ${name}: ${spans.length}`);
  return { c, sv };
}

describe('MCP over Streamable HTTP', () => {
  it('traces a tool call on both sides in one trace, per the MCP conventions', async () => {
    const result = await withAuditContext({ tenantId: 'acme' }, () =>
      client.callTool({ name: 'add', arguments: { a: 2, b: 3 } }),
    );
    expect(result.content).toEqual([{ type: 'text', text: '5' }]);
    await waitUntil(() => tracing.spans().length === 2, 'two spans');
    const { c, sv } = clientAndServer('tools/call add');
    expect(sv.spanContext().traceId).toBe(c.spanContext().traceId);
    expect(sv.parentSpanContext?.spanId).toBe(c.spanContext().spanId);
    for (const span of [c, sv]) {
      expect(span.attributes).toMatchObject({
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': 'add',
        'gen_ai.operation.name': 'execute_tool',
      });
      expect(span.attributes['mcp.session.id']).toEqual(expect.any(String));
      expect(span.attributes['jsonrpc.request.id']).toEqual(expect.any(String));
      expect(span.attributes['mcp.protocol.version']).toEqual(expect.any(String));
      expect(span.attributes['error.type']).toBeUndefined();
    }
    expect(c.attributes['jsonrpc.request.id']).toBe(sv.attributes['jsonrpc.request.id']);
    expect(c.attributes['spanledger.tenant_id']).toBe('acme');
  });

  it('marks isError results as tool_error', async () => {
    const result = await client.callTool({ name: 'fail', arguments: { reason: 'nope' } });
    expect(result.isError).toBe(true);
    await waitUntil(() => tracing.spans().length === 2, 'two spans');
    const { c, sv } = clientAndServer('tools/call fail');
    for (const span of [c, sv]) {
      expect(span.attributes['error.type']).toBe('tool_error');
      expect(span.status.code).toBe(2);
    }
  });

  it('marks an unknown tool as an error', async () => {
    const result = await client.callTool({ name: 'missing', arguments: {} });
    expect(result.isError).toBe(true);
    await waitUntil(() => tracing.spans().length === 2, 'two spans');
    expect(clientAndServer('tools/call missing').c.attributes['error.type']).toBe('tool_error');
  });

  it('records JSON-RPC errors with their code', async () => {
    await expect(client.getPrompt({ name: 'nope' })).rejects.toThrow();
    await waitUntil(() => tracing.spans().length === 2, 'two spans');
    const { c } = clientAndServer('prompts/get nope');
    expect(c.attributes['error.type']).toBe('-32602');
    expect(c.attributes['rpc.response.status_code']).toBe('-32602');
  });

  it('traces tools/list, resources/read and prompts/get', async () => {
    await client.listTools();
    await client.readResource({ uri: 'info://status' });
    await client.getPrompt({ name: 'greet' });
    await waitUntil(() => tracing.spans().length === 6, 'six spans');
    expect(clientAndServer('tools/list').c.attributes['mcp.method.name']).toBe('tools/list');
    expect(clientAndServer('resources/read').sv.attributes['mcp.resource.uri']).toBe(
      'info://status',
    );
    expect(clientAndServer('prompts/get greet').c.attributes['gen_ai.prompt.name']).toBe('greet');
  });
});
