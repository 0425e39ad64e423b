import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanKind,
  trace,
} from '@opentelemetry/api';
import {
  GEN_AI_INPUT_MESSAGES,
  GEN_AI_OPERATION,
  GEN_AI_OPERATION_NAME,
  GEN_AI_OUTPUT_MESSAGES,
  GEN_AI_PROVIDER_NAME,
  GEN_AI_REQUEST_MODEL,
  GEN_AI_RESPONSE_FINISH_REASONS,
  GEN_AI_RESPONSE_ID,
  GEN_AI_RESPONSE_MODEL,
  GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  GEN_AI_USAGE_INPUT_TOKENS,
  GEN_AI_USAGE_OUTPUT_TOKENS,
  GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  SPANLEDGER_INPUT_HASH,
  SPANLEDGER_OUTPUT_HASH,
  SPANLEDGER_RESPONSE_TOOL_CALL_IDS,
  SPANLEDGER_RESPONSE_TOOL_NAMES,
  SPANLEDGER_TERMINATION_REASON,
  SPANLEDGER_USAGE_SOURCE,
  TERMINATION_REASON,
  USAGE_SOURCE,
} from '../semconv/index.js';
import { addAuditAttributes, getAuditContext } from './audit-context.js';
import { instrumentationOptions } from './config.js';
import { textOf } from './content.js';
import { setDigestAttribute } from './digest-attribute.js';
import { logFailure, recordError } from './errors.js';
import { estimateTokens } from './estimate.js';
import { contentText, redactValue } from './privacy.js';
import { getTracer } from './tracer.js';
import type { LlmCallMeta, LlmCallOutcome, LlmUsage } from './types.js';

const ESTIMABLE = new Set<string>([GEN_AI_OPERATION.CHAT, GEN_AI_OPERATION.TEXT_COMPLETION]);

const COMPLETED = 0;
const FAILED = 1;
const ABORTED = 2;
/** How a call ended. */
type Ending = typeof COMPLETED | typeof FAILED | typeof ABORTED;

/** A token count a provider reported: a finite number (anything else is ignored). */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Usage counts so far, every field present from the start (one object shape for every span). */
function emptyUsage(): LlmUsage {
  return {
    inputTokens: undefined,
    outputTokens: undefined,
    cacheReadInputTokens: undefined,
    cacheCreationInputTokens: undefined,
    reasoningTokens: undefined,
  };
}

/**
 * One model call's span and what is known about the call so far. Streams feed it chunk by chunk;
 * it ends exactly once, however the call ends (completed, failed, aborted). Every method is safe
 * to call from a wrapper: failures go to the diag logger.
 */
export class LlmSpan {
  readonly span: Span;
  readonly context: Context;
  private readonly meta: LlmCallMeta;
  private readonly operation: string;
  private usage: LlmUsage = emptyUsage();
  private outcome: Omit<LlmCallOutcome, 'usage'> = {};
  private outputText = '';
  private ended = false;
  private failed = false;

  private constructor(meta: LlmCallMeta, span: Span, parent: Context) {
    this.meta = meta;
    this.operation = meta.operation ?? GEN_AI_OPERATION.CHAT;
    this.span = span;
    this.context = trace.setSpan(parent, span);
  }

  /**
   * Starts the span under the active context; undefined (and logged) if that fails. The SDK
   * wrappers pass `ownsAttributes` (their `meta.attributes` is made for this call): the span's
   * attributes are then added to that object rather than to a copy of it.
   */
  static start(
    meta: LlmCallMeta,
    parent: Context = context.active(),
    ownsAttributes = false,
  ): LlmSpan | undefined {
    try {
      const operation = meta.operation ?? GEN_AI_OPERATION.CHAT;
      // Object.assign, not an object spread: V8 builds a spread followed by computed keys on a
      // slow path (~5 µs here, a fifth of the whole call's budget).
      const attributes: Attributes =
        ownsAttributes && meta.attributes ? meta.attributes : Object.assign({}, meta.attributes);
      addAuditAttributes(attributes, getAuditContext(parent));
      attributes[GEN_AI_OPERATION_NAME] = operation;
      attributes[GEN_AI_PROVIDER_NAME] = meta.provider;
      attributes[GEN_AI_REQUEST_MODEL] = meta.model;
      const options = instrumentationOptions();
      if (meta.input !== undefined && options.captureMessageContent) {
        attributes[GEN_AI_INPUT_MESSAGES] = contentText(redactValue(meta.input));
      }
      const span = getTracer().startSpan(
        `${operation} ${meta.model}`,
        { kind: SpanKind.CLIENT, attributes },
        parent,
      );
      if (meta.input !== undefined) {
        setDigestAttribute(span, SPANLEDGER_INPUT_HASH, meta.input, options.hashKey);
      }
      return new LlmSpan(meta, span, parent);
    } catch (error) {
      logFailure('starting an LLM span', error);
      return undefined;
    }
  }

  /** Merges counts; later reports of a count replace earlier ones (stream deltas are totals). */
  addUsage(usage: LlmUsage | undefined): void {
    if (!usage) return;
    // Field by field, not a loop over a key list: this runs on every call and every chunk, and
    // named property access stays monomorphic where a keyed one in a loop does not (the loop,
    // with its destructuring iterator, profiled at ~1 µs per call).
    const into = this.usage;
    if (isCount(usage.inputTokens)) into.inputTokens = usage.inputTokens;
    if (isCount(usage.outputTokens)) into.outputTokens = usage.outputTokens;
    if (isCount(usage.cacheReadInputTokens)) into.cacheReadInputTokens = usage.cacheReadInputTokens;
    if (isCount(usage.cacheCreationInputTokens)) {
      into.cacheCreationInputTokens = usage.cacheCreationInputTokens;
    }
    if (isCount(usage.reasoningTokens)) into.reasoningTokens = usage.reasoningTokens;
  }

