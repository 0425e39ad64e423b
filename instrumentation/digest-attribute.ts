import type { Span } from '@opentelemetry/api';
import { contentText, digestText } from './privacy.js';

/**
 * Content up to this many UTF-16 code units has its HMAC computed when the span is exported
 * rather than during the call. Larger content is hashed at once: a span waiting in the batch
 * queue must not hold a large prompt in memory (2,048 queued spans × 8 Ki code units ≈ 32 MiB
 * at worst).
 */
export const DEFER_DIGEST_MAX_LENGTH = 8 * 1024;

/** The SDK span's own attribute record (sdk-trace-base SpanImpl.attributes). */
function attributeRecord(span: Span): Record<string, unknown> | undefined {
  const attributes = (span as { attributes?: unknown }).attributes;
  return attributes !== null && typeof attributes === 'object' && Object.isExtensible(attributes)
    ? (attributes as Record<string, unknown>)
    : undefined;
}

/**
 * Sets `attribute` to the HMAC digest of `value`. The text is taken now (so an app that changes
 * its messages array after the call does not change the digest), but the HMAC, about half of the
 * instrumentation's cost per call, runs when the attribute is first read: by the exporter in the
 * batch processor's background work, off the app's call path. The attribute is an ordinary
 * enumerable property to every reader (OTLP, Postgres, InMemorySpanExporter, span processors).
 * Spans that are not recording (sampled out, no SDK) get no digest and cost nothing.
 */
export function setDigestAttribute(
  span: Span,
  attribute: string,
  value: unknown,
  hashKey: string,
): void {
  if (!span.isRecording()) return;
  const text = contentText(value);
  const record = attributeRecord(span);
  if (!record || text.length > DEFER_DIGEST_MAX_LENGTH) {
    span.setAttribute(attribute, digestText(text, hashKey));
    return;
  }
  const settle = (digest: unknown) => {
    Object.defineProperty(record, attribute, {
      value: digest,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    return digest;
  };
  Object.defineProperty(record, attribute, {
    enumerable: true,
    configurable: true,
    get: () => settle(digestText(text, hashKey)),
    set: settle,
  });
}
