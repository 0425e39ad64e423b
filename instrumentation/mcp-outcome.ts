import { type Span, SpanStatusCode } from '@opentelemetry/api';
import {
  ERROR_TYPE,
  MCP_PROTOCOL_VERSION,
  MCP_TOOL_ERROR,
  RPC_RESPONSE_STATUS_CODE,
} from '../semconv/index.js';
import { recordError, safely } from './errors.js';
import type { McpRequest } from './mcp-attributes.js';
import { recordToolResult } from './tool-span.js';

interface ToolResult {
  isError?: boolean;
  content?: unknown;
  structuredContent?: unknown;
  protocolVersion?: unknown;
}

/**
 * A tool that failed still answers with a successful JSON-RPC response (`isError: true`); the
 * conventions make that `error.type = tool_error`, or failed tools would look healthy.
 */
export function endWithResult(span: Span, request: McpRequest, result: unknown): void {
  safely('recording an MCP result', () => {
    const value = (result ?? {}) as ToolResult;
    if (request.method === 'initialize' && typeof value.protocolVersion === 'string') {
      span.setAttribute(MCP_PROTOCOL_VERSION, value.protocolVersion);
    }
    if (request.method === 'tools/call') {
      recordToolResult(span, value.structuredContent ?? value.content);
      if (value.isError === true) {
        span.setAttribute(ERROR_TYPE, MCP_TOOL_ERROR);
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'tool returned isError' });
      }
    }
  });
  safely('ending an MCP span', () => span.end());
}

/** JSON-RPC errors (McpError, with a numeric `code`) become error.type = the code. */
export function endWithError(span: Span, error: unknown): void {
  safely('recording an MCP error', () => {
    recordError(span, error);
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'number') {
      span.setAttribute(ERROR_TYPE, String(code));
      span.setAttribute(RPC_RESPONSE_STATUS_CODE, String(code));
    }
  });
  safely('ending an MCP span', () => span.end());
}
