import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

/** A small real MCP server: a tool that works, one that fails (isError), a prompt, a resource. */
export function buildMcpServer(): McpServer {
  const server = new McpServer({ name: 'spanledger-test', version: '1.0.0' });
  server.registerTool(
    'add',
    { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } },
    async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
  );
  server.registerTool(
    'fail',
    { description: 'Always fails', inputSchema: { reason: z.string() } },
    async ({ reason }) => ({
      isError: true,
      content: [{ type: 'text', text: `failed: ${reason}` }],
    }),
  );
  server.registerPrompt('greet', { description: 'A greeting' }, () => ({
    messages: [{ role: 'user', content: { type: 'text', text: 'Hello!' } }],
  }));
  server.registerResource('status', 'info://status', { description: 'Status' }, async (uri) => ({
    contents: [{ uri: uri.href, text: 'ok' }],
  }));
  return server;
}

/**
 * Serves `server` over Streamable HTTP on 127.0.0.1 (one stateful session, which is all a test
 * needs). `instrument` runs before connecting, as an app would call instrumentMcpServer.
 */
export async function startMcpHttpServer(server: McpServer) {
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID() });
  await server.connect(transport);
  const http = createServer((req, res) => {
    void transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    async close() {
      await server.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
