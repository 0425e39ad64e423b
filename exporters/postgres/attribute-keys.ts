import * as sc from '../../semconv/index.js';
import { METADATA_ATTRIBUTE_KEYS } from './attribute-allowlist.js';
import { isSecretKey } from './redact.js';

/** How the attribute pass treats one key. */
export const KeyKind = {
  /** On the metadata allowlist: copied into row.attributes (sanitised, secrets redacted). */
  Plain: 0,
  /** Prompt content: hashed, stored only with captureContent, never in attributes. */
  InputContent: 1,
  /** Completion content: as InputContent. */
  OutputContent: 2,
  /** Mapped to a column; not duplicated in attributes. */
  Consumed: 3,
  /** The key names a secret: its value is replaced with "[REDACTED]". */
  Secret: 4,
  /**
   * A key not on the allowlist that is not shaped like an attribute name (spaces, NUL, lone
   * surrogates, other punctuation, over 128 characters): with capture off the name itself is
   * digested as well as the value; with capture on it is sanitised and kept.
   */
  UnsafePlain: 5,
  /** Not on the allowlist: with capture off, text values are digested (numbers kept). */
  Unlisted: 6,
  /**
   * A JSON object of request parameters or metadata (llm.invocation_parameters, metadata): with
   * capture off, only the allowlisted fields keep their values.
   */
  ParameterJson: 7,
} as const;

/** Longest attribute key kept as is. */
export const MAX_KEY_LENGTH = 512;

/** ES2024 String#isWellFormed, present in Node 20 but not in the ES2023 lib typings. */
type WellFormedString = string & { isWellFormed(): boolean };

function isSafeKey(key: string): boolean {
  return (
    key.length <= MAX_KEY_LENGTH &&
    !key.includes('\u0000') &&
    (key as WellFormedString).isWellFormed()
  );
}

/**
 * What attribute names look like across the conventions (`gen_ai.prompt.0.content`,
 * `ai.request.headers.user-agent`, `http.request.header.x-foo`). A key that does not could be
 * text itself (a metadata dictionary flattened with its user-chosen keys).
 */
