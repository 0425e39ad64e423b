import { safely } from './errors.js';

/** The Stainless APIPromise surface both the OpenAI and Anthropic SDKs share (v4+ / 0.2x+). */
interface StainlessPromise<T> extends PromiseLike<T> {
  _thenUnwrap<U>(transform: (data: T, props: unknown) => U): StainlessPromise<U>;
  asResponse(): Promise<unknown>;
}

function isStainless<T>(value: unknown): value is StainlessPromise<T> {
  const candidate = value as Partial<StainlessPromise<T>> | null;
  return typeof candidate?._thenUnwrap === 'function' && typeof candidate.asResponse === 'function';
}

/** How a call ends, as far as its promise tells. */
export interface PromiseObserver<T> {
  /** Sees the parsed value; returns what the app gets (the same object, possibly patched). */
  onValue(value: T): T;
  onError(error: unknown): void;
}

/**
 * Observes an SDK call without changing what the app holds: an APIPromise stays an APIPromise
 * (`.withResponse()`, `.asResponse()`, `_request_id` keep working). Success is seen through
 * `_thenUnwrap`, which parses the body once (calling `.then` on the original as well would parse
 * it twice and break streams); failures through `asResponse()`, which never reads the body.
 */
export function observeApiPromise<T, P>(promise: P, observer: PromiseObserver<T>): P {
  const onValue = (value: T) =>
    safely('observing a result', () => observer.onValue(value)) ?? value;
  if (isStainless<T>(promise)) {
    promise.asResponse().then(undefined, (error: unknown) => observer.onError(error));
    return promise._thenUnwrap(onValue) as unknown as P;
  }
  if (typeof (promise as PromiseLike<T> | null)?.then === 'function') {
    return (promise as unknown as PromiseLike<T>).then(onValue, (error: unknown) => {
      observer.onError(error);
      throw error;
    }) as unknown as P;
  }
  return promise;
}
