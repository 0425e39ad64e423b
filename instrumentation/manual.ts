import { context } from '@opentelemetry/api';
import { recordError, safely } from './errors.js';
import { LlmSpan } from './llm-span.js';
import { contextWith, recordToolResult, startToolSpan } from './tool-span.js';
import type { LlmCallMeta, LlmCallOutcome, ToolCallMeta } from './types.js';
import { wrapAsyncIterator } from './wrap-iterator.js';

/** Handed to the traced function so it can say what the call returned. */
export interface LlmCallRecorder {
  /** Usage, response model and id, finish reasons, output; may be called more than once. */
  record(outcome: LlmCallOutcome): void;
  /** Streamed completion text, for the output digest and estimates. */
  appendOutputText(text: string | undefined | null): void;
}

const NOOP_RECORDER: LlmCallRecorder = { record() {}, appendOutputText() {} };

function recorderOf(llm: LlmSpan | undefined): LlmCallRecorder {
  if (!llm) return NOOP_RECORDER;
  return {
    record: (outcome) => safely('recording an outcome', () => llm.record(outcome)),
    appendOutputText: (text) => safely('recording output', () => llm.appendOutputText(text)),
  };
}

/**
 * Traces one model call of any provider: a `{operation} {model}` CLIENT span with the GenAI
 * attributes, the audit context and digests. `fn` runs inside the span and reports the outcome
 * through the recorder, or `describe` derives it from the result. The app's errors are re-thrown
 * unchanged; tracing failures are logged, never thrown.
 */
export async function traceLlmCall<T>(
  meta: LlmCallMeta,
  fn: (call: LlmCallRecorder) => Promise<T> | T,
  describe?: (result: T) => LlmCallOutcome,
): Promise<T> {
  const llm = LlmSpan.start(meta);
  const recorder = recorderOf(llm);
  let result: T;
  try {
    result = await context.with(llm?.context ?? context.active(), () => fn(recorder));
  } catch (error) {
    llm?.fail(error);
    throw error;
  }
  if (describe) safely('describing a result', () => recorder.record(describe(result)));
  llm?.end();
  return result;
}

/**
 * Traces a streamed model call: `start` opens the stream inside the span; `onChunk` sees every
 * chunk and records usage and text. The returned iterable yields exactly the source's chunks;
 * the span ends when the stream ends, fails, or the consumer stops (`termination_reason`
 * `aborted`, keeping the usage seen so far).
 */
export async function traceLlmStream<C>(
  meta: LlmCallMeta,
  start: (call: LlmCallRecorder) => Promise<AsyncIterable<C>> | AsyncIterable<C>,
  onChunk?: (chunk: C, call: LlmCallRecorder) => void,
): Promise<AsyncIterable<C>> {
  const llm = LlmSpan.start(meta);
  const recorder = recorderOf(llm);
  let source: AsyncIterable<C>;
  try {
    source = await context.with(llm?.context ?? context.active(), () => start(recorder));
  } catch (error) {
    llm?.fail(error);
    throw error;
  }
  if (!llm) return source;
  return {
    [Symbol.asyncIterator]: () =>
      wrapAsyncIterator(source[Symbol.asyncIterator](), {
        onItem: (chunk) => {
          onChunk?.(chunk, recorder);
          return true;
        },
        onDone: () => llm.end(),
        onError: (error) => llm.fail(error),
        onReturn: () => llm.abort(),
      }),
  };
}

/**
 * Traces one tool execution: an `execute_tool {name}` span with gen_ai.tool.name, the call id,
 * digests of arguments and result, and redacted arguments only when content capture is on.
 */
export async function traceToolCall<T>(meta: ToolCallMeta, fn: () => Promise<T> | T): Promise<T> {
  const span = startToolSpan(meta);
  let result: T;
  try {
    result = await context.with(contextWith(span), fn);
  } catch (error) {
    if (span) {
      recordError(span, error);
      safely('ending a tool span', () => span.end());
    }
    throw error;
  }
  if (span) {
    recordToolResult(span, result);
    safely('ending a tool span', () => span.end());
  }
  return result;
}
