import { digestText } from './digest.js';
import { addFlag } from './flags.js';
import { redactFreeText } from './redact.js';
import { sanitizeString } from './sanitize.js';

/**
 * What instrumentations name spans: one to three words of identifier characters, such as
 * `chat gpt-4o`, `execute_tool get_weather`, `tools/call add`, `ai.generateText.doGenerate`,
 * `OpenAI Chat Completions`, `ChatOpenAI`. A sentence, a question or anything with other
 * punctuation is not a name and may be a prompt (LangChain run names and hand-made spans are
 * whatever the app passes).
 */
const NAME_SHAPE = /^[A-Za-z0-9_.:/@#+-]+(?: [A-Za-z0-9_.:/@#+-]+){0,2}$/;
const MAX_NAME_LENGTH = 128;

/** Whether `name` is shaped like a span name rather than free text. */
export function isNameShaped(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME_SHAPE.test(name);
}

/** What the span-name rule needs from the transform options. */
export interface SpanNameOptions {
  captureContent: boolean;
  hashKey: string;
  maxStringLength: number;
}

/**
 * The span_name column: secrets and e-mail addresses redacted; with capture off, a name that is
 * not shaped like one ({@link isNameShaped}) is stored as its digest (flag 'digested').
 */
export function storedSpanName(
  name: string | undefined | null,
  options: SpanNameOptions,
  flags: string[],
): string | null {
  if (typeof name !== 'string') return null;
  if (!options.captureContent && !isNameShaped(name)) {
    addFlag(flags, 'digested');
    return digestText(options.hashKey, name);
  }
  return sanitizeString(redactFreeText(name, flags), options.maxStringLength, flags);
}
