import { safely } from './errors.js';
import { wrapChatCreate } from './openai-chat.js';
import { wrapEmbeddingsCreate } from './openai-embeddings.js';
import { wrapResponsesCreate } from './openai-responses.js';
import { patchMethod } from './patch.js';

type Resource = object | undefined;

interface OpenAIPrototypes {
  chat: Resource;
  responses: Resource;
  embeddings: Resource;
}

// biome-ignore lint/suspicious/noExplicitAny: duck-typing an SDK client, class or module of any version
type Loose = Record<string, any>;

function prototypesOf(target: unknown): OpenAIPrototypes | undefined {
  const t = target as Loose | undefined;
  if (!t) return undefined;
  if (t.chat?.completions) {
    // A client instance: patch its resources' classes, so every client of this module is covered.
    return {
      chat: Object.getPrototypeOf(t.chat.completions),
      responses: t.responses ? Object.getPrototypeOf(t.responses) : undefined,
      embeddings: t.embeddings ? Object.getPrototypeOf(t.embeddings) : undefined,
    };
  }
  const cls = t.Chat ? t : (t.OpenAI ?? t.default);
  if (cls?.Chat?.Completions) {
    return {
      chat: cls.Chat.Completions.prototype,
      responses: cls.Responses?.prototype,
      embeddings: cls.Embeddings?.prototype,
    };
  }
  return undefined;
}

/**
 * Instruments the `openai` package (v4–v6): chat completions, the Responses API and embeddings,
 * streamed or not. Pass a client, the `OpenAI` class or the module; patching is per module copy
 * and idempotent. Returns the undo.
 */
export function instrumentOpenAI(target: unknown): () => void {
  return (
    safely('instrumenting openai', () => {
      const prototypes = prototypesOf(target);
      if (!prototypes) throw new TypeError('not an OpenAI client, class or module');
      const undo = [
        patchMethod(prototypes.chat, 'create', wrapChatCreate),
        patchMethod(prototypes.responses, 'create', wrapResponsesCreate),
        patchMethod(prototypes.embeddings, 'create', wrapEmbeddingsCreate),
      ];
      return () => {
        for (const fn of undo) fn();
      };
    }) ?? (() => {})
  );
}
