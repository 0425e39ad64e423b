// spanledger/instrumentation — what a service adds: initTelemetry() wires the SDK; the
// instrument*() functions patch the OpenAI, Anthropic and MCP clients; the manual API covers
// anything else. Instrumentation files use @opentelemetry/api only; init-telemetry.ts wires the SDK.
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
export { anthropicUsage, instrumentAnthropic, sdkTracesItself } from './anthropic.js';
export type { AuditContext } from './audit-context.js';
export { auditAttributes, getAuditContext, withAuditContext } from './audit-context.js';
export { AuditContextSpanProcessor } from './audit-span-processor.js';
export type { InstrumentationOptions, ResolvedInstrumentationOptions } from './config.js';
export { configureInstrumentation, instrumentationOptions } from './config.js';
export type { InitTelemetryOptions, TelemetryHandle } from './init-telemetry.js';
export { initTelemetry } from './init-telemetry.js';
export type { LlmCallRecorder } from './manual.js';
export { traceLlmCall, traceLlmStream, traceToolCall } from './manual.js';
export { instrumentMcpClient } from './mcp-client.js';
export { instrumentMcpServer } from './mcp-server.js';
export { instrumentOpenAI } from './openai.js';
export { digest, isSecretKey, redactText, redactValue } from './privacy.js';
export { INSTRUMENTATION_SCOPE } from './tracer.js';
export type { LlmCallMeta, LlmCallOutcome, LlmUsage, ToolCallMeta } from './types.js';
