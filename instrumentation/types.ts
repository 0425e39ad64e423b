import type { Attributes } from '@opentelemetry/api';

/** Token counts in OTel GenAI semantics: input includes cached input. */
export interface LlmUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
  reasoningTokens?: number;
}

/** What a model call returned, as far as the ledger cares. */
export interface LlmCallOutcome {
  usage?: LlmUsage;
  responseModel?: string;
  responseId?: string;
  finishReasons?: string[];
  /** The completion (text or structured), hashed always and put on the span only when captured. */
  output?: unknown;
  /**
   * The completion's text when it is one plain text reply: the output digest is made from it
   * rather than from `output`, as for a stream of the same reply (whose digest is of its text).
   */
  outputText?: string;
  /** Tool calls the model asked for. */
  toolCalls?: Array<{ id?: string; name?: string }>;
}

/** Describes a model call before it starts. */
export interface LlmCallMeta {
  /** gen_ai.provider.name, e.g. 'openai', 'anthropic'. */
  provider: string;
  /** gen_ai.request.model. */
  model: string;
  /** gen_ai.operation.name; 'chat' by default. */
  operation?: string;
  /** The prompt (messages, text or input), hashed always and put on the span only when captured. */
  input?: unknown;
  /** Extra attributes, e.g. server.address or gen_ai.request.temperature. */
  attributes?: Attributes;
}

/** Describes a tool call before it runs. */
export interface ToolCallMeta {
  /** gen_ai.tool.name. */
  name: string;
  /** gen_ai.tool.call.id, when the model gave one. */
  callId?: string;
  /** Arguments: hashed always, put on the span only redacted and only when content is captured. */
  arguments?: unknown;
  attributes?: Attributes;
}
