/** Retry settings of one forward target, in milliseconds (0 max elapsed: no limit). */
export interface RetryPolicy {
  enabled: boolean;
  initialIntervalMs: number;
  maxIntervalMs: number;
  maxElapsedMs: number;
}

/**
 * Exponential backoff with ±50% jitter (the OTel Collector's randomization factor), so targets
 * recovering from an outage are not hit by every queued batch at the same instant.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random = Math.random): number {
  const base = Math.min(policy.initialIntervalMs * 2 ** attempt, policy.maxIntervalMs);
  return Math.round(base * (0.5 + random()));
}

/** Retry-After as seconds or an HTTP date → milliseconds from `now`; undefined when absent or bad. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Waits `ms`, or less when `signal` aborts (shutdown); never rejects. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
