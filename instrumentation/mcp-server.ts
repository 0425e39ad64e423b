import { type Attributes, context, diag, propagation, SpanKind, trace } from '@opentelemetry/api';
import { JSONRPC_REQUEST_ID, MCP_PROTOCOL_VERSION, MCP_SESSION_ID } from '../semconv/index.js';
import { auditAttributes, getAuditContext } from './audit-context.js';
import { safely } from './errors.js';
import { type McpRequest, mcpRequestAttributes } from './mcp-attributes.js';
import { endWithError, endWithResult } from './mcp-outcome.js';
import { argumentAttributes } from './tool-span.js';
import { getTracer } from './tracer.js';

type Handler = (request: McpRequest, extra: HandlerExtra) => Promise<unknown>;

interface HandlerExtra {
  sessionId?: string;
  requestId?: string | number;
  requestInfo?: { headers?: Record<string, string | string[] | undefined> };
}

const WRAPPED = Symbol.for('spanledger.mcp.wrapped');

function serverAttributes(request: McpRequest, extra: HandlerExtra, version?: string): Attributes {
  const attributes: Attributes = {};
  if (extra?.sessionId) attributes[MCP_SESSION_ID] = extra.sessionId;
  if (extra?.requestId !== undefined) attributes[JSONRPC_REQUEST_ID] = String(extra.requestId);
  const header = extra?.requestInfo?.headers?.['mcp-protocol-version'];
  const protocol = typeof header === 'string' ? header : version;
  if (protocol) attributes[MCP_PROTOCOL_VERSION] = protocol;
  if (request.method === 'tools/call')
    Object.assign(attributes, argumentAttributes(request.params?.arguments));
  return attributes;
}

function wrapHandler(handler: Handler, state: { protocolVersion?: string }): Handler {
  const wrapped: Handler = (request, extra) => {
    const started = safely('starting an MCP server span', () => {
      if (request.method === 'initialize' && typeof request.params?.protocolVersion === 'string') {
        state.protocolVersion = request.params.protocolVersion;
      }
      // The client's span context arrives in params._meta (traceparent/tracestate).
      const parent = propagation.extract(context.active(), request.params?._meta ?? {});
      const { name, attributes } = mcpRequestAttributes(request);
      const span = getTracer().startSpan(
        name,
        {
          kind: SpanKind.SERVER,
          attributes: Object.assign(
            auditAttributes(getAuditContext(parent)),
            attributes,
            serverAttributes(request, extra, state.protocolVersion),
          ),
        },
        parent,
      );
      return { span, ctx: trace.setSpan(parent, span) };
    });
    if (!started) return handler(request, extra);
    const { span, ctx } = started;
    return context
      .with(ctx, () => handler(request, extra))
      .then(
        (result) => {
          endWithResult(span, request, result);
          return result;
        },
        (error: unknown) => {
          endWithError(span, error);
          throw error;
        },
      );
  };
  Object.defineProperty(wrapped, WRAPPED, { value: handler });
  return wrapped;
}

/**
 * Instruments an MCP server (`McpServer` or the low-level `Server`): each request handler, those
 * registered already and those registered later, runs in a SERVER span whose parent is the
 * client's span from params._meta. Returns the undo.
 */
export function instrumentMcpServer(target: unknown): () => void {
  return (
    safely('instrumenting an MCP server', () => {
      const t = target as { server?: unknown; _requestHandlers?: unknown };
      const server = (t?._requestHandlers ? t : t?.server) as { _requestHandlers?: unknown };
      const handlers = server?._requestHandlers;
      if (!(handlers instanceof Map)) {
        diag.error('spanledger: instrumentMcpServer: not an MCP Server or McpServer');
        return () => {};
      }
      const state: { protocolVersion?: string } = {};
      const plainSet = Map.prototype.set;
      const wrapIn = (_method: unknown, handler: unknown) =>
        typeof handler === 'function' && !(handler as unknown as Record<symbol, unknown>)[WRAPPED]
          ? wrapHandler(handler as Handler, state)
          : handler;
      for (const [method, handler] of handlers)
        plainSet.call(handlers, method, wrapIn(method, handler));
      // setRequestHandler writes into this map; wrapping set covers handlers added later
      // (McpServer registers tools/call on the first registerTool).
      Object.defineProperty(handlers, 'set', {
        configurable: true,
        value(method: unknown, handler: unknown) {
          return plainSet.call(handlers, method, wrapIn(method, handler));
        },
      });
      return () => {
        delete (handlers as unknown as Record<string, unknown>).set;
        for (const [method, handler] of handlers) {
          const original = (handler as Record<symbol, unknown>)[WRAPPED];
          if (original) plainSet.call(handlers, method, original);
        }
      };
    }) ?? (() => {})
  );
}
