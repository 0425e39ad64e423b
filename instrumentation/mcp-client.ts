import { type Attributes, context, propagation, SpanKind, trace } from '@opentelemetry/api';
import {
  JSONRPC_REQUEST_ID,
  MCP_PROTOCOL_VERSION,
  MCP_SESSION_ID,
  SERVER_ADDRESS,
} from '../semconv/index.js';
import { auditAttributes, getAuditContext } from './audit-context.js';
import { safely } from './errors.js';
import { type McpRequest, mcpRequestAttributes } from './mcp-attributes.js';
import { endWithError, endWithResult } from './mcp-outcome.js';
import { patchMethod } from './patch.js';
import { argumentAttributes } from './tool-span.js';
import { getTracer } from './tracer.js';

interface ClientInternals {
  transport?: { sessionId?: string; protocolVersion?: string; _url?: URL };
  _requestMessageId?: number;
}

// The version each client negotiated in `initialize`. Only the HTTP transports keep it
// themselves (transport.protocolVersion); stdio and custom transports do not.
const negotiated = new WeakMap<object, string>();

function rememberProtocolVersion(client: object, request: McpRequest, result: unknown) {
  if (request.method !== 'initialize') return;
  const version = (result as { protocolVersion?: unknown } | null)?.protocolVersion;
  if (typeof version === 'string') negotiated.set(client, version);
}

function clientAttributes(client: ClientInternals, request: McpRequest): Attributes {
  const attributes: Attributes = {};
  const transport = client.transport;
  if (transport?.sessionId) attributes[MCP_SESSION_ID] = transport.sessionId;
  const version = transport?.protocolVersion ?? negotiated.get(client);
  if (version) attributes[MCP_PROTOCOL_VERSION] = version;
  if (transport?._url instanceof URL) attributes[SERVER_ADDRESS] = transport._url.hostname;
  // Protocol.request() takes the next id synchronously, so this is the id the request gets.
  if (typeof client._requestMessageId === 'number') {
    attributes[JSONRPC_REQUEST_ID] = String(client._requestMessageId);
  }
  if (request.method === 'tools/call')
    Object.assign(attributes, argumentAttributes(request.params?.arguments));
  return attributes;
}

/** The request with the span's trace context added to params._meta (a copy; the app's is untouched). */
function withTraceContext(request: McpRequest, ctx: ReturnType<typeof context.active>): McpRequest {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  if (Object.keys(carrier).length === 0) return request;
  const params = request.params ?? {};
  return { ...request, params: { ...params, _meta: { ...params._meta, ...carrier } } };
}

function wrapRequest(original: (this: unknown, ...args: unknown[]) => unknown) {
  return function request(this: unknown, ...args: unknown[]): unknown {
    const req = args[0] as McpRequest | undefined;
    if (!req || typeof req.method !== 'string') return original.apply(this, args);
    const started = safely('starting an MCP client span', () => {
      const parent = context.active();
      const { name, attributes } = mcpRequestAttributes(req);
      const span = getTracer().startSpan(
        name,
        {
          kind: SpanKind.CLIENT,
          attributes: Object.assign(
            auditAttributes(getAuditContext(parent)),
            attributes,
            clientAttributes(this as ClientInternals, req),
          ),
        },
        parent,
      );
      const ctx = trace.setSpan(parent, span);
      return { span, ctx, sent: withTraceContext(req, ctx) };
    });
    if (!started) return original.apply(this, args);
    const { span, ctx, sent } = started;
    let promise: Promise<unknown>;
    try {
      promise = context.with(ctx, () =>
        original.call(this, sent, ...args.slice(1)),
      ) as Promise<unknown>;
    } catch (error) {
      endWithError(span, error);
      throw error;
    }
    return promise.then(
      (result) => {
        safely('reading the negotiated protocol version', () =>
          rememberProtocolVersion(this as object, req, result),
        );
        endWithResult(span, req, result);
        return result;
      },
      (error: unknown) => {
        endWithError(span, error);
        throw error;
      },
    );
  };
}

/**
 * Instruments `@modelcontextprotocol/sdk` clients: every request (tools/call, tools/list,
 * resources/read, prompts/get, ...) gets a CLIENT span per the OTel MCP conventions, and its
 * trace context travels in params._meta so the server's span joins the trace. Pass a Client
 * instance or the Client class. Returns the undo.
 */
export function instrumentMcpClient(target: unknown): () => void {
  const proto =
    typeof target === 'function'
      ? (target as { prototype: object }).prototype
      : target && typeof target === 'object'
        ? Object.getPrototypeOf(target)
        : undefined;
  return patchMethod(proto, 'request', wrapRequest);
}
