import { Agent, fetch as undiciFetch } from 'undici';
import type { ResolvedTarget } from './target-guard.js';

/** A fetch bound to one resolved address; also returns a close() for its connection pool. */
export interface PinnedFetch {
  fetch: typeof globalThis.fetch;
  close(): Promise<void>;
}

/**
 * fetch() whose every connection goes to `target.address` (TLS still verifies the original
 * host name), never follows redirects, and refuses response bodies over `maxBytes`.
 */
export function createPinnedFetch(target: ResolvedTarget, maxBytes: number): PinnedFetch {
  const agent = new Agent({
    connect: {
      // Node may ask for all addresses (autoSelectFamily); answer in the form it asked for.
      lookup: ((
        _hostname: string,
        options: { all?: boolean },
        callback: (...args: unknown[]) => void,
      ) =>
        options?.all
          ? callback(null, [{ address: target.address, family: target.family }])
          : callback(null, target.address, target.family)) as never,
    },
    maxResponseSize: maxBytes,
  });
  const pinned = ((input: string | URL, init?: RequestInit) =>
    undiciFetch(
      input as never,
      {
        ...(init as object),
        redirect: 'manual',
        dispatcher: agent,
      } as never,
    )) as unknown as typeof globalThis.fetch;
  return { fetch: pinned, close: () => agent.close() };
}
