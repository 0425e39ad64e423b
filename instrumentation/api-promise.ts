import { logFailure } from './errors.js';

/** The Stainless APIPromise surface both the OpenAI and Anthropic SDKs share (v4+ / 0.2x+). */
interface StainlessPromise<T> extends PromiseLike<T> {
  _thenUnwrap<U>(transform: (data: T, props: unknown) => U): StainlessPromise<U>;
  asResponse(): Promise<unknown>;
}

/**
 * The two instance fields every Stainless APIPromise has had since openai v4 / @anthropic-ai/sdk
 * 0.2x: the pending HTTP response, and the parser that `parse()` (and so `then`, `withResponse`,
 * `_thenUnwrap`) runs on it once. TypeScript-private in v4, public since v5; plain properties in
 * every version.
 */
interface StainlessInternals {
  responsePromise: PromiseLike<unknown>;
  parseResponse: (this: unknown, ...args: unknown[]) => unknown;
}

function isStainless<T>(value: unknown): value is StainlessPromise<T> {
  const candidate = value as Partial<StainlessPromise<T>> | null;
  return typeof candidate?._thenUnwrap === 'function' && typeof candidate.asResponse === 'function';
}

function hasInternals(value: object): value is StainlessInternals {
  const candidate = value as Partial<StainlessInternals>;
  return (
    typeof candidate.parseResponse === 'function' &&
    typeof candidate.responsePromise?.then === 'function' &&
    Object.isExtensible(value)
  );
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/** How a call ends, as far as its promise tells. */
export interface PromiseObserver<T> {
  /** Sees the parsed value; returns what the app gets (the same object, possibly patched). */
  onValue(value: T): T;
  onError(error: unknown): void;
}

/**
 * Observes an SDK call without changing what the app holds: an APIPromise stays the very same
 * APIPromise (`.withResponse()`, `.asResponse()`, `_request_id` keep working, and nothing reads
 * the body unless the app does).
 *
 * The fast path wraps the promise's own `parseResponse` in place: the SDK calls it exactly once,
 * when the app first awaits, so success (and a body that fails to parse) is seen there, and a
 * failed request (HTTP 4xx/5xx, network, abort) is seen on `responsePromise`. This adds one
 * promise per call. The fallback, for an APIPromise without those fields, chains `_thenUnwrap`
 * (a second APIPromise and an async step per call, which profiled at ~8 µs on the call path).
 */
export function observeApiPromise<T, P>(promise: P, observer: PromiseObserver<T>): P {
  const onValue = (value: T) => {
    try {
      return observer.onValue(value) ?? value;
    } catch (error) {
      logFailure('observing a result', error);
      return value;
    }
  };
  const onError = (error: unknown) => {
    try {
      observer.onError(error);
    } catch (failure) {
      logFailure('observing a failure', failure);
    }
  };
  // Sees a failure, then passes the app's own error on unchanged.
  const onRejected = (error: unknown): never => {
    onError(error);
    throw error;
  };
  if (isStainless<T>(promise)) {
    if (hasInternals(promise)) {
      const parse = promise.parseResponse;
      promise.parseResponse = function observedParse(this: unknown, ...args: unknown[]) {
        let parsed: unknown;
        try {
          parsed = parse.apply(this, args);
        } catch (error) {
          onRejected(error);
        }
        if (!isThenable(parsed)) return onValue(parsed as T);
        return parsed.then(onValue as (value: unknown) => T, onRejected);
      };
      // A handler on the response promise only observes: the app's own await still rejects.
      promise.responsePromise.then(undefined, onError);
      return promise;
    }
    promise.asResponse().then(undefined, onError);
    return promise._thenUnwrap(onValue) as unknown as P;
  }
  if (isThenable(promise)) {
    return promise.then(onValue as (value: unknown) => T, onRejected) as unknown as P;
  }
  return promise;
}