const KEY_SHAPE = /^[A-Za-z0-9_.:/@#$+\-[\]]{1,128}$/;

/** Whether `key` is shaped like an attribute name; see {@link KEY_SHAPE}. */
export function isKeyShaped(key: string): boolean {
  return KEY_SHAPE.test(key);
}

/** One of {@link KeyKind}'s values. */
export type KeyKind = (typeof KeyKind)[keyof typeof KeyKind];

const INPUT_CONTENT_KEYS = new Set<string>([
  sc.GEN_AI_INPUT_MESSAGES,
  sc.GEN_AI_SYSTEM_INSTRUCTIONS,
  sc.GEN_AI_PROMPT,
  sc.GEN_AI_TOOL_CALL_ARGUMENTS,
  sc.LLM_PROMPTS,
  sc.INPUT_VALUE,
  sc.AI_PROMPT,
  sc.AI_PROMPT_MESSAGES,
  sc.AI_VALUE,
  sc.AI_VALUES,
  sc.AI_TOOL_CALL_ARGS,
  sc.SPANLEDGER_INPUT_CONTENT,
  sc.TRACELOOP_ENTITY_INPUT,
  sc.LLM_PROMPT_TEMPLATE_VARIABLES,
  sc.LLM_PROMPT_TEMPLATE_TEMPLATE,
  sc.LLM_INPUT_MESSAGES,
  sc.GEN_AI_REQUEST_MESSAGES,
  sc.PROMPT,
  sc.TRACELOOP_PROMPT_TEMPLATE,
  sc.TRACELOOP_PROMPT_TEMPLATE_VARIABLES,
  sc.MCP_REQUEST_ARGUMENT,
]);

const OUTPUT_CONTENT_KEYS = new Set<string>([
  sc.GEN_AI_OUTPUT_MESSAGES,
  sc.GEN_AI_COMPLETION,
  sc.GEN_AI_TOOL_CALL_RESULT,
  sc.OUTPUT_VALUE,
  sc.AI_RESPONSE_TEXT,
  sc.AI_RESPONSE_TOOL_CALLS,
  sc.AI_RESPONSE_OBJECT,
  sc.AI_TOOL_CALL_RESULT,
  sc.SPANLEDGER_OUTPUT_CONTENT,
  sc.TRACELOOP_ENTITY_OUTPUT,
  sc.AI_RESPONSE_REASONING,
  // Embedding vectors are derived from the input and can be inverted to approximate it.
  sc.AI_EMBEDDING,
  sc.AI_EMBEDDINGS,
  sc.LLM_OUTPUT_MESSAGES,
  sc.LLM_FUNCTION_CALL,
  sc.COMPLETION,
  sc.MCP_RESPONSE_VALUE,
]);

/** JSON objects whose allowlisted fields are metadata and whose other fields may be text. */
const PARAMETER_JSON_KEYS = new Set<string>([
  sc.LLM_INVOCATION_PARAMETERS,
  sc.EMBEDDING_INVOCATION_PARAMETERS,
  sc.OPENINFERENCE_METADATA,
]);

/** Indexed content families: gen_ai.prompt.0.content, llm.input_messages.0.message.content, ... */
const INPUT_CONTENT_PREFIXES = [
  sc.GEN_AI_PROMPT_PREFIX,
  sc.LLM_INPUT_MESSAGES_PREFIX,
  `${sc.LLM_PROMPTS}.`,
  sc.EMBEDDING_EMBEDDINGS_PREFIX,
];
const OUTPUT_CONTENT_PREFIXES = [sc.GEN_AI_COMPLETION_PREFIX, sc.LLM_OUTPUT_MESSAGES_PREFIX];

/** gen_ai.prompt.name is a template name, not prompt text. */
const NOT_CONTENT = new Set<string>(['gen_ai.prompt.name']);

/** OpenLLMetry's per-choice finish reason lives among the completion content keys. */
const INDEXED_FINISH_REASON = /^gen_ai\.completion\.\d+\.finish_reason$/;

/** Keys whose values land in row columns (see transform.ts and the modules it calls). */
const CONSUMED_KEYS = new Set<string>([
  sc.GEN_AI_OPERATION_NAME,
  sc.GEN_AI_PROVIDER_NAME,
  sc.GEN_AI_SYSTEM,
  sc.GEN_AI_REQUEST_MODEL,
  sc.GEN_AI_RESPONSE_MODEL,
  sc.GEN_AI_RESPONSE_ID,
  sc.GEN_AI_RESPONSE_FINISH_REASONS,
  sc.GEN_AI_USAGE_INPUT_TOKENS,
  sc.GEN_AI_USAGE_OUTPUT_TOKENS,
  sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  sc.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  sc.GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  sc.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  sc.GEN_AI_USAGE_PROMPT_TOKENS,
  sc.GEN_AI_USAGE_COMPLETION_TOKENS,
  sc.GEN_AI_USAGE_TOTAL_TOKENS,
  sc.GEN_AI_TOOL_NAME,
  sc.GEN_AI_TOOL_CALL_ID,
  sc.GEN_AI_CONVERSATION_ID,
  sc.ERROR_TYPE,
  sc.HTTP_RESPONSE_STATUS_CODE,
  sc.MCP_METHOD_NAME,
  sc.ENDUSER_ID,
  sc.USER_ID,
  sc.SESSION_ID,
  sc.OPENINFERENCE_SPAN_KIND,
  sc.LLM_MODEL_NAME,
  sc.LLM_PROVIDER,
  sc.LLM_SYSTEM,
  sc.LLM_FINISH_REASON,
  sc.LLM_TOKEN_COUNT_PROMPT,
  sc.LLM_TOKEN_COUNT_COMPLETION,
  sc.LLM_TOKEN_COUNT_TOTAL,
  sc.LLM_TOKEN_COUNT_PROMPT_CACHE_READ,
  sc.LLM_TOKEN_COUNT_PROMPT_CACHE_WRITE,
  sc.LLM_TOKEN_COUNT_COMPLETION_REASONING,
  sc.LLM_REQUEST_MODEL_NAME,
  sc.LLM_RESPONSE_MODEL_NAME,
  sc.TOOL_NAME,
  sc.TOOL_CALL_ID,
  sc.LLM_REQUEST_TYPE,
  sc.LLM_USAGE_TOTAL_TOKENS,
  sc.LLM_RESPONSE_FINISH_REASON,
  sc.OPENLLMETRY_RESPONSE_FINISH_REASON,
  sc.OPENLLMETRY_CACHE_READ_INPUT_TOKENS,
  sc.OPENLLMETRY_CACHE_CREATION_INPUT_TOKENS,
  sc.OPENLLMETRY_REASONING_TOKENS,
  sc.AI_MODEL_ID,
  sc.AI_MODEL_PROVIDER,
  sc.AI_RESPONSE_ID,
  sc.AI_RESPONSE_MODEL,
  sc.AI_RESPONSE_FINISH_REASON,
  sc.AI_FINISH_REASON,
  sc.AI_TOOL_CALL_NAME,
  sc.AI_TOOL_CALL_ID,
  sc.AI_USAGE_PROMPT_TOKENS,
  sc.AI_USAGE_COMPLETION_TOKENS,
  sc.AI_USAGE_INPUT_TOKENS,
  sc.AI_USAGE_OUTPUT_TOKENS,
  sc.AI_USAGE_TOTAL_TOKENS,
  sc.AI_USAGE_TOKENS,
  sc.AI_USAGE_CACHED_INPUT_TOKENS,
  sc.AI_USAGE_REASONING_TOKENS,
  sc.AI_USAGE_INPUT_NO_CACHE_TOKENS,
  sc.AI_USAGE_INPUT_CACHE_READ_TOKENS,
  sc.AI_USAGE_INPUT_CACHE_WRITE_TOKENS,
  sc.AI_USAGE_OUTPUT_REASONING_TOKENS,
  sc.EMBEDDING_MODEL_NAME,
  sc.TRACELOOP_USER_ID,
  sc.TRACELOOP_SESSION_ID,
  sc.AI_TELEMETRY_USER_ID,
  sc.AI_TELEMETRY_SESSION_ID,
  sc.SPANLEDGER_TENANT_ID,
  sc.SPANLEDGER_USER_ID,
  sc.SPANLEDGER_SESSION_ID,
  sc.SPANLEDGER_REQUEST_ID,
  sc.SPANLEDGER_INPUT_HASH,
  sc.SPANLEDGER_OUTPUT_HASH,
  sc.SPANLEDGER_USAGE_SOURCE,
  sc.SPANLEDGER_TERMINATION_REASON,
]);

function startsWithAny(key: string, prefixes: readonly string[]): boolean {
  for (const prefix of prefixes) if (key.startsWith(prefix)) return true;
  return false;
}

/** Classifies a key. Pure; {@link keyKind} memoises it. */
export function classifyKey(key: string): KeyKind {
  if (CONSUMED_KEYS.has(key)) return KeyKind.Consumed;
  if (INPUT_CONTENT_KEYS.has(key)) return KeyKind.InputContent;
  if (OUTPUT_CONTENT_KEYS.has(key)) return KeyKind.OutputContent;
  if (!NOT_CONTENT.has(key)) {
    if (startsWithAny(key, INPUT_CONTENT_PREFIXES)) return KeyKind.InputContent;
    if (startsWithAny(key, OUTPUT_CONTENT_PREFIXES)) {
      return INDEXED_FINISH_REASON.test(key) ? KeyKind.Consumed : KeyKind.OutputContent;
    }
  }
  if (isSecretKey(key)) return KeyKind.Secret;
  if (METADATA_ATTRIBUTE_KEYS.has(key)) return KeyKind.Plain;
  if (PARAMETER_JSON_KEYS.has(key)) return KeyKind.ParameterJson;
  return isSafeKey(key) && isKeyShaped(key) ? KeyKind.Unlisted : KeyKind.UnsafePlain;
}

/** Keys repeat across spans, so one Map lookup replaces the prefix and secret checks. */
const memo = new Map<string, KeyKind>();
/** Indexed keys (gen_ai.prompt.4711.content) could grow the memo without bound. */
const MEMO_LIMIT = 20_000;

/** The memoised {@link classifyKey}. */
export function keyKind(key: string): KeyKind {
  let kind = memo.get(key);
  if (kind === undefined) {
    kind = classifyKey(key);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(key, kind);
  }
  return kind;
}
