import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AUDIT_ATTRIBUTE_KEYS, getAuditContext } from './audit-context.js';
import { INSTRUMENTATION_SCOPE } from './tracer.js';

/**
 * Stamps the audit context on every span when it starts, including spans that other
 * instrumentations create (the Anthropic SDK's own spans, the Vercel AI SDK's), which our
 * wrappers never see. Attributes a span already set are left alone. spanledger's own spans are
 * skipped: every one of them is started with the audit attributes of the same parent context.
 */
export class AuditContextSpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    if (span.instrumentationScope.name === INSTRUMENTATION_SCOPE) return;
    // Straight from the context, no intermediate object: this runs for every span of the process.
    const audit = getAuditContext(parentContext);
    if (!audit) return;
    for (const [field, key] of AUDIT_ATTRIBUTE_KEYS) {
      const value = audit[field];
      // Attributes a wrapper or the app already set win.
      if (value && span.attributes[key] === undefined) span.setAttribute(key, value);
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
