import { MEDIA_TYPES, type OtlpEncoding } from '../otlp/index.js';
import { parseRetryAfter } from './backoff.js';

/** What one POST to a forward target came to. */
export type SendResult =
  | { kind: 'ok' }
  | { kind: 'retry'; reason: string; retryAfterMs?: number | undefined }
  | { kind: 'permanent'; reason: string };

/** Statuses OTLP/HTTP says to retry; every other failure status is final. */
const RETRYABLE = new Set([429, 502, 503, 504]);

export interface SendOptions {
  url: string;
  headers: Readonly<Record<string, string>>;
  timeoutMs: number;
  /** Aborts the request at shutdown. */
  signal: AbortSignal;
}

/** POSTs one OTLP body (already compressed when `gzipped`); never throws. */
export async function sendBatch(
  payload: Buffer,
  encoding: OtlpEncoding,
  gzipped: boolean,
  options: SendOptions,
): Promise<SendResult> {
  const headers: Record<string, string> = {
    ...options.headers,
    'content-type': MEDIA_TYPES[encoding],
  };
  if (gzipped) headers['content-encoding'] = 'gzip';
  try {
    const response = await fetch(options.url, {
      method: 'POST',
      headers,
      body: payload,
      signal: AbortSignal.any([AbortSignal.timeout(options.timeoutMs), options.signal]),
    });
    // The body is not needed; cancelling it frees the connection for the next batch.
    await response.body?.cancel().catch(() => {});
    if (response.ok) return { kind: 'ok' };
    const reason = `HTTP ${response.status}`;
    if (!RETRYABLE.has(response.status)) return { kind: 'permanent', reason };
    return {
      kind: 'retry',
      reason,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const reason =
      e.name === 'TimeoutError'
        ? `no response within ${options.timeoutMs} ms`
        : `${e.cause?.code ?? e.name}: ${e.message}`;
    return { kind: 'retry', reason };
  }
}
