import { diag } from '@opentelemetry/api';
import { GEN_AI_OPERATION } from '../semconv/index.js';
import { safely } from './errors.js';
import type { LlmSpan } from './llm-span.js';
import { type Body, type CallReader, requestAttributes, runInstrumented } from './openai-shared.js';
import { patchMethod } from './patch.js';
import type { LlmUsage } from './types.js';

interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

interface ContentBlock {
  type?: string;
  id?: string;
  name?: string;
  text?: string;
}

interface Message {
  id?: string;
  model?: string;
  stop_reason?: string | null;
  content?: ContentBlock[];
  usage?: AnthropicUsage;
}

interface StreamEvent {
  type?: string;
  message?: Message;
  content_block?: ContentBlock;
  delta?: { type?: string; text?: string; stop_reason?: string | null };
  usage?: AnthropicUsage;
}

/**
 * Anthropic's input_tokens excludes cached input; OTel's includes it, so the parts are added.
 */
export function anthropicUsage(usage: AnthropicUsage): LlmUsage {
  const read = usage.cache_read_input_tokens ?? undefined;
  const created = usage.cache_creation_input_tokens ?? undefined;
  const input =
    typeof usage.input_tokens === 'number'
      ? usage.input_tokens + (read ?? 0) + (created ?? 0)
      : undefined;
  return {
    inputTokens: input,
    outputTokens: usage.output_tokens ?? undefined,
    cacheReadInputTokens: read,
    cacheCreationInputTokens: created,
  };
}

function toolUses(blocks: ContentBlock[] | undefined) {
  return (blocks ?? [])
    .filter((block) => block.type === 'tool_use')
    .map((block) => ({ id: block.id, name: block.name }));
}

/** Reads messages; a stream's message_start and message_delta usage are merged field by field. */
function messagesReader(): CallReader<unknown, unknown> {
  const merged: AnthropicUsage = {};
  const calls: Array<{ id?: string; name?: string }> = [];
  const merge = (usage: AnthropicUsage | undefined) => {
    for (const [key, value] of Object.entries(usage ?? {})) {
      if (typeof value === 'number') (merged as Record<string, number>)[key] = value;
    }
  };
  return {
    onResult(llm: LlmSpan, value: unknown) {
      const message = value as Message;
      llm.record({
        usage: message.usage ? anthropicUsage(message.usage) : undefined,
        responseModel: message.model,
        responseId: message.id,
        finishReasons: message.stop_reason ? [message.stop_reason] : undefined,
        toolCalls: toolUses(message.content),
        output: message.content,
      });
    },
    onChunk(llm: LlmSpan, value: unknown) {
      const event = value as StreamEvent;
      if (event.type === 'message_start' && event.message) {
        merge(event.message.usage);
        llm.record({ responseModel: event.message.model, responseId: event.message.id });
      } else if (event.type === 'content_block_start' && event.content_block?.type === 'tool_use') {
        calls.push({ id: event.content_block.id, name: event.content_block.name });
        llm.record({ toolCalls: [...calls] });
      } else if (event.type === 'content_block_delta' && event.delta?.type === 'text_delta') {
        llm.appendOutputText(event.delta.text);
      } else if (event.type === 'message_delta') {
        merge(event.usage);
        if (event.delta?.stop_reason) llm.record({ finishReasons: [event.delta.stop_reason] });
      }
      if (Object.keys(merged).length) llm.addUsage(anthropicUsage(merged));
      return true;
    },
  };
}

/**
 * Whether this client already traces its calls: recent @anthropic-ai/sdk versions start their
 * own GenAI span per call when a tracer provider is registered (`_tracer`). A second span would
 * describe the same call twice, so we step aside; the audit-context span processor still stamps
 * tenant and user on the SDK's span.
 */
export function sdkTracesItself(client: unknown): boolean {
  const c = client as { _tracer?: unknown; openTelemetry?: { traces?: { enabled?: boolean } } };
  if (c && '_tracer' in c) return c._tracer !== undefined;
  return c?.openTelemetry?.traces?.enabled === true;
}

function wrapMessagesCreate(original: (this: unknown, ...args: unknown[]) => unknown) {
  return function create(this: unknown, ...args: unknown[]): unknown {
    const body = args[0] as Body | undefined;
    const client = (this as { _client?: unknown })._client;
    if (!body || typeof body !== 'object' || typeof body.model !== 'string') {
      return original.apply(this, args);
    }
    if (safely('detecting SDK tracing', () => sdkTracesItself(client))) {
      return original.apply(this, args);
    }
    const input = body.system ? [body.system, body.messages] : body.messages;
    return runInstrumented(
      {
        provider: 'anthropic',
        model: body.model,
        operation: GEN_AI_OPERATION.CHAT,
        input,
        attributes: requestAttributes(client, body),
      },
      messagesReader(),
      () => original.apply(this, args),
    );
  };
}

/**
 * Instruments `@anthropic-ai/sdk` messages.create, streamed or not (`messages.stream()` goes
 * through it). Pass a client, the `Anthropic` class or the module. Returns the undo.
 */
export function instrumentAnthropic(target: unknown): () => void {
  // biome-ignore lint/suspicious/noExplicitAny: duck-typing an SDK client, class or module of any version
  const t = target as Record<string, any> | undefined;
  const proto = t?.messages
    ? Object.getPrototypeOf(t.messages)
    : (t?.Messages ?? t?.Anthropic?.Messages ?? t?.default?.Messages)?.prototype;
  if (!proto) {
    diag.error('spanledger: instrumentAnthropic: not an Anthropic client, class or module');
    return () => {};
  }
  return patchMethod(proto, 'create', wrapMessagesCreate);
}
