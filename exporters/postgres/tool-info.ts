import type { Attributes } from '@opentelemetry/api';
import * as sc from '../../semconv/index.js';
import { firstString } from './attribute-readers.js';
import type { Classification } from './classify.js';
import { sanitizeNullable } from './sanitize.js';

/** Which tool or MCP method a call was: the row's tool and MCP columns. */
export interface ToolInfo {
  tool_name: string | null;
  tool_call_id: string | null;
  mcp_server: string | null;
  mcp_method: string | null;
}

/** OpenLLMetry (its @tool decorator, its MCP tools/call spans) names the tool by entity name. */
const TOOL_NAME_KEYS = [
  sc.GEN_AI_TOOL_NAME,
  sc.AI_TOOL_CALL_NAME,
  sc.TOOL_NAME,
  sc.TRACELOOP_ENTITY_NAME,
];
const TOOL_CALL_ID_KEYS = [sc.GEN_AI_TOOL_CALL_ID, sc.AI_TOOL_CALL_ID, sc.TOOL_CALL_ID];

/**
 * Reads tool name and call id (tool and MCP tools/call spans) and, for MCP spans, the method (as
 * classification found it) and the server address.
 */
export function readToolInfo(
  attributes: Attributes,
  classification: Classification,
  maxLength: number,
  flags: string[],
): ToolInfo {
  const clean = (value: string | undefined) => sanitizeNullable(value, maxLength, flags);
  const { eventType } = classification;
  if (eventType === 'llm_call' || eventType === 'agent_call') {
    return { tool_name: null, tool_call_id: null, mcp_server: null, mcp_method: null };
  }
  const isMcp = eventType === 'mcp_call';
  return {
    tool_name: clean(firstString(attributes, TOOL_NAME_KEYS)),
    tool_call_id: clean(firstString(attributes, TOOL_CALL_ID_KEYS)),
    mcp_server: isMcp ? clean(firstString(attributes, [sc.SERVER_ADDRESS])) : null,
    mcp_method: isMcp ? clean(classification.mcpMethod ?? undefined) : null,
  };
}
