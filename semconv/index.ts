/**
 * Every span attribute name spanledger reads or writes, in one place, so that the
 * instrumentation that emits them and the exporter that maps them cannot drift apart.
 *
 * The OpenTelemetry GenAI names are still experimental, so (like opentelemetry-js-contrib) we
 * keep a local copy rather than depend on `@opentelemetry/semantic-conventions/incubating`.
 * Other conventions (OpenInference, OpenLLMetry, Vercel AI SDK) are listed so the exporter can
 * read spans produced by their instrumentations too.
 */

// ---------------------------------------------------------------------------------------------
// OpenTelemetry GenAI (current)
// ---------------------------------------------------------------------------------------------
export const GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
/** @deprecated by the spec in favour of gen_ai.provider.name; still emitted by many instrumentations. */
export const GEN_AI_SYSTEM = 'gen_ai.system';
export const GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const GEN_AI_REQUEST_STREAM = 'gen_ai.request.stream';
export const GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const GEN_AI_EMBEDDINGS_DIMENSION_COUNT = 'gen_ai.embeddings.dimension.count';
export const GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
export const GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';
/** Not in the spec; accepted as an alias of cache_creation because some SDKs emit it. */
export const GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS = 'gen_ai.usage.cache_write.input_tokens';
export const GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
/** @deprecated replaced by gen_ai.usage.input_tokens. */
export const GEN_AI_USAGE_PROMPT_TOKENS = 'gen_ai.usage.prompt_tokens';
/** @deprecated replaced by gen_ai.usage.output_tokens. */
export const GEN_AI_USAGE_COMPLETION_TOKENS = 'gen_ai.usage.completion_tokens';
export const GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
export const GEN_AI_TOOL_CALL_ID = 'gen_ai.tool.call.id';
export const GEN_AI_TOOL_CALL_ARGUMENTS = 'gen_ai.tool.call.arguments';
export const GEN_AI_TOOL_CALL_RESULT = 'gen_ai.tool.call.result';
export const GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';
export const GEN_AI_AGENT_NAME = 'gen_ai.agent.name';
export const GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
export const GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
export const GEN_AI_SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions';
/** @deprecated span-attribute form of prompts; OpenLLMetry indexes it: gen_ai.prompt.0.content. */
export const GEN_AI_PROMPT = 'gen_ai.prompt';
/** @deprecated span-attribute form of completions; OpenLLMetry indexes it: gen_ai.completion.0.content. */
export const GEN_AI_COMPLETION = 'gen_ai.completion';
/** Not in the spec: the request's messages as one JSON string (some SDKs' own tracing). */
export const GEN_AI_REQUEST_MESSAGES = 'gen_ai.request.messages';
/** Bare prompt/completion keys (LiteLLM-style and hand-written spans). */
export const PROMPT = 'prompt';
export const COMPLETION = 'completion';

/** Well-known gen_ai.operation.name values. */
export const GEN_AI_OPERATION = {
  CHAT: 'chat',
  TEXT_COMPLETION: 'text_completion',
  GENERATE_CONTENT: 'generate_content',
  EMBEDDINGS: 'embeddings',
  EXECUTE_TOOL: 'execute_tool',
  INVOKE_AGENT: 'invoke_agent',
  CREATE_AGENT: 'create_agent',
  INVOKE_WORKFLOW: 'invoke_workflow',
} as const;

// ---------------------------------------------------------------------------------------------
// General OpenTelemetry attributes
// ---------------------------------------------------------------------------------------------
export const ERROR_TYPE = 'error.type';
export const HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const SERVER_ADDRESS = 'server.address';
export const EXCEPTION_TYPE = 'exception.type';
export const EXCEPTION_MESSAGE = 'exception.message';
export const EXCEPTION_EVENT_NAME = 'exception';
export const ENDUSER_ID = 'enduser.id';
export const USER_ID = 'user.id';
export const SESSION_ID = 'session.id';
export const SERVICE_NAME = 'service.name';
export const SERVICE_VERSION = 'service.version';
export const DEPLOYMENT_ENVIRONMENT_NAME = 'deployment.environment.name';
/** @deprecated replaced by deployment.environment.name. */
export const DEPLOYMENT_ENVIRONMENT = 'deployment.environment';

