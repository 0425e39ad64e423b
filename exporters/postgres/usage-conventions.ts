import * as sc from '../../semconv/index.js';

/** Which convention's attributes the token counts were read from. */
export type UsageConvention =
  | 'otel_genai'
  | 'otel_genai_deprecated'
  | 'openllmetry'
  | 'openinference'
  | 'vercel_ai';

/** Where one convention keeps each token count; the first present key of each list wins. */
export interface UsageKeys {
  convention: UsageConvention;
  input: readonly string[];
  output: readonly string[];
  cacheRead: readonly string[];
  cacheWrite: readonly string[];
  reasoning: readonly string[];
  total: readonly string[];
}

/** OTel GenAI; the deprecated prompt/completion names are read after the current ones. */
export const OTEL: UsageKeys = {
  convention: 'otel_genai',
  input: [sc.GEN_AI_USAGE_INPUT_TOKENS, sc.GEN_AI_USAGE_PROMPT_TOKENS],
  output: [sc.GEN_AI_USAGE_OUTPUT_TOKENS, sc.GEN_AI_USAGE_COMPLETION_TOKENS],
  cacheRead: [sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS],
  cacheWrite: [
    sc.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
    sc.GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  ],
  reasoning: [sc.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS],
  total: [sc.GEN_AI_USAGE_TOTAL_TOKENS],
};

/** OpenLLMetry: OTel's token names plus its own cache, reasoning and total names. */
export const OPENLLMETRY: UsageKeys = {
  convention: 'openllmetry',
  input: OTEL.input,
  output: OTEL.output,
  cacheRead: [sc.OPENLLMETRY_CACHE_READ_INPUT_TOKENS, sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS],
  cacheWrite: [sc.OPENLLMETRY_CACHE_CREATION_INPUT_TOKENS, ...OTEL.cacheWrite],
  reasoning: [sc.OPENLLMETRY_REASONING_TOKENS, sc.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS],
  total: [sc.LLM_USAGE_TOTAL_TOKENS, sc.GEN_AI_USAGE_TOTAL_TOKENS],
};

/** OpenInference: llm.token_count.*. */
export const OPENINFERENCE: UsageKeys = {
  convention: 'openinference',
  input: [sc.LLM_TOKEN_COUNT_PROMPT],
  output: [sc.LLM_TOKEN_COUNT_COMPLETION],
  cacheRead: [sc.LLM_TOKEN_COUNT_PROMPT_CACHE_READ],
  cacheWrite: [sc.LLM_TOKEN_COUNT_PROMPT_CACHE_WRITE],
  reasoning: [sc.LLM_TOKEN_COUNT_COMPLETION_REASONING],
  total: [sc.LLM_TOKEN_COUNT_TOTAL],
};

/** Vercel AI SDK 4-6: ai.usage.*. */
export const VERCEL: UsageKeys = {
  convention: 'vercel_ai',
  input: [sc.AI_USAGE_INPUT_TOKENS, sc.AI_USAGE_PROMPT_TOKENS, sc.AI_USAGE_TOKENS],
  output: [sc.AI_USAGE_OUTPUT_TOKENS, sc.AI_USAGE_COMPLETION_TOKENS],
  cacheRead: [sc.AI_USAGE_INPUT_CACHE_READ_TOKENS, sc.AI_USAGE_CACHED_INPUT_TOKENS],
  cacheWrite: [sc.AI_USAGE_INPUT_CACHE_WRITE_TOKENS],
  reasoning: [sc.AI_USAGE_OUTPUT_REASONING_TOKENS, sc.AI_USAGE_REASONING_TOKENS],
  total: [sc.AI_USAGE_TOTAL_TOKENS],
};

/**
 * Cache, reasoning and total counts mean the same thing in every convention (only whether input
 * includes cached input differs), so each is read from any convention's names: the chosen
 * convention's first, then the others'. OpenLLMetry's Python packages, for one, carry no marker
 * that says OpenLLMetry yet report gen_ai.usage.reasoning_tokens next to OTel's input/output.
 */
export interface DetailKeys {
  cacheRead: readonly string[];
  cacheWrite: readonly string[];
  reasoning: readonly string[];
  total: readonly string[];
}

const ALL: readonly UsageKeys[] = [OTEL, OPENLLMETRY, OPENINFERENCE, VERCEL];

function merged(own: readonly string[], pick: (keys: UsageKeys) => readonly string[]): string[] {
  const keys = [...own];
  for (const convention of ALL)
    for (const key of pick(convention)) {
      if (!keys.includes(key)) keys.push(key);
    }
  return keys;
}

function detailKeys(keys: UsageKeys): DetailKeys {
  return {
    cacheRead: merged(keys.cacheRead, (k) => k.cacheRead),
    cacheWrite: merged(keys.cacheWrite, (k) => k.cacheWrite),
    reasoning: merged(keys.reasoning, (k) => k.reasoning),
    total: merged(keys.total, (k) => k.total),
  };
}

/** Per convention (computed once), the detail keys to read: its own first, then every other. */
export const DETAIL_KEYS: ReadonlyMap<UsageKeys, DetailKeys> = new Map(
  ALL.map((keys) => [keys, detailKeys(keys)]),
);

/** Names only OpenLLMetry uses: their presence on an OTel-named span says OpenLLMetry. */
export const OPENLLMETRY_ONLY_KEYS: readonly string[] = [
  sc.OPENLLMETRY_REASONING_TOKENS,
  sc.OPENLLMETRY_CACHE_READ_INPUT_TOKENS,
  sc.OPENLLMETRY_CACHE_CREATION_INPUT_TOKENS,
  sc.LLM_USAGE_TOTAL_TOKENS,
];

/** Per convention, the order to try: the span's own first, then the others (mixed spans exist). */
export const USAGE_KEY_ORDER: Readonly<Record<UsageConvention, readonly UsageKeys[]>> = {
  otel_genai: [OTEL, OPENLLMETRY, OPENINFERENCE, VERCEL],
  otel_genai_deprecated: [OTEL, OPENLLMETRY, OPENINFERENCE, VERCEL],
  openllmetry: [OPENLLMETRY, OTEL, OPENINFERENCE, VERCEL],
  openinference: [OPENINFERENCE, OTEL, OPENLLMETRY, VERCEL],
  vercel_ai: [VERCEL, OTEL, OPENLLMETRY, OPENINFERENCE],
};
