import type { Attributes } from '@opentelemetry/api';
import * as sc from '../../semconv/index.js';
import { firstString } from './attribute-readers.js';
import { readJsonStringField } from './json-attribute.js';
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
/** Attributes that name the requested model and nothing else. */
const REQUEST_MODEL_KEYS = [sc.GEN_AI_REQUEST_MODEL, sc.AI_MODEL_ID, sc.LLM_REQUEST_MODEL_NAME];
/**
 * OpenInference's llm.model_name is the model the provider answered with when there was an
 * answer, so it stands for the requested model only after llm.invocation_parameters.
 */
const REQUEST_MODEL_FALLBACK_KEYS = [sc.LLM_MODEL_NAME, sc.EMBEDDING_MODEL_NAME];
/** LangChain's invocation parameters say "model" or, in older integrations, "model_name". */
const INVOCATION_MODEL_FIELDS = ['model', 'model_name'];
const RESPONSE_MODEL_KEYS = [
  sc.GEN_AI_RESPONSE_MODEL,
  sc.AI_RESPONSE_MODEL,
  sc.LLM_RESPONSE_MODEL_NAME,
  sc.LLM_MODEL_NAME,
];
const RESPONSE_ID_KEYS = [sc.GEN_AI_RESPONSE_ID, sc.AI_RESPONSE_ID];
const LANGCHAIN_PROVIDER_FIELDS = ['ls_provider'];

/** The requested model; the invocation parameters are parsed only when no plain key names it. */
function readRequestModel(attributes: Attributes): string | undefined {
  return (
    firstString(attributes, REQUEST_MODEL_KEYS) ??
    readJsonStringField(attributes, sc.LLM_INVOCATION_PARAMETERS, INVOCATION_MODEL_FIELDS) ??
    firstString(attributes, REQUEST_MODEL_FALLBACK_KEYS)
  );
}

/** The provider; LangChain spans through OpenInference (JS) name it only in their metadata. */
function readProvider(attributes: Attributes): string | undefined {
  return (
    firstString(attributes, PROVIDER_KEYS) ??
    readJsonStringField(attributes, sc.OPENINFERENCE_METADATA, LANGCHAIN_PROVIDER_FIELDS)
  );
}

/** Reads provider (normalised), models and the provider's response id, sanitised. */
export function readModelInfo(
  attributes: Attributes,
  maxLength: number,
  flags: string[],
): ModelInfo {
  const provider = normalizeProvider(readProvider(attributes));
  return {
    provider: sanitizeNullable(provider, maxLength, flags),
    request_model: sanitizeNullable(readRequestModel(attributes), maxLength, flags),
    response_model: sanitizeNullable(
      firstString(attributes, RESPONSE_MODEL_KEYS),
      maxLength,
      flags,
    ),
    response_id: sanitizeNullable(firstString(attributes, RESPONSE_ID_KEYS), maxLength, flags),
  };
}
