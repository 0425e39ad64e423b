import type { Attributes } from '@opentelemetry/api';
import * as sc from '../../semconv/index.js';
import { firstString, readString } from './attribute-readers.js';
import type { OutputError } from './openllmetry-mcp.js';
import { redactFreeText } from './redact.js';
import type { SpanLike, SpanRow } from './rows.js';
import { sanitizeNullable, sanitizeString } from './sanitize.js';

/** error_message is for a human skimming an audit row, not for the full stack trace. */
export const ERROR_MESSAGE_MAX_LENGTH = 2048;
/** OTel SpanStatusCode.ERROR. */
const STATUS_ERROR = 2;
/** More choices than this is not a chat completion worth listing. */
const MAX_FINISH_REASONS = 16;

/** How the call ended: the row's outcome columns. */
export type Outcome = Pick<
  SpanRow,
  | 'status'
  | 'error_type'
  | 'error_message'
  | 'http_status'
  | 'finish_reasons'
  | 'termination_reason'
>;

/** Single-value finish reasons, by convention (the OTel array is read first). */
const SINGLE_FINISH_REASON_KEYS = [
  sc.AI_RESPONSE_FINISH_REASON,
  sc.AI_FINISH_REASON,
  sc.LLM_FINISH_REASON,
  sc.OPENLLMETRY_RESPONSE_FINISH_REASON,
  sc.LLM_RESPONSE_FINISH_REASON,
];

/** Finish reasons as reported: OTel's array, a single-value attribute, or OpenLLMetry's per choice. */
export function readFinishReasons(attributes: Attributes): string[] | null {
  const otel = attributes[sc.GEN_AI_RESPONSE_FINISH_REASONS];
  if (Array.isArray(otel)) {
    const reasons = otel.filter((r): r is string => typeof r === 'string' && r.length > 0);
    return reasons.length > 0 ? reasons.slice(0, MAX_FINISH_REASONS) : null;
  }
  if (typeof otel === 'string' && otel.length > 0) return [otel];
  const single = firstString(attributes, SINGLE_FINISH_REASON_KEYS);
  if (single !== undefined) return [single];
  const perChoice: string[] = [];
  for (let i = 0; i < MAX_FINISH_REASONS; i++) {
    const reason = readString(attributes, `${sc.GEN_AI_COMPLETION_PREFIX}${i}.finish_reason`);
    if (reason === undefined) break;
    perChoice.push(reason);
  }
  return perChoice.length > 0 ? perChoice : null;
}

/** Finish reasons across providers (OpenAI, Anthropic, Gemini, AI SDK) → termination_reason. */
const TERMINATION_BY_FINISH: ReadonlyMap<string, string> = new Map([
  ['stop', 'completed'],
  ['end_turn', 'completed'],
  ['stop_sequence', 'completed'],
  ['eos', 'completed'],
  ['length', 'length'],
  ['max_tokens', 'length'],
  ['model_context_window_exceeded', 'length'],
  ['content_filter', 'content_filter'],
  ['safety', 'content_filter'],
  ['recitation', 'content_filter'],
  ['blocklist', 'content_filter'],
  ['prohibited_content', 'content_filter'],
  ['spii', 'content_filter'],
  ['refusal', 'content_filter'],
  ['tool_calls', 'tool_calls'],
  ['tool_use', 'tool_calls'],
  ['function_call', 'tool_calls'],
]);

/** When choices end differently, the most notable ending is the one to report. */
const TERMINATION_PRIORITY = ['content_filter', 'length', 'tool_calls', 'completed'];

function terminationFromFinish(reasons: readonly string[]): string | undefined {
  let best: number | undefined;
  for (const reason of reasons) {
    // 'tool-calls', 'content-filter' (AI SDK) and 'MAX_TOKENS' (Gemini) are the same reasons.
    const mapped =
      TERMINATION_BY_FINISH.get(reason) ??
      TERMINATION_BY_FINISH.get(reason.toLowerCase().replaceAll('-', '_'));
    if (mapped === undefined) continue;
    const rank = TERMINATION_PRIORITY.indexOf(mapped);
    if (best === undefined || rank < best) best = rank;
  }
  return best === undefined ? undefined : TERMINATION_PRIORITY[best];
}

const TIMEOUT = /time[d_ -]?out|deadline/i;
const ABORTED = /abort|cancel/i;

/** termination_reason when the span does not state one. */
export function deriveTermination(
  status: 'ok' | 'error',
  errorType: string | null,
  finishReasons: readonly string[] | null,
): string {
  if (status === 'error') {
    if (errorType !== null && TIMEOUT.test(errorType)) return 'timeout';
    if (errorType !== null && ABORTED.test(errorType)) return 'aborted';
    return 'error';
  }
  return (finishReasons && terminationFromFinish(finishReasons)) || 'completed';
}

function readHttpStatus(attributes: Attributes): number | null {
  const value = attributes[sc.HTTP_RESPONSE_STATUS_CODE];
  const status = typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : value;
  return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 999
    ? status
    : null;
}

function exceptionEvent(span: SpanLike): Attributes | undefined {
  if (span.events === undefined) return undefined;
  for (const event of span.events) {
    if (event.name === sc.EXCEPTION_EVENT_NAME) return event.attributes ?? {};
  }
  return undefined;
}

/**
 * Reads the outcome: error when the span status is ERROR, error.type is set, or the span's output
 * reports an error (`outputError`, OpenLLMetry MCP spans); error_type from error.type, the output
 * error, the exception event, or '_OTHER' (OTel's fallback); error_message (redacted, capped at
 * 2048) from the status message, the output error or the exception event.
 */
export function readOutcome(
  span: SpanLike,
  maxLength: number,
  flags: string[],
  outputError?: OutputError,
): Outcome {
  const attributes = span.attributes;
  const errorTypeAttribute = readString(attributes, sc.ERROR_TYPE);
  const status =
    span.status.code === STATUS_ERROR ||
    errorTypeAttribute !== undefined ||
    outputError !== undefined
      ? 'error'
      : 'ok';
  const exception = status === 'error' ? exceptionEvent(span) : undefined;
  const errorType =
    status === 'error'
      ? sanitizeString(
          errorTypeAttribute ??
            outputError?.type ??
            readException(exception, sc.EXCEPTION_TYPE) ??
            '_OTHER',
          maxLength,
          flags,
        )
      : null;
  const message =
    status === 'error'
      ? span.status.message ||
        outputError?.message ||
        readException(exception, sc.EXCEPTION_MESSAGE)
      : undefined;
  const messageLength = Math.min(maxLength, ERROR_MESSAGE_MAX_LENGTH);
  const reported = readFinishReasons(attributes);
  const finishReasons = reported?.map((reason) => sanitizeString(reason, maxLength, flags)) ?? null;
  const explicit = readString(attributes, sc.SPANLEDGER_TERMINATION_REASON);
  return {
    status,
    error_type: errorType,
    error_message: sanitizeNullable(
      message && redactFreeText(message, flags),
      messageLength,
      flags,
    ),
    http_status: readHttpStatus(attributes),
    finish_reasons: finishReasons,
    termination_reason: sanitizeString(
      explicit ?? deriveTermination(status, errorType, finishReasons),
      maxLength,
      flags,
    ),
  };
}

function readException(attributes: Attributes | undefined, key: string): string | undefined {
  return attributes === undefined ? undefined : readString(attributes, key);
}
