import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { auditAttributes, getAuditContext } from './audit-context.js';

/**
 * Stamps the audit context on every span when it starts, including spans that other
 * instrumentations create (the Anthropic SDK's own spans, the Vercel AI SDK's), which our
 * wrappers never see. Attributes a span already set are left alone.
 */
export class AuditContextSpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const attributes = auditAttributes(getAuditContext(parentContext));
    for (const [key, value] of Object.entries(attributes)) {
      if (value !== undefined && span.attributes[key] === undefined) span.setAttribute(key, value);
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