  /** Records what the response said; undefined fields keep what was recorded before. */
  record(outcome: LlmCallOutcome): void {
    this.addUsage(outcome.usage);
    const into = this.outcome;
    if (outcome.responseModel !== undefined) into.responseModel = outcome.responseModel;
    if (outcome.responseId !== undefined) into.responseId = outcome.responseId;
    if (outcome.finishReasons !== undefined) into.finishReasons = outcome.finishReasons;
    if (outcome.toolCalls !== undefined) into.toolCalls = outcome.toolCalls;
    if (outcome.output !== undefined) into.output = outcome.output;
    if (outcome.outputText !== undefined) into.outputText = outcome.outputText;
  }

  /** Appends streamed completion text (kept in memory for the digest and estimates only). */
  appendOutputText(text: string | undefined | null): void {
    if (typeof text === 'string') this.outputText += text;
  }

  /** Ends the span as completed. */
  end(): void {
    this.finish(COMPLETED, undefined);
  }

  /** Ends the span as failed with the app's error (which the caller re-throws unchanged). */
  fail(error: unknown): void {
    // A failed call is not estimated: without a response there is nothing to count as output.
    this.failed = true;
    this.finish(FAILED, error);
  }

  /** Ends the span as aborted (consumer stopped reading, AbortController), keeping usage seen. */
  abort(): void {
    this.finish(ABORTED, undefined);
  }

  private finish(how: Ending, error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    // A span that is not recording (sampled out) keeps nothing: reading the outcome, estimating
    // tokens and digests would be work for no one.
    if (this.span.isRecording()) {
      try {
        this.writeOutcome();
        if (how === FAILED) recordError(this.span, error);
        else if (how === ABORTED) {
          this.span.setAttribute(SPANLEDGER_TERMINATION_REASON, TERMINATION_REASON.ABORTED);
        }
      } catch (failure) {
        logFailure('ending an LLM span', failure);
      }
    }
    try {
      this.span.end();
    } catch (failure) {
      logFailure('ending an LLM span', failure);
    }
  }

  private writeOutcome(): void {
    const span = this.span;
    const { responseModel, responseId, finishReasons, toolCalls } = this.outcome;
    if (responseModel) span.setAttribute(GEN_AI_RESPONSE_MODEL, responseModel);
    if (responseId) span.setAttribute(GEN_AI_RESPONSE_ID, responseId);
    if (finishReasons?.length) span.setAttribute(GEN_AI_RESPONSE_FINISH_REASONS, finishReasons);
    if (toolCalls?.length) {
      const ids = toolCalls.map((call) => call.id).filter((id): id is string => !!id);
      const names = toolCalls.map((call) => call.name).filter((name): name is string => !!name);
      if (ids.length) span.setAttribute(SPANLEDGER_RESPONSE_TOOL_CALL_IDS, ids);
      if (names.length) span.setAttribute(SPANLEDGER_RESPONSE_TOOL_NAMES, names);
    }
    this.writeOutput();
    this.writeUsage();
  }

  private writeOutput(): void {
    const output = this.outcome.output ?? (this.outputText !== '' ? this.outputText : undefined);
    if (output === undefined) return;
    const options = instrumentationOptions();
    setDigestAttribute(
      this.span,
      SPANLEDGER_OUTPUT_HASH,
      this.outcome.outputText ?? output,
      options.hashKey,
    );
    if (options.captureMessageContent) {
      this.span.setAttribute(GEN_AI_OUTPUT_MESSAGES, contentText(redactValue(output)));
    }
  }

  private writeUsage(): void {
    let usage = this.usage;
    let source: string = USAGE_SOURCE.PROVIDER;
    if (usage.inputTokens === undefined && usage.outputTokens === undefined) {
      usage = Object.assign({}, usage);
      if (!this.estimate(usage)) return;
      source = USAGE_SOURCE.ESTIMATED;
    }
    // Named fields, as in addUsage.
    const span = this.span;
    if (usage.inputTokens !== undefined)
      span.setAttribute(GEN_AI_USAGE_INPUT_TOKENS, usage.inputTokens);
    if (usage.outputTokens !== undefined) {
      span.setAttribute(GEN_AI_USAGE_OUTPUT_TOKENS, usage.outputTokens);
    }
    if (usage.cacheReadInputTokens !== undefined) {
      span.setAttribute(GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, usage.cacheReadInputTokens);
    }
    if (usage.cacheCreationInputTokens !== undefined) {
      span.setAttribute(GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, usage.cacheCreationInputTokens);
    }
    if (usage.reasoningTokens !== undefined) {
      span.setAttribute(GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, usage.reasoningTokens);
    }
    span.setAttribute(SPANLEDGER_USAGE_SOURCE, source);
  }

  /** Fills input/output with tokenizer counts; false when estimating is off or impossible. */
  private estimate(usage: LlmUsage): boolean {
    const { estimateMissingUsage } = instrumentationOptions();
    if (this.failed || !estimateMissingUsage || !ESTIMABLE.has(this.operation)) {
      return false;
    }
    const output =
      this.outcome.output !== undefined ? textOf(this.outcome.output) : this.outputText;
    usage.inputTokens = estimateTokens(textOf(this.meta.input));
    usage.outputTokens = estimateTokens(output);
    return usage.inputTokens !== undefined || usage.outputTokens !== undefined;
  }
}
