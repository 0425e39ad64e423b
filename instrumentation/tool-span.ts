import { type Attributes, context, type Span, SpanKind, trace } from '@opentelemetry/api';
import {
  GEN_AI_OPERATION,
  GEN_AI_OPERATION_NAME,
  GEN_AI_TOOL_CALL_ARGUMENTS,
  GEN_AI_TOOL_CALL_ID,
  GEN_AI_TOOL_CALL_RESULT,
  GEN_AI_TOOL_NAME,
  SPANLEDGER_INPUT_HASH,
  SPANLEDGER_OUTPUT_HASH,
} from '../semconv/index.js';
import { auditAttributes, getAuditContext } from './audit-context.js';
import { instrumentationOptions } from './config.js';
import { setDigestAttribute } from './digest-attribute.js';
import { safely } from './errors.js';
import { contentText, digest, redactValue } from './privacy.js';
import { getTracer } from './tracer.js';
import type { ToolCallMeta } from './types.js';

/** Arguments as span attributes: digest always; redacted text only when content is captured. */
export function argumentAttributes(args: unknown): Attributes {
  if (args === undefined) return {};
  const options = instrumentationOptions();
  const attributes: Attributes = { [SPANLEDGER_INPUT_HASH]: digest(args, options.hashKey) };
  if (options.captureMessageContent) {
    attributes[GEN_AI_TOOL_CALL_ARGUMENTS] = contentText(redactValue(args));
  }
  return attributes;
}

/** Sets the result digest (and the redacted result when content is captured). */
export function recordToolResult(span: Span, result: unknown): void {
  safely('recording a tool result', () => {
    if (result === undefined) return;
    const options = instrumentationOptions();
    setDigestAttribute(span, SPANLEDGER_OUTPUT_HASH, result, options.hashKey);
    if (options.captureMessageContent) {
      span.setAttribute(GEN_AI_TOOL_CALL_RESULT, contentText(redactValue(result)));
    }
  });
}

/** Starts an `execute_tool {name}` span under the active context; undefined if that fails. */
export function startToolSpan(meta: ToolCallMeta): Span | undefined {
  return safely('starting a tool span', () => {
    const parent = context.active();
    // Object.assign, not a spread followed by computed keys (a slow path in V8).
    const attributes: Attributes = Object.assign(
      {},
      meta.attributes,
      auditAttributes(getAuditContext(parent)),
      argumentAttributes(meta.arguments),
    );
    attributes[GEN_AI_OPERATION_NAME] = GEN_AI_OPERATION.EXECUTE_TOOL;
    attributes[GEN_AI_TOOL_NAME] = meta.name;
    if (meta.callId) attributes[GEN_AI_TOOL_CALL_ID] = meta.callId;
    return getTracer().startSpan(
      `${GEN_AI_OPERATION.EXECUTE_TOOL} ${meta.name}`,
      { kind: SpanKind.INTERNAL, attributes },
      parent,
    );
  });
}

/** The active context with `span` set, or the active context itself without a span. */
export function contextWith(span: Span | undefined) {
  return span ? trace.setSpan(context.active(), span) : context.active();
}
