import { describe, expect, it } from 'vitest';
import { classifySpan } from '../../../../exporters/postgres/classify.js';
import { readMcpOutputError } from '../../../../exporters/postgres/openllmetry-mcp.js';

const JS_SCOPE = '@traceloop/instrumentation-mcp';
const PY_SCOPE = 'opentelemetry.instrumentation.mcp.instrumentation';

describe("OpenLLMetry's MCP spans", () => {
  it('are MCP requests under its scopes, the method taken from the span name', () => {
    for (const scope of [JS_SCOPE, PY_SCOPE]) {
      expect(classifySpan({}, 'tools/list.mcp', scope)).toMatchObject({
        eventType: 'mcp_call',
        operation: 'tools/list',
        mcpMethod: 'tools/list',
        leaf: false,
      });
      expect(classifySpan({ 'traceloop.span.kind': 'tool' }, 'add.tool', scope)).toMatchObject({
        eventType: 'mcp_call',
        operation: 'execute_tool',
        mcpMethod: 'tools/call',
      });
    }
  });

  it('are recognised by scope only: the same names elsewhere, and the session span, are not', () => {
    expect(classifySpan({}, 'tools/list.mcp', 'some-other-scope')).toBeNull();
    expect(classifySpan({}, '.mcp', JS_SCOPE)).toBeNull();
    expect(
      classifySpan({ 'traceloop.span.kind': 'session' }, 'mcp.client.session', JS_SCOPE),
    ).toBeNull();
    // A @tool-decorated function elsewhere stays a tool call.
    expect(
      classifySpan({ 'traceloop.span.kind': 'tool' }, 'add.tool', '@traceloop/node-server-sdk'),
    ).toMatchObject({ eventType: 'tool_call' });
  });

  it('report a JSON-RPC error or a failed tool from their output', () => {
    const output = (value: string) => readMcpOutputError({ 'traceloop.entity.output': value });
    expect(output('{"error":{"code":-32601,"message":"Method not found"}}')).toEqual({
      type: '-32601',
      message: 'Method not found',
    });
    expect(output('{"root":{"error":{"code":-32002,"message":"gone"}}}')?.type).toBe('-32002');
    expect(output('{"result":"failed: disk full","is_error":true}')).toEqual({
      type: 'tool_error',
      message: 'failed: disk full',
    });
  });

  it('leave successful outputs alone, even ones that mention an error', () => {
    const output = (value: unknown) =>
      readMcpOutputError({ 'traceloop.entity.output': value as string });
    expect(output('{"result":"no error here"}')).toBeUndefined();
    expect(output('{"result":"x","is_error":false}')).toBeUndefined();
    expect(output('{"error":"not an object"}')).toBeUndefined();
    expect(output('error: not json')).toBeUndefined();
    expect(output(42)).toBeUndefined();
    expect(readMcpOutputError({})).toBeUndefined();
  });
});