// ---------------------------------------------------------------------------------------------
// Model Context Protocol
// ---------------------------------------------------------------------------------------------
export const MCP_METHOD_NAME = 'mcp.method.name';
/** The MCP method of a tools/call request. */
export const MCP_METHOD_TOOLS_CALL = 'tools/call';
export const MCP_SESSION_ID = 'mcp.session.id';
export const MCP_PROTOCOL_VERSION = 'mcp.protocol.version';
export const JSONRPC_REQUEST_ID = 'jsonrpc.request.id';
export const MCP_RESOURCE_URI = 'mcp.resource.uri';
/** The JSON-RPC error code of a failed MCP request, as a string. */
export const RPC_RESPONSE_STATUS_CODE = 'rpc.response.status_code';
export const NETWORK_TRANSPORT = 'network.transport';
export const GEN_AI_PROMPT_NAME = 'gen_ai.prompt.name';
/** error.type of an MCP tools/call whose result says isError (the JSON-RPC call itself succeeded). */
export const MCP_TOOL_ERROR = 'tool_error';
/** Keys of the W3C trace context carried in an MCP request's params._meta. */
export const MCP_META_TRACEPARENT = 'traceparent';
export const MCP_META_TRACESTATE = 'tracestate';

// ---------------------------------------------------------------------------------------------
// OpenInference (Arize)
// ---------------------------------------------------------------------------------------------
export const OPENINFERENCE_SPAN_KIND = 'openinference.span.kind';
export const LLM_MODEL_NAME = 'llm.model_name';
export const LLM_PROVIDER = 'llm.provider';
export const LLM_SYSTEM = 'llm.system';
export const LLM_FINISH_REASON = 'llm.finish_reason';
export const LLM_REQUEST_MODEL_NAME = 'llm.request.model_name';
export const LLM_RESPONSE_MODEL_NAME = 'llm.response.model_name';
export const LLM_TOKEN_COUNT_PROMPT = 'llm.token_count.prompt';
export const LLM_TOKEN_COUNT_COMPLETION = 'llm.token_count.completion';
export const LLM_TOKEN_COUNT_TOTAL = 'llm.token_count.total';
export const LLM_TOKEN_COUNT_PROMPT_CACHE_READ = 'llm.token_count.prompt_details.cache_read';
export const LLM_TOKEN_COUNT_PROMPT_CACHE_WRITE = 'llm.token_count.prompt_details.cache_write';
export const LLM_TOKEN_COUNT_COMPLETION_REASONING = 'llm.token_count.completion_details.reasoning';
/** Prefixes of indexed message attributes, e.g. llm.input_messages.0.message.content. */
export const LLM_INPUT_MESSAGES_PREFIX = 'llm.input_messages.';
export const LLM_OUTPUT_MESSAGES_PREFIX = 'llm.output_messages.';
export const LLM_PROMPTS = 'llm.prompts';
export const INPUT_VALUE = 'input.value';
export const OUTPUT_VALUE = 'output.value';
export const TOOL_NAME = 'tool.name';
export const TOOL_CALL_ID = 'tool_call.id';
export const EMBEDDING_MODEL_NAME = 'embedding.model_name';
/** Indexed embedded texts and vectors: embedding.embeddings.0.embedding.text. */
export const EMBEDDING_EMBEDDINGS_PREFIX = 'embedding.embeddings.';
export const LLM_PROMPT_TEMPLATE_VARIABLES = 'llm.prompt_template.variables';
/** The prompt template's text ("Describe the weather in {city}"). */
export const LLM_PROMPT_TEMPLATE_TEMPLATE = 'llm.prompt_template.template';
/** The messages as one JSON string, when an instrumentation does not flatten them. */
export const LLM_INPUT_MESSAGES = 'llm.input_messages';
export const LLM_OUTPUT_MESSAGES = 'llm.output_messages';
/** The model's function call (name and arguments) as JSON, from older OpenAI function calling. */
export const LLM_FUNCTION_CALL = 'llm.function_call';
/** Embedding request parameters as a JSON object string (the same shape as the LLM's). */
export const EMBEDDING_INVOCATION_PARAMETERS = 'embedding.invocation_parameters';
/**
 * The request's parameters as a JSON object string. Its "model" (LangChain: also "model_name")
 * is the model the app asked for; llm.model_name is usually the one the provider answered with.
 */
export const LLM_INVOCATION_PARAMETERS = 'llm.invocation_parameters';
/** Free-form metadata as a JSON object string; LangChain puts its "ls_provider" there. */
export const OPENINFERENCE_METADATA = 'metadata';

/** openinference.span.kind values. */
export const OPENINFERENCE_KIND = {
  LLM: 'LLM',
  EMBEDDING: 'EMBEDDING',
  TOOL: 'TOOL',
  AGENT: 'AGENT',
  CHAIN: 'CHAIN',
} as const;

