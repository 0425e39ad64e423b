import { diag } from '@opentelemetry/api';

const ORIGINAL = Symbol.for('spanledger.original');

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Replaces `owner[name]` with `wrap(original)` once (a second call is a no-op) and returns the
 * undo. Works on prototypes, so every client built from that class is instrumented.
 */
export function patchMethod(
  owner: object | undefined,
  name: string,
  wrap: (original: AnyFunction) => AnyFunction,
): () => void {
  const target = owner as Record<string, unknown> | undefined;
  const original = target?.[name];
  if (!target || typeof original !== 'function') {
    diag.debug(`spanledger: nothing to patch at ${name}`);
    return () => {};
  }
  if ((original as unknown as Record<symbol, unknown>)[ORIGINAL]) return () => {};
  const wrapped = wrap(original as AnyFunction);
  Object.defineProperty(wrapped, ORIGINAL, { value: original });
  target[name] = wrapped;
  return () => {
    if (target[name] === wrapped) target[name] = original;
  };
}

// A service talks to one or two base URLs; parsing one per call would cost more than the rest of
// the request attributes together.
let hostCache: { url: string; host: string | undefined } | undefined;

/** The host of an SDK client's base URL, for server.address. */
export function hostOf(baseURL: unknown): string | undefined {
  if (typeof baseURL !== 'string') return undefined;
  if (hostCache?.url === baseURL) return hostCache.host;
  let host: string | undefined;
  try {
    host = new URL(baseURL).hostname;
  } catch {
    host = undefined;
  }
  hostCache = { url: baseURL, host };
  return host;
}
