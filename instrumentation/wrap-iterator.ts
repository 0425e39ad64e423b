import { safely } from './errors.js';

/** What a wrapped iterator reports; each hook runs guarded, so it cannot break iteration. */
export interface IteratorHooks<T> {
  /** Sees every item; return false to hide it from the consumer (e.g. a usage-only chunk). */
  onItem(item: T): boolean | undefined;
  /** The source ended normally. */
  onDone(): void;
  /** The source failed; the error is re-thrown to the consumer unchanged. */
  onError(error: unknown): void;
  /** The consumer stopped early (`break`, `return()`). */
  onReturn(): void;
}

/**
 * An iterator yielding what `inner` yields (minus hidden items), reporting how iteration ends.
 * A plain object rather than an async generator, so `return()` reaches the source at once
 * (closing its HTTP body) even while a `next()` is pending.
 */
export function wrapAsyncIterator<T>(
  inner: AsyncIterator<T>,
  hooks: IteratorHooks<T>,
): AsyncIterableIterator<T> {
  const wrapped: AsyncIterableIterator<T> = {
    async next(...args: [] | [undefined]) {
      for (;;) {
        let result: IteratorResult<T>;
        try {
          result = await inner.next(...args);
        } catch (error) {
          safely('observing a stream error', () => hooks.onError(error));
          throw error;
        }
        if (result.done) {
          safely('observing a stream end', () => hooks.onDone());
          return result;
        }
        const item = result.value;
        if (safely('observing a stream item', () => hooks.onItem(item)) !== false) return result;
      }
    },
    async return(value?: unknown) {
      safely('observing a stream return', () => hooks.onReturn());
      if (typeof inner.return === 'function') return inner.return(value as T);
      return { done: true, value: value as T };
    },
    async throw(error?: unknown) {
      safely('observing a stream throw', () => hooks.onError(error));
      if (typeof inner.throw === 'function') return inner.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return wrapped;
    },
  };
  return wrapped;
}
