// spanledger/instrumentation — what a service adds. Automatic instrumentation of the OpenAI,
// Anthropic and MCP clients and initTelemetry() arrive with the instrumentation issue; until
// then this entry point exports the attribute names a service sets on its own GenAI spans so
// that the exporter and collector attribute them (tenant, user, session, request, digests).
export {
  GEN_AI_CONVERSATION_ID,
  GEN_AI_OPERATION_NAME,
  GEN_AI_PROVIDER_NAME,
  GEN_AI_REQUEST_MODEL,
  GEN_AI_RESPONSE_ID,
  GEN_AI_RESPONSE_MODEL,
  GEN_AI_TOOL_CALL_ID,
  GEN_AI_TOOL_NAME,
  GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  GEN_AI_USAGE_INPUT_TOKENS,
  GEN_AI_USAGE_OUTPUT_TOKENS,
  GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  SPANLEDGER_INPUT_HASH,
  SPANLEDGER_OUTPUT_HASH,
  SPANLEDGER_REQUEST_ID,
  SPANLEDGER_SESSION_ID,
  SPANLEDGER_TENANT_ID,
  SPANLEDGER_USER_ID,
} from '../semconv/index.js';