// ---------------------------------------------------------------------------------------------
// OpenLLMetry (Traceloop)
// ---------------------------------------------------------------------------------------------
export const LLM_REQUEST_TYPE = 'llm.request.type';
export const LLM_USAGE_TOTAL_TOKENS = 'llm.usage.total_tokens';
export const GEN_AI_USAGE_TOTAL_TOKENS = 'gen_ai.usage.total_tokens';
export const OPENLLMETRY_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read_input_tokens';
export const OPENLLMETRY_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation_input_tokens';
export const OPENLLMETRY_REASONING_TOKENS = 'gen_ai.usage.reasoning_tokens';
/** OpenLLMetry (Python) finish-reason attributes, older and newer spelling. */
export const LLM_RESPONSE_FINISH_REASON = 'llm.response.finish_reason';
export const OPENLLMETRY_RESPONSE_FINISH_REASON = 'gen_ai.response.finish_reason';
export const TRACELOOP_SPAN_KIND = 'traceloop.span.kind';
/** Association properties users attach with Traceloop.withAssociationProperties(). */
export const TRACELOOP_USER_ID = 'traceloop.association.properties.user_id';
export const TRACELOOP_SESSION_ID = 'traceloop.association.properties.session_id';
export const TRACELOOP_ENTITY_NAME = 'traceloop.entity.name';
export const TRACELOOP_ENTITY_INPUT = 'traceloop.entity.input';
export const TRACELOOP_ENTITY_OUTPUT = 'traceloop.entity.output';
/** Managed prompts: the template text and its variables. */
export const TRACELOOP_PROMPT_TEMPLATE = 'traceloop.prompt.template';
export const TRACELOOP_PROMPT_TEMPLATE_VARIABLES = 'traceloop.prompt.template_variables';
/** OpenLLMetry (Python) MCP: a request's arguments and a response's value, as JSON. */
export const MCP_REQUEST_ARGUMENT = 'mcp.request.argument';
export const MCP_RESPONSE_VALUE = 'mcp.response.value';
/** Indexed prompt/completion prefixes: gen_ai.prompt.0.content, gen_ai.completion.0.finish_reason. */
export const GEN_AI_PROMPT_PREFIX = 'gen_ai.prompt.';
export const GEN_AI_COMPLETION_PREFIX = 'gen_ai.completion.';
/**
 * OpenLLMetry's MCP instrumentations (JS package, Python module) set no mcp.* attributes: a
 * request is a span named "<method>.mcp", tools/call a "<tool>.tool" span with
 * traceloop.span.kind "tool"; only the instrumentation scope says it is MCP.
 */
export const TRACELOOP_MCP_SCOPES: readonly string[] = [
  '@traceloop/instrumentation-mcp',
  'opentelemetry.instrumentation.mcp.instrumentation',
];
export const TRACELOOP_MCP_REQUEST_SUFFIX = '.mcp';
export const TRACELOOP_MCP_TOOL_SUFFIX = '.tool';
/** OpenLLMetry's tools/call output: {"result": ..., "is_error": true} when the tool failed. */
export const TRACELOOP_MCP_IS_ERROR = 'is_error';
/** OpenLLMetry's JS Anthropic instrumentation: reports input_tokens excluding cache read/write. */
export const TRACELOOP_ANTHROPIC_SCOPE = '@traceloop/instrumentation-anthropic';

// ---------------------------------------------------------------------------------------------
// Vercel AI SDK
// ---------------------------------------------------------------------------------------------
export const AI_OPERATION_ID = 'ai.operationId';
export const AI_MODEL_ID = 'ai.model.id';
export const AI_MODEL_PROVIDER = 'ai.model.provider';
export const AI_RESPONSE_ID = 'ai.response.id';
export const AI_RESPONSE_MODEL = 'ai.response.model';
export const AI_RESPONSE_FINISH_REASON = 'ai.response.finishReason';
/** AI SDK 3.x name of ai.response.finishReason. */
export const AI_FINISH_REASON = 'ai.finishReason';
export const AI_RESPONSE_TEXT = 'ai.response.text';
export const AI_RESPONSE_TOOL_CALLS = 'ai.response.toolCalls';
export const AI_RESPONSE_OBJECT = 'ai.response.object';
export const AI_RESPONSE_REASONING = 'ai.response.reasoning';
/** Embedding vectors of ai.embed / ai.embedMany. */
export const AI_EMBEDDING = 'ai.embedding';
export const AI_EMBEDDINGS = 'ai.embeddings';
export const AI_PROMPT = 'ai.prompt';
export const AI_PROMPT_MESSAGES = 'ai.prompt.messages';
export const AI_VALUE = 'ai.value';
export const AI_VALUES = 'ai.values';
export const AI_TOOL_CALL_NAME = 'ai.toolCall.name';
export const AI_TOOL_CALL_ID = 'ai.toolCall.id';
export const AI_TOOL_CALL_ARGS = 'ai.toolCall.args';
export const AI_TOOL_CALL_RESULT = 'ai.toolCall.result';
export const AI_USAGE_PROMPT_TOKENS = 'ai.usage.promptTokens';
export const AI_USAGE_COMPLETION_TOKENS = 'ai.usage.completionTokens';
export const AI_USAGE_INPUT_TOKENS = 'ai.usage.inputTokens';
export const AI_USAGE_OUTPUT_TOKENS = 'ai.usage.outputTokens';
export const AI_USAGE_TOTAL_TOKENS = 'ai.usage.totalTokens';
/** Embedding spans report one count. */
export const AI_USAGE_TOKENS = 'ai.usage.tokens';
export const AI_USAGE_CACHED_INPUT_TOKENS = 'ai.usage.cachedInputTokens';
export const AI_USAGE_REASONING_TOKENS = 'ai.usage.reasoningTokens';
/** AI SDK 6 breakdown; its presence means ai.usage.inputTokens includes cached input. */
export const AI_USAGE_INPUT_NO_CACHE_TOKENS = 'ai.usage.inputTokenDetails.noCacheTokens';
export const AI_USAGE_INPUT_CACHE_READ_TOKENS = 'ai.usage.inputTokenDetails.cacheReadTokens';
export const AI_USAGE_INPUT_CACHE_WRITE_TOKENS = 'ai.usage.inputTokenDetails.cacheWriteTokens';
export const AI_USAGE_OUTPUT_REASONING_TOKENS = 'ai.usage.outputTokenDetails.reasoningTokens';

