import { diag, type Span, SpanStatusCode } from '@opentelemetry/api';
import {
  ERROR_TYPE,
  HTTP_RESPONSE_STATUS_CODE,
  SPANLEDGER_TERMINATION_REASON,
  TERMINATION_REASON,
} from '../semconv/index.js';

/** Logs an instrumentation failure to the diag logger (the app never sees it). */
export function logFailure(what: string, error: unknown): void {
  diag.error(`spanledger: ${what} failed`, error);
}

/**
 * Runs an instrumentation step; a failure is logged to the diag logger, never thrown. The per-call
 * hot path (span start and end, result reading) uses try/catch with {@link logFailure} directly
 * instead: a closure per step is an allocation on every LLM call.
 */
export function safely<T>(what: string, step: () => T): T | undefined {
  try {
    return step();
  } catch (error) {
    logFailure(what, error);
    return undefined;
  }
}

function errorName(error: unknown): string {
  if (error instanceof Error) {
    const ctor = error.constructor?.name;
    return ctor && ctor !== 'Error' ? ctor : error.name || 'Error';
  }
  return '_OTHER';
}

/** Whether the error is a cancellation (AbortController, SDK user-abort errors). */
export function isAbortError(error: unknown): boolean {
  const name = error instanceof Error ? `${error.name} ${errorName(error)}` : '';
  return /abort|cancel/i.test(name);
}

function isTimeoutError(error: unknown): boolean {
  const name = error instanceof Error ? `${error.name} ${errorName(error)}` : '';
  return /timeout|timed ?out/i.test(name);
}

/** The HTTP status an SDK error carries (OpenAI and Anthropic APIError: `status`). */
export function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 100 && status <= 999 ? status : undefined;
}

/**
 * Marks the span failed with error.type (the error's class, e.g. RateLimitError), the HTTP
 * status and the termination reason; the exception event gives the message.
 */
export function recordError(span: Span, error: unknown): void {
  safely('recording an error', () => {
    span.setAttribute(ERROR_TYPE, errorName(error));
    const status = httpStatusOf(error);
    if (status !== undefined) span.setAttribute(HTTP_RESPONSE_STATUS_CODE, status);
    const reason = isAbortError(error)
      ? TERMINATION_REASON.ABORTED
      : isTimeoutError(error)
        ? TERMINATION_REASON.TIMEOUT
        : TERMINATION_REASON.ERROR;
    span.setAttribute(SPANLEDGER_TERMINATION_REASON, reason);
    if (error instanceof Error) span.recordException(error);
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
  });
}
