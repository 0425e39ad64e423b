import { GEN_AI_OPERATION } from '../semconv/index.js';
import { instrumentationOptions } from './config.js';
import type { LlmSpan } from './llm-span.js';
import { type Body, type CallReader, requestAttributes, runInstrumented } from './openai-shared.js';
import type { LlmUsage } from './types.js';

interface ChatUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}

interface ToolCallDelta {
  id?: string;
  function?: { name?: string };
}

interface Choice {
  finish_reason?: string | null;
  message?: { content?: unknown; tool_calls?: ToolCallDelta[] };
  delta?: { content?: string | null; tool_calls?: ToolCallDelta[] };
}

interface ChatValue {
  id?: string;
  model?: string;
  choices?: Choice[];
  usage?: ChatUsage | null;
}

/** OpenAI chat usage in OTel terms: prompt_tokens already includes cached tokens. */
export function chatUsage(usage: ChatUsage | null | undefined): LlmUsage | undefined {
  if (!usage) return undefined;
  return {
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    cacheReadInputTokens: usage.prompt_tokens_details?.cached_tokens,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens,
  };
}

// Plain loops in the two readers below: they run on every call (and every streamed chunk), and
// flatMap/filter/map chains cost several times more in V8 for the usual one or two choices.

/** Appends the tool calls of `choices` to `out`. */
function collectToolCalls(
  choices: Choice[],
  key: 'message' | 'delta',
  out: Array<{ id?: string; name?: string }>,
) {
  for (const choice of choices) {
    const calls = choice[key]?.tool_calls;
    if (!calls) continue;
    for (const call of calls) {
      const name = call.function?.name;
      if (call.id || name) out.push({ id: call.id, name });
    }
  }
  return out;
}

/** Appends the finish reasons of `choices` to `out`. */
function collectFinishReasons(choices: Choice[], out: string[]) {
  for (const choice of choices) if (choice.finish_reason) out.push(choice.finish_reason);
  return out;
}

/**
 * The reply's text when a chat completion is one plain text message (one choice, string content,
 * no tool calls): its output digest is then made from the text, as a stream of the same reply is,
 * so a reply gets the same digest streamed or not, and no JSON text is built for it.
 */
function plainReplyText(choices: Choice[]): string | undefined {
  if (choices.length !== 1) return undefined;
  const message = choices[0]!.message;
  if (typeof message?.content !== 'string' || message.tool_calls?.length) return undefined;
  return message.content;
}

/** Records a chat completion (not streamed). */
function readChatResult(llm: LlmSpan, value: unknown) {
  const chat = value as ChatValue;
  const choices = chat.choices ?? [];
  const output: unknown[] = [];
  for (const choice of choices) output.push(choice.message);
  const outputText = plainReplyText(choices);
  llm.record({
    usage: chatUsage(chat.usage),
    responseModel: chat.model,
    responseId: chat.id,
    finishReasons: collectFinishReasons(choices, []),
    // A plain text reply has no tool calls: no list to build (an empty one records nothing).
    toolCalls: outputText === undefined ? collectToolCalls(choices, 'message', []) : undefined,
    output,
    outputText,
  });
}

/** Reads streamed chat completions; hides the usage-only chunk when we asked for it, not the app. */
function streamReader(injectedUsage: boolean): CallReader<unknown, unknown> {
  const toolCalls: Array<{ id?: string; name?: string }> = [];
  const reasons: string[] = [];
  return {
    onResult: readChatResult,
    onChunk(llm: LlmSpan, value: unknown) {
      const chunk = value as ChatValue;
      const choices = chunk.choices ?? [];
      for (const choice of choices) llm.appendOutputText(choice.delta?.content);
      collectToolCalls(choices, 'delta', toolCalls);
      collectFinishReasons(choices, reasons);
      llm.record({
        usage: chatUsage(chunk.usage),
        responseModel: chunk.model,
        responseId: chunk.id,
        finishReasons: reasons.length ? [...reasons] : undefined,
        toolCalls: toolCalls.length ? [...toolCalls] : undefined,
      });
      if (!injectedUsage) return true;
      if (choices.length === 0 && chunk.usage) return false;
      if (chunk.usage === null) delete chunk.usage;
      return true;
    },
  };
}

/**
 * Reads a chat completion that was not asked to stream. The SDK returns a Stream exactly when
 * `body.stream` is truthy (it sends `stream: body.stream ?? false` and parses by that), so such
 * a call yields a value and never chunks: it needs no per-call state, and one reader serves all.
 */
const PLAIN_READER: CallReader<unknown, unknown> = {
  onResult: readChatResult,
  onChunk: () => true,
};

/** Wraps `Completions.prototype.create` (chat). */
export function wrapChatCreate(original: (this: unknown, ...args: unknown[]) => unknown) {
  return function create(this: unknown, ...args: unknown[]): unknown {
    const body = args[0] as Body | undefined;
    if (!body || typeof body !== 'object' || typeof body.model !== 'string') {
      return original.apply(this, args);
    }
    const streamOptions = body.stream_options as { include_usage?: boolean } | undefined;
    const inject =
      body.stream === true &&
      streamOptions?.include_usage === undefined &&
      instrumentationOptions().includeStreamUsage;
    // args is this call's own array (rest parameter): replacing the body in it is not visible to
    // the app.
    if (inject) args[0] = { ...body, stream_options: { ...streamOptions, include_usage: true } };
    const client = (this as { _client?: unknown })._client;
    return runInstrumented(
      {
        provider: 'openai',
        model: body.model,
        operation: GEN_AI_OPERATION.CHAT,
        input: body.messages,
        attributes: requestAttributes(client, body),
      },
      body.stream ? streamReader(inject) : PLAIN_READER,
      () => original.apply(this, args),
    );
  };
}
