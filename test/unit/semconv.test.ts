import * as otel from '@opentelemetry/semantic-conventions/incubating';
import { describe, expect, it } from 'vitest';
import * as sc from '../../semconv/index.js';

const names: Array<[string, string]> = Object.entries(sc as Record<string, unknown>).flatMap(
  ([name, value]): Array<[string, string]> => (typeof value === 'string' ? [[name, value]] : []),
);

describe('semconv', () => {
  it('spells every OTel name as @opentelemetry/semantic-conventions does', () => {
    const pairs: Array<[string, string]> = [
      [sc.GEN_AI_OPERATION_NAME, otel.ATTR_GEN_AI_OPERATION_NAME],
      [sc.GEN_AI_PROVIDER_NAME, otel.ATTR_GEN_AI_PROVIDER_NAME],
      [sc.GEN_AI_SYSTEM, otel.ATTR_GEN_AI_SYSTEM],
      [sc.GEN_AI_REQUEST_MODEL, otel.ATTR_GEN_AI_REQUEST_MODEL],
      [sc.GEN_AI_RESPONSE_MODEL, otel.ATTR_GEN_AI_RESPONSE_MODEL],
      [sc.GEN_AI_RESPONSE_ID, otel.ATTR_GEN_AI_RESPONSE_ID],
      [sc.GEN_AI_RESPONSE_FINISH_REASONS, otel.ATTR_GEN_AI_RESPONSE_FINISH_REASONS],
      [sc.GEN_AI_USAGE_INPUT_TOKENS, otel.ATTR_GEN_AI_USAGE_INPUT_TOKENS],
      [sc.GEN_AI_USAGE_OUTPUT_TOKENS, otel.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS],
      [sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, otel.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS],
      [
        sc.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
        otel.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
      ],
      [sc.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, otel.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS],
      [sc.GEN_AI_USAGE_PROMPT_TOKENS, otel.ATTR_GEN_AI_USAGE_PROMPT_TOKENS],
      [sc.GEN_AI_USAGE_COMPLETION_TOKENS, otel.ATTR_GEN_AI_USAGE_COMPLETION_TOKENS],
      [sc.GEN_AI_TOOL_NAME, otel.ATTR_GEN_AI_TOOL_NAME],
      [sc.GEN_AI_TOOL_CALL_ID, otel.ATTR_GEN_AI_TOOL_CALL_ID],
      [sc.GEN_AI_TOOL_CALL_ARGUMENTS, otel.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS],
      [sc.GEN_AI_TOOL_CALL_RESULT, otel.ATTR_GEN_AI_TOOL_CALL_RESULT],
      [sc.GEN_AI_CONVERSATION_ID, otel.ATTR_GEN_AI_CONVERSATION_ID],
      [sc.GEN_AI_AGENT_NAME, otel.ATTR_GEN_AI_AGENT_NAME],
      [sc.GEN_AI_INPUT_MESSAGES, otel.ATTR_GEN_AI_INPUT_MESSAGES],
      [sc.GEN_AI_OUTPUT_MESSAGES, otel.ATTR_GEN_AI_OUTPUT_MESSAGES],
      [sc.GEN_AI_SYSTEM_INSTRUCTIONS, otel.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS],
      [sc.GEN_AI_PROMPT, otel.ATTR_GEN_AI_PROMPT],
      [sc.GEN_AI_COMPLETION, otel.ATTR_GEN_AI_COMPLETION],
      [sc.ERROR_TYPE, otel.ATTR_ERROR_TYPE],
      [sc.HTTP_RESPONSE_STATUS_CODE, otel.ATTR_HTTP_RESPONSE_STATUS_CODE],
      [sc.SERVER_ADDRESS, otel.ATTR_SERVER_ADDRESS],
      [sc.EXCEPTION_TYPE, otel.ATTR_EXCEPTION_TYPE],
      [sc.EXCEPTION_MESSAGE, otel.ATTR_EXCEPTION_MESSAGE],
      [sc.ENDUSER_ID, otel.ATTR_ENDUSER_ID],
      [sc.USER_ID, otel.ATTR_USER_ID],
      [sc.SESSION_ID, otel.ATTR_SESSION_ID],
      [sc.SERVICE_NAME, otel.ATTR_SERVICE_NAME],
      [sc.SERVICE_VERSION, otel.ATTR_SERVICE_VERSION],
      [sc.DEPLOYMENT_ENVIRONMENT_NAME, otel.ATTR_DEPLOYMENT_ENVIRONMENT_NAME],
      [sc.DEPLOYMENT_ENVIRONMENT, otel.ATTR_DEPLOYMENT_ENVIRONMENT],
      [sc.MCP_METHOD_NAME, otel.ATTR_MCP_METHOD_NAME],
      [sc.MCP_SESSION_ID, otel.ATTR_MCP_SESSION_ID],
      [sc.MCP_PROTOCOL_VERSION, otel.ATTR_MCP_PROTOCOL_VERSION],
      [sc.JSONRPC_REQUEST_ID, otel.ATTR_JSONRPC_REQUEST_ID],
    ];
    for (const [ours, theirs] of pairs) expect(ours).toBe(theirs);
  });

  it('uses the well-known operation values', () => {
    expect(sc.GEN_AI_OPERATION.CHAT).toBe(otel.GEN_AI_OPERATION_NAME_VALUE_CHAT);
    expect(sc.GEN_AI_OPERATION.EXECUTE_TOOL).toBe(otel.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL);
    expect(sc.GEN_AI_OPERATION.INVOKE_AGENT).toBe(otel.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT);
    expect(sc.GEN_AI_OPERATION.INVOKE_WORKFLOW).toBe(
      otel.GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW,
    );
  });

  it('gives every constant a distinct value', () => {
    const values = names.map(([, value]) => value);
    expect(new Set(values).size).toBe(values.length);
  });

  it('puts spanledger attributes under the one prefix', () => {
    for (const [name, value] of names) {
      if (name.startsWith('SPANLEDGER_'))
        expect(value.startsWith(sc.SPANLEDGER_PREFIX), name).toBe(true);
    }
  });
});
