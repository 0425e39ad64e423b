import type { Attributes, AttributeValue } from '@opentelemetry/api';
import * as sc from '../../semconv/index.js';
import { firstPresentKey, readString } from './attribute-readers.js';
import type { Convention } from './classify.js';
import { addFlag } from './flags.js';
import type { UsageSource } from './rows.js';
import {
  DETAIL_KEYS,
  type DetailKeys,
  OPENLLMETRY,
  OPENLLMETRY_ONLY_KEYS,
  OTEL,
  USAGE_KEY_ORDER,
  type UsageConvention,
  type UsageKeys,
  VERCEL,
} from './usage-conventions.js';

export type { UsageConvention } from './usage-conventions.js';

/** Token counts with OTel semantics: input includes cached input, output includes reasoning. */
export interface TokenUsage {
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  reasoning_tokens: number | null;
}

/** Token counts plus where they came from. */
export interface NormalizedUsage extends TokenUsage {
  usage_source: UsageSource;
  convention: UsageConvention | null;
  /** Values worth keeping in row.attributes (what was reported before a correction, ...). */
  notes: Record<string, number>;
}

const INVALID = Symbol('invalid');

/** A token count: a non-negative safe integer (OTLP/JSON sends int64 as a digit string). */
export function parseTokenCount(
  value: AttributeValue | undefined | null,
): number | null | typeof INVALID {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : INVALID;
  if (typeof value === 'string' && /^\d{1,16}$/.test(value)) {
    const parsed = Number(value);
    return Number.isSafeInteger(parsed) ? parsed : INVALID;
  }
  return INVALID;
}

function readCount(
  attributes: Attributes,
  keys: readonly string[],
  flags: string[],
): number | null {
  const key = firstPresentKey(attributes, keys);
  if (key === undefined) return null;
  const count = parseTokenCount(attributes[key]);
  if (count !== INVALID) return count;
  addFlag(flags, 'invalid_token_value');
  return null;
}

function pickConvention(attributes: Attributes, primary: UsageConvention): UsageKeys | undefined {
  for (const keys of USAGE_KEY_ORDER[primary]) {
    if (
      firstPresentKey(attributes, keys.input) !== undefined ||
      firstPresentKey(attributes, keys.output) !== undefined ||
      firstPresentKey(attributes, keys.total) !== undefined
    ) {
      return keys;
    }
  }
  return undefined;
}

/** Context normalisation needs beyond the attributes. */
export interface UsageContext {
  convention: Convention;
  scopeName: string;
  /** Normalised provider (see normalize-provider.ts). */
  provider: string | null;
}

function primaryConvention(attributes: Attributes, context: UsageContext): UsageConvention {
  const openLlmetry =
    context.scopeName.startsWith('@traceloop/') ||
    attributes[sc.LLM_USAGE_TOTAL_TOKENS] !== undefined;
  return context.convention === 'otel_genai' && openLlmetry ? 'openllmetry' : context.convention;
}

/**
 * Instrumentations known to report input tokens without the cached part: OpenLLMetry's JS
 * Anthropic instrumentation, and AI SDK 5 with Anthropic (AI SDK 6 adds inputTokenDetails and
 * reports the inclusive total).
 */
function excludesCache(attributes: Attributes, keys: UsageKeys, context: UsageContext): boolean {
  if (context.scopeName === sc.TRACELOOP_ANTHROPIC_SCOPE) return true;
  return (
    keys === VERCEL &&
    context.provider === 'anthropic' &&
    attributes[sc.AI_USAGE_INPUT_NO_CACHE_TOKENS] === undefined
  );
}

/** Input and output from the chosen convention; cache and reasoning from any (see DetailKeys). */
function readTokens(
  attributes: Attributes,
  keys: UsageKeys,
  details: DetailKeys,
  flags: string[],
): TokenUsage {
  return {
    input_tokens: readCount(attributes, keys.input, flags),
    output_tokens: readCount(attributes, keys.output, flags),
    cache_read_tokens: readCount(attributes, details.cacheRead, flags),
    cache_write_tokens: readCount(attributes, details.cacheWrite, flags),
    reasoning_tokens: readCount(attributes, details.reasoning, flags),
  };
}