/** Telemetry metadata users commonly set: experimental_telemetry.metadata.{userId,sessionId}. */
export const AI_TELEMETRY_USER_ID = 'ai.telemetry.metadata.userId';
export const AI_TELEMETRY_SESSION_ID = 'ai.telemetry.metadata.sessionId';

/** ai.operationId values. */
export const AI_OPERATION = {
  GENERATE_TEXT: 'ai.generateText',
  STREAM_TEXT: 'ai.streamText',
  GENERATE_OBJECT: 'ai.generateObject',
  STREAM_OBJECT: 'ai.streamObject',
  EMBED: 'ai.embed',
  EMBED_MANY: 'ai.embedMany',
  TOOL_CALL: 'ai.toolCall',
} as const;

// ---------------------------------------------------------------------------------------------
// spanledger's own attributes
// ---------------------------------------------------------------------------------------------
/** The one prefix of every attribute spanledger defines. */
export const SPANLEDGER_PREFIX = 'spanledger.';
export const SPANLEDGER_TENANT_ID = 'spanledger.tenant_id';
export const SPANLEDGER_USER_ID = 'spanledger.user_id';
export const SPANLEDGER_SESSION_ID = 'spanledger.session_id';
export const SPANLEDGER_REQUEST_ID = 'spanledger.request_id';
/** HMAC-SHA-256 hex of the prompt, computed by the instrumentation when content is not captured. */
export const SPANLEDGER_INPUT_HASH = 'spanledger.input_hash';
export const SPANLEDGER_OUTPUT_HASH = 'spanledger.output_hash';
/** 'provider' (default) or 'estimated' when the instrumentation counted tokens itself. */
export const SPANLEDGER_USAGE_SOURCE = 'spanledger.usage_source';
export const SPANLEDGER_TERMINATION_REASON = 'spanledger.termination_reason';
export const SPANLEDGER_INPUT_CONTENT = 'spanledger.input_content';
export const SPANLEDGER_OUTPUT_CONTENT = 'spanledger.output_content';
/** Tool call ids a model response asked for (an array), e.g. OpenAI tool_calls[].id. */
export const SPANLEDGER_RESPONSE_TOOL_CALL_IDS = 'spanledger.response.tool_call_ids';
export const SPANLEDGER_RESPONSE_TOOL_NAMES = 'spanledger.response.tool_names';

/** spanledger.usage_source values the instrumentation sets. */
export const USAGE_SOURCE = { PROVIDER: 'provider', ESTIMATED: 'estimated' } as const;
/** spanledger.termination_reason values the instrumentation sets. */
export const TERMINATION_REASON = {
  COMPLETED: 'completed',
  ABORTED: 'aborted',
  ERROR: 'error',
  TIMEOUT: 'timeout',
} as const;

/** Notes the exporter adds to a row's attributes (never read from spans). */
export const SPANLEDGER_USAGE_CONVENTION = 'spanledger.usage_convention';
export const SPANLEDGER_DROPPED_ATTRIBUTES = 'spanledger.dropped_attributes';
export const SPANLEDGER_REPORTED_INPUT_TOKENS = 'spanledger.reported_input_tokens';
export const SPANLEDGER_REPORTED_TOTAL_TOKENS = 'spanledger.reported_total_tokens';
