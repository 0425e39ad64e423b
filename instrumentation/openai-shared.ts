import { type Attributes, context } from '@opentelemetry/api';
import {
  GEN_AI_REQUEST_MAX_TOKENS,
  GEN_AI_REQUEST_STREAM,
  GEN_AI_REQUEST_TEMPERATURE,
  SERVER_ADDRESS,
} from '../semconv/index.js';
import { observeApiPromise, type PromiseObserver } from './api-promise.js';
import { isAbortError, logFailure } from './errors.js';
import { LlmSpan } from './llm-span.js';
import { hostOf } from './patch.js';
import type { LlmCallMeta } from './types.js';
import { wrapAsyncIterator } from './wrap-iterator.js';

/** A request body as the SDKs take it. */
export type Body = Record<string, unknown>;

/** Request attributes shared by the OpenAI and Anthropic wrappers. */
export function requestAttributes(client: unknown, body: Body): Attributes {
  const attributes: Attributes = {};
  const host = hostOf((client as { baseURL?: unknown } | undefined)?.baseURL);
  if (host) attributes[SERVER_ADDRESS] = host;
  if (body.stream === true) attributes[GEN_AI_REQUEST_STREAM] = true;
  if (typeof body.temperature === 'number')
    attributes[GEN_AI_REQUEST_TEMPERATURE] = body.temperature;
  const maxTokens = body.max_tokens ?? body.max_completion_tokens ?? body.max_output_tokens;
  if (typeof maxTokens === 'number') attributes[GEN_AI_REQUEST_MAX_TOKENS] = maxTokens;
  return attributes;
}

/** How a provider's streamed chunks and final values are read. */
export interface CallReader<V, C> {
  /** Records a non-streamed result. */
  onResult(llm: LlmSpan, value: V): void;
  /** Records a chunk; returns false to hide it from the app. */
  onChunk(llm: LlmSpan, chunk: C): boolean | undefined;
}

interface SdkStream<C> {
  controller?: AbortController;
  iterator?: () => AsyncIterator<C>;
  [Symbol.asyncIterator]?: () => AsyncIterator<C>;
}

/**
 * Instruments the SDK's own Stream object in place: its `iterator` (which `for await`, `tee()`
 * and `toReadableStream()` all go through) yields the same chunks, and the span ends with the
 * stream: completed, failed, or aborted (consumer `break`, `controller.abort()`).
 */
export function instrumentStream<C>(
  stream: SdkStream<C>,
  llm: LlmSpan,
  read: CallReader<unknown, C>,
) {
  const hooks = {
    onItem: (chunk: C) => read.onChunk(llm, chunk),
    onDone: () => (stream.controller?.signal.aborted ? llm.abort() : llm.end()),
    onError: (error: unknown) => (isAbortError(error) ? llm.abort() : llm.fail(error)),
    onReturn: () => llm.abort(),
  };
  if (typeof stream.iterator === 'function') {
    const original = stream.iterator.bind(stream);
    stream.iterator = () => wrapAsyncIterator(original(), hooks);
  } else if (typeof stream[Symbol.asyncIterator] === 'function') {
    const original = stream[Symbol.asyncIterator]!.bind(stream);
    stream[Symbol.asyncIterator] = () => wrapAsyncIterator(original(), hooks);
  } else {
    llm.end();
  }
  return stream;
}

function isStream(value: unknown): value is SdkStream<unknown> {
  return typeof (value as SdkStream<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

/**
 * Runs an SDK method inside an LLM span and observes its APIPromise. `original` is called with
 * the (possibly adjusted) body; if the span cannot start, the app gets the plain call.
 * `meta.attributes` must be an object made for this call: the span's attributes are added to it.
 */
export function runInstrumented(
  meta: LlmCallMeta,
  read: CallReader<unknown, unknown>,
  call: () => unknown,
): unknown {
  // Every wrapper builds `meta.attributes` for this call (requestAttributes): no copy needed.
  const llm = LlmSpan.start(meta, context.active(), true);
  if (!llm) return call();
  let promise: unknown;
  try {
    promise = context.with(llm.context, call);
  } catch (error) {
    llm.fail(error);
    throw error;
  }
  return observeApiPromise<unknown, unknown>(promise, new CallObserver(llm, read));
}

/** Ends an instrumented call's span from its promise: one object per call, no closures. */
class CallObserver implements PromiseObserver<unknown> {
  constructor(
    private readonly llm: LlmSpan,
    private readonly read: CallReader<unknown, unknown>,
  ) {}

  onValue(value: unknown): unknown {
    const llm = this.llm;
    if (isStream(value)) return instrumentStream(value, llm, this.read);
    try {
      this.read.onResult(llm, value);
    } catch (error) {
      logFailure('reading a result', error);
    }
    llm.end();
    return value;
  }

  onError(error: unknown): void {
    if (isAbortError(error)) this.llm.abort();
    else this.llm.fail(error);
  }
}
