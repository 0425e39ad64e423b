import type { Attributes } from '@opentelemetry/api';
import {
  GEN_AI_OPERATION,
  GEN_AI_OPERATION_NAME,
  GEN_AI_PROMPT_NAME,
  GEN_AI_TOOL_NAME,
  MCP_METHOD_NAME,
  MCP_RESOURCE_URI,
} from '../semconv/index.js';

/** An MCP JSON-RPC request as both sides see it. */
export interface McpRequest {
  method: string;
  params?: Record<string, unknown> & { _meta?: Record<string, unknown> };
}

/**
 * Span name and attributes per the OTel MCP conventions: `{mcp.method.name} {target}` where the
 * target is the tool or prompt name; resource URIs stay out of the name (cardinality).
 */
export function mcpRequestAttributes(request: McpRequest): {
  name: string;
  attributes: Attributes;
} {
  const params = request.params ?? {};
  const attributes: Attributes = { [MCP_METHOD_NAME]: request.method };
  let target: string | undefined;
  if (request.method === 'tools/call' && typeof params.name === 'string') {
    target = params.name;
    attributes[GEN_AI_TOOL_NAME] = params.name;
    attributes[GEN_AI_OPERATION_NAME] = GEN_AI_OPERATION.EXECUTE_TOOL;
  } else if (request.method === 'prompts/get' && typeof params.name === 'string') {
    target = params.name;
    attributes[GEN_AI_PROMPT_NAME] = params.name;
  }
  if (typeof params.uri === 'string') attributes[MCP_RESOURCE_URI] = params.uri;
  return { name: target ? `${request.method} ${target}` : request.method, attributes };
}
