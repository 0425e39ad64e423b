import { GEN_AI_EMBEDDINGS_DIMENSION_COUNT, GEN_AI_OPERATION } from '../semconv/index.js';
import type { LlmSpan } from './llm-span.js';
import { type Body, type CallReader, requestAttributes, runInstrumented } from './openai-shared.js';

interface EmbeddingValue {
  model?: string;
  data?: Array<{ embedding?: unknown }>;
  usage?: { prompt_tokens?: number } | null;
}

const embeddingsReader: CallReader<unknown, unknown> = {
  onResult(llm: LlmSpan, value: unknown) {
    const result = value as EmbeddingValue;
    // Vectors are never hashed or captured: they can be inverted to approximate the text.
    llm.record({
      usage: result.usage ? { inputTokens: result.usage.prompt_tokens } : undefined,
      responseModel: result.model,
    });
    const first = result.data?.[0]?.embedding;
    if (Array.isArray(first))
      llm.span.setAttribute(GEN_AI_EMBEDDINGS_DIMENSION_COUNT, first.length);
  },
  onChunk: () => true,
};

/** Wraps `Embeddings.prototype.create`. */
export function wrapEmbeddingsCreate(original: (this: unknown, ...args: unknown[]) => unknown) {
  return function create(this: unknown, ...args: unknown[]): unknown {
    const body = args[0] as Body | undefined;
    if (!body || typeof body !== 'object' || typeof body.model !== 'string') {
      return original.apply(this, args);
    }
    return runInstrumented(
      {
        provider: 'openai',
        model: body.model,
        operation: GEN_AI_OPERATION.EMBEDDINGS,
        input: body.input,
        attributes: requestAttributes((this as { _client?: unknown })._client, body),
      },
      embeddingsReader,
      () => original.apply(this, args),
    );
  };
}
