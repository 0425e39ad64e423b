import { GEN_AI_OPERATION } from '../semconv/index.js';
import type { LlmSpan } from './llm-span.js';
import { type Body, type CallReader, requestAttributes, runInstrumented } from './openai-shared.js';
import type { LlmCallOutcome, LlmUsage } from './types.js';

interface ResponsesUsage {
  input_tokens?: number;
  output_tokens?: number;
  input_tokens_details?: { cached_tokens?: number } | null;
  output_tokens_details?: { reasoning_tokens?: number } | null;
}

interface OutputItem {
  type?: string;
  call_id?: string;
  name?: string;
}

interface ResponseValue {
  id?: string;
  model?: string;
  status?: string;
  incomplete_details?: { reason?: string } | null;
  output?: OutputItem[];
  output_text?: string;
  usage?: ResponsesUsage | null;
}

interface ResponseEvent {
  type?: string;
  delta?: unknown;
  response?: ResponseValue;
}

function responsesUsage(usage: ResponsesUsage | null | undefined): LlmUsage | undefined {
  if (!usage) return undefined;
  return {
    inputTokens: usage.input_tokens,
    outputTokens: usage.output_tokens,
    cacheReadInputTokens: usage.input_tokens_details?.cached_tokens,
    reasoningTokens: usage.output_tokens_details?.reasoning_tokens,
  };
}

/** The Responses API has a status, not finish reasons: map it to the chat vocabulary. */
function outcomeOf(response: ResponseValue): LlmCallOutcome {
  const calls = (response.output ?? []).filter((item) => item.type === 'function_call');
  let reason: string | undefined;
  if (calls.length) reason = 'tool_calls';
  else if (response.status === 'incomplete') {
    reason = response.incomplete_details?.reason === 'content_filter' ? 'content_filter' : 'length';
  } else if (response.status === 'completed') reason = 'stop';
  return {
    usage: responsesUsage(response.usage),
    responseModel: response.model,
    responseId: response.id,
    finishReasons: reason ? [reason] : undefined,
    toolCalls: calls.map((call) => ({ id: call.call_id, name: call.name })),
    output: response.output_text ?? response.output,
  };
}

const responsesReader: CallReader<unknown, unknown> = {
  onResult(llm: LlmSpan, value: unknown) {
    llm.record(outcomeOf(value as ResponseValue));
  },
  onChunk(llm: LlmSpan, value: unknown) {
    const event = value as ResponseEvent;
    if (event.type === 'response.output_text.delta' && typeof event.delta === 'string') {
      llm.appendOutputText(event.delta);
    } else if (event.response) {
      const { output: _output, ...outcome } = outcomeOf(event.response);
      llm.record(outcome);
    }
    return true;
  },
};

/** Wraps `Responses.prototype.create`. */
export function wrapResponsesCreate(original: (this: unknown, ...args: unknown[]) => unknown) {
  return function create(this: unknown, ...args: unknown[]): unknown {
    const body = args[0] as Body | undefined;
    if (!body || typeof body !== 'object' || typeof body.model !== 'string') {
      return original.apply(this, args);
    }
    const input = body.instructions ? [body.instructions, body.input] : body.input;
    return runInstrumented(
      {
        provider: 'openai',
        model: body.model,
        operation: GEN_AI_OPERATION.CHAT,
        input,
        attributes: requestAttributes((this as { _client?: unknown })._client, body),
      },
      responsesReader,
      () => original.apply(this, args),
    );
  };
}
