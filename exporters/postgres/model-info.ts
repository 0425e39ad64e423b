import type { Attributes } from '@opentelemetry/api';
import * as sc from '../../semconv/index.js';
import { firstString } from './attribute-readers.js';
import { normalizeProvider } from './normalize-provider.js';
import { sanitizeNullable } from './sanitize.js';

/** Who served the call and which model was asked for and answered. */
export interface ModelInfo {
  provider: string | null;
  request_model: string | null;
  response_model: string | null;
  response_id: string | null;
}

/** gen_ai.provider.name, then the deprecated gen_ai.system, then the other conventions. */
const PROVIDER_KEYS = [
  sc.GEN_AI_PROVIDER_NAME,
  sc.GEN_AI_SYSTEM,
  sc.LLM_PROVIDER,
  sc.LLM_SYSTEM,
  sc.AI_MODEL_PROVIDER,
];
const REQUEST_MODEL_KEYS = [
  sc.GEN_AI_REQUEST_MODEL,
  sc.AI_MODEL_ID,
  sc.LLM_REQUEST_MODEL_NAME,
  sc.LLM_MODEL_NAME,
  sc.EMBEDDING_MODEL_NAME,
];
const RESPONSE_MODEL_KEYS = [
  sc.GEN_AI_RESPONSE_MODEL,
  sc.AI_RESPONSE_MODEL,
  sc.LLM_RESPONSE_MODEL_NAME,
  sc.LLM_MODEL_NAME,
];
const RESPONSE_ID_KEYS = [sc.GEN_AI_RESPONSE_ID, sc.AI_RESPONSE_ID];

/** Reads provider (normalised), models and the provider's response id, sanitised. */
export function readModelInfo(
  attributes: Attributes,
  maxLength: number,
  flags: string[],
): ModelInfo {
  const provider = normalizeProvider(firstString(attributes, PROVIDER_KEYS));
  return {
    provider: sanitizeNullable(provider, maxLength, flags),
    request_model: sanitizeNullable(firstString(attributes, REQUEST_MODEL_KEYS), maxLength, flags),
    response_model: sanitizeNullable(
      firstString(attributes, RESPONSE_MODEL_KEYS),
      maxLength,
      flags,
    ),
    response_id: sanitizeNullable(firstString(attributes, RESPONSE_ID_KEYS), maxLength, flags),
  };
}
