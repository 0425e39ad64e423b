import type { Attributes } from '@opentelemetry/api';
import * as sc from '../../semconv/index.js';
import { firstString } from './attribute-readers.js';
import type { EventType } from './rows.js';
import { sanitizeNullable } from './sanitize.js';

/** Which tool or MCP method a call was: the row's tool and MCP columns. */
export interface ToolInfo {
  tool_name: string | null;
  tool_call_id: string | null;
  mcp_server: string | null;
  mcp_method: string | null;
}

const TOOL_NAME_KEYS = [sc.GEN_AI_TOOL_NAME, sc.AI_TOOL_CALL_NAME, sc.TOOL_NAME];
/** OpenLLMetry's @tool decorator names the tool only through the entity name. */
const TOOL_SPAN_NAME_KEYS = [...TOOL_NAME_KEYS, sc.TRACELOOP_ENTITY_NAME];
const TOOL_CALL_ID_KEYS = [sc.GEN_AI_TOOL_CALL_ID, sc.AI_TOOL_CALL_ID, sc.TOOL_CALL_ID];

/**
 * Reads tool name and call id (tool and MCP tools/call spans) and, for MCP spans, the method and
 * the server address.
 */
export function readToolInfo(
  attributes: Attributes,
  eventType: EventType,
  maxLength: number,
  flags: string[],
): ToolInfo {
  const clean = (value: string | undefined) => sanitizeNullable(value, maxLength, flags);
  if (eventType === 'llm_call' || eventType === 'agent_call') {
    return { tool_name: null, tool_call_id: null, mcp_server: null, mcp_method: null };
  }
  const isMcp = eventType === 'mcp_call';
  return {
    tool_name: clean(firstString(attributes, isMcp ? TOOL_NAME_KEYS : TOOL_SPAN_NAME_KEYS)),
    tool_call_id: clean(firstString(attributes, TOOL_CALL_ID_KEYS)),
    mcp_server: isMcp ? clean(firstString(attributes, [sc.SERVER_ADDRESS])) : null,
    mcp_method: isMcp ? clean(firstString(attributes, [sc.MCP_METHOD_NAME])) : null,
  };
}
