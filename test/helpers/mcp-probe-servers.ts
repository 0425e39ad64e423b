import {
  createServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

export interface ToolDef {
  name: string;
  description?: string;
  inputSchema: { type: 'object'; properties?: Record<string, unknown> };
}

/** Mutable behaviour of a test server: its tools, a delay, or failing with HTTP 500. */
export interface ServerState {
  tools: ToolDef[];
  delayMs: number;
  fail500: boolean;
}

export interface RunningServer {
  url: string;
  state: ServerState;
  close(): Promise<void>;
}

function mcpServer(state: ServerState) {
  const server = new Server(
    { name: 'probe-test-server', version: '1.2.3' },
    { capabilities: { tools: {} } },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: state.tools }));
  return server;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void, path: string) {
  const http: HttpServer = createServer(handler);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((r) => {
        http.closeAllConnections();
        http.close(() => r());
      }),
  };
}

const defaultState = (): ServerState => ({
  tools: [
    { name: 'search', inputSchema: { type: 'object', properties: { q: { type: 'string' } } } },
  ],
  delayMs: 0,
  fail500: false,
});

/** A stateless Streamable HTTP MCP server (a fresh server object per request). */
export async function startStreamableServer(
  initial: Partial<ServerState> = {},
): Promise<RunningServer> {
  const state = { ...defaultState(), ...initial };
  const http = await listen(async (req, res) => {
    if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
    if (state.fail500) {
      res.writeHead(500).end('internal error');
      return;
    }
    const server = mcpServer(state);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  }, '/mcp');
  return { ...http, state };
}

/** A legacy HTTP+SSE MCP server: GET /sse opens the stream, POST /messages carries requests. */
export async function startSseServer(): Promise<RunningServer> {
  const state = defaultState();
  const sessions = new Map<string, SSEServerTransport>();
  const http = await listen(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/sse') {
      const transport = new SSEServerTransport('/messages', res);
      sessions.set(transport.sessionId, transport);
      res.on('close', () => sessions.delete(transport.sessionId));
      await mcpServer(state).connect(transport);
      return;
    }
    const transport = sessions.get(url.searchParams.get('sessionId') ?? '');
    if (req.method === 'POST' && transport) {
      await transport.handlePostMessage(req, res);
      return;
    }
    res.writeHead(404).end();
  }, '/sse');
  return { ...http, state };
}

/** Accepts connections and never answers. */
export async function startHangingServer(): Promise<RunningServer> {
  const http = await listen(() => {}, '/mcp');
  return { ...http, state: defaultState() };
}
