import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  SPANLEDGER_REQUEST_ID,
  SPANLEDGER_SESSION_ID,
  SPANLEDGER_TENANT_ID,
  SPANLEDGER_USER_ID,
} from '../semconv/index.js';
import { getAuditContext } from './audit-context.js';

/** Sets `key` unless the span already has it (a wrapper or the app set it explicitly). */
function stamp(span: Span, key: string, value: string | undefined) {
  if (value && span.attributes[key] === undefined) span.setAttribute(key, value);
}

/**
 * Stamps the audit context on every span when it starts, including spans that other
 * instrumentations create (the Anthropic SDK's own spans, the Vercel AI SDK's), which our
 * wrappers never see. Attributes a span already set are left alone.
 */
export class AuditContextSpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    // Field by field, no intermediate object: this runs for every span of the process.
    const audit = getAuditContext(parentContext);
    if (!audit) return;
    stamp(span, SPANLEDGER_TENANT_ID, audit.tenantId);
    stamp(span, SPANLEDGER_USER_ID, audit.userId);
    stamp(span, SPANLEDGER_SESSION_ID, audit.sessionId);
    stamp(span, SPANLEDGER_REQUEST_ID, audit.requestId);
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