/** Which convention the counts came from, for spanledger.usage_convention. */
function conventionLabel(attributes: Attributes, keys: UsageKeys): UsageConvention {
  if (keys !== OTEL) return keys.convention;
  if (firstPresentKey(attributes, OPENLLMETRY_ONLY_KEYS) !== undefined) {
    return OPENLLMETRY.convention;
  }
  return isDeprecatedOnly(attributes) ? 'otel_genai_deprecated' : OTEL.convention;
}

/** Stores what was reported; only flags what does not add up (never clamps). */
function checkConsistency(
  tokens: TokenUsage,
  total: number | null,
  reportedInput: number | null,
  flags: string[],
): void {
  const { input_tokens: input, output_tokens: output } = tokens;
  const cached = (tokens.cache_read_tokens ?? 0) + (tokens.cache_write_tokens ?? 0);
  const mismatch =
    (input !== null && cached > input) ||
    (output !== null && tokens.reasoning_tokens !== null && tokens.reasoning_tokens > output) ||
    (total !== null &&
      reportedInput !== null &&
      output !== null &&
      total !== reportedInput + output);
  if (mismatch) addFlag(flags, 'token_mismatch');
}

/**
 * Reads token usage from whichever convention the span uses (input and output from one
 * convention; cache, reasoning and total from any, their meaning being the same everywhere),
 * with OTel semantics: input includes
 * cached input (corrected, with flag 'input_excludes_cache_corrected', for instrumentations known
 * to exclude it). Unknown counts are null, never 0. Invalid values become null with flag
 * 'invalid_token_value'; counts that do not add up are stored as reported with 'token_mismatch'.
 */
export function normalizeUsage(
  attributes: Attributes,
  context: UsageContext,
  flags: string[],
): NormalizedUsage {
  const keys = pickConvention(attributes, primaryConvention(attributes, context));
  const notes: Record<string, number> = {};
  if (keys === undefined) return noUsage(notes);
  const details = DETAIL_KEYS.get(keys)!;
  const tokens = readTokens(attributes, keys, details, flags);
  const total = readCount(attributes, details.total, flags);
  const reportedInput = tokens.input_tokens;
  const cached = (tokens.cache_read_tokens ?? 0) + (tokens.cache_write_tokens ?? 0);
  if (reportedInput !== null && cached > 0 && excludesCache(attributes, keys, context)) {
    tokens.input_tokens = reportedInput + cached;
    notes[sc.SPANLEDGER_REPORTED_INPUT_TOKENS] = reportedInput;
    addFlag(flags, 'input_excludes_cache_corrected');
  }
  checkConsistency(tokens, total, reportedInput, flags);
  const convention = conventionLabel(attributes, keys);
  const hasTokens = tokens.input_tokens !== null || tokens.output_tokens !== null;
  if (total !== null && (!hasTokens || flags.includes('token_mismatch'))) {
    notes[sc.SPANLEDGER_REPORTED_TOTAL_TOKENS] = total;
  }
  if (!hasTokens) return noUsage(notes);
  return {
    input_tokens: tokens.input_tokens,
    output_tokens: tokens.output_tokens,
    cache_read_tokens: tokens.cache_read_tokens,
    cache_write_tokens: tokens.cache_write_tokens,
    reasoning_tokens: tokens.reasoning_tokens,
    usage_source: usageSource(attributes),
    convention,
    notes,
  };
}

function isDeprecatedOnly(attributes: Attributes): boolean {
  return (
    attributes[sc.GEN_AI_USAGE_INPUT_TOKENS] === undefined &&
    attributes[sc.GEN_AI_USAGE_OUTPUT_TOKENS] === undefined
  );
}

function usageSource(attributes: Attributes): UsageSource {
  return readString(attributes, sc.SPANLEDGER_USAGE_SOURCE) === 'estimated'
    ? 'estimated'
    : 'provider';
}

function noUsage(notes: Record<string, number>): NormalizedUsage {
  return {
    input_tokens: null,
    output_tokens: null,
    cache_read_tokens: null,
    cache_write_tokens: null,
    reasoning_tokens: null,
    usage_source: 'none',
    convention: null,
    notes,
  };
}
