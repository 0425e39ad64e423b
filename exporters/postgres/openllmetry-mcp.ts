import type { Attributes } from '@opentelemetry/api';
import * as sc from '../../semconv/index.js';
import { readString } from './attribute-readers.js';

const MCP_SCOPES: ReadonlySet<string> = new Set(sc.TRACELOOP_MCP_SCOPES);

/** An MCP request recognised from OpenLLMetry's span name: its method and operation. */
export interface OpenLlmetryMcpRequest {
  method: string;
  operation: string;
}

/**
 * OpenLLMetry's MCP spans carry no mcp.* attribute; only their scope says MCP. "<method>.mcp"
 * is a request (initialize.mcp, tools/list.mcp); "<tool>.tool" with traceloop.span.kind "tool"
 * is a tools/call. Anything else from that scope (the client session span) is not a request.
 */
export function readOpenLlmetryMcpRequest(
  attributes: Attributes,
  name: string,
  scopeName: string,
): OpenLlmetryMcpRequest | undefined {
  if (!MCP_SCOPES.has(scopeName)) return undefined;
  if (name.endsWith(sc.TRACELOOP_MCP_REQUEST_SUFFIX)) {
    const method = name.slice(0, -sc.TRACELOOP_MCP_REQUEST_SUFFIX.length);
    return method.length > 0 ? { method, operation: method } : undefined;
  }
  if (
    name.endsWith(sc.TRACELOOP_MCP_TOOL_SUFFIX) &&
    readString(attributes, sc.TRACELOOP_SPAN_KIND) === 'tool'
  ) {
    return { method: sc.MCP_METHOD_TOOLS_CALL, operation: sc.GEN_AI_OPERATION.EXECUTE_TOOL };
  }
  return undefined;
}

/** An error an MCP span reports only in its output. */
export interface OutputError {
  type: string;
  message: string | undefined;
}

function jsonRpcError(value: unknown): OutputError | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const error = (value as { error?: unknown }).error;
  if (error === null || typeof error !== 'object') return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== 'number' && typeof code !== 'string') return undefined;
  return { type: String(code), message: typeof message === 'string' ? message : undefined };
}

/**
 * The error in an OpenLLMetry MCP span's traceloop.entity.output: a JSON-RPC error object
 * (error.type is its code, as for OTel MCP spans), or a tools/call result with is_error
 * (error.type tool_error). Parsed only when the text mentions an error, so successful spans
 * with large outputs are not parsed.
 */
export function readMcpOutputError(attributes: Attributes): OutputError | undefined {
  const output = attributes[sc.TRACELOOP_ENTITY_OUTPUT];
  if (typeof output !== 'string' || !output.includes('error')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const result = parsed as Record<string, unknown>;
  if (result[sc.TRACELOOP_MCP_IS_ERROR] === true) {
    const text = result.result;
    return { type: sc.MCP_TOOL_ERROR, message: typeof text === 'string' ? text : undefined };
  }
  return jsonRpcError(result) ?? jsonRpcError(result.root);
}
