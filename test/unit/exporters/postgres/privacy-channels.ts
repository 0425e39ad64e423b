import type { Attributes } from '@opentelemetry/api';
import type { SpanLike } from '../../../../exporters/postgres/rows.js';
import { span } from './fixtures.js';

/** Text that must never reach a row with capture off. */
export const MARKER = 'SECRET-PROMPT-TEXT';

/** An OpenInference LLM span carrying `extra`. */
export function openInference(extra: Attributes): SpanLike {
  return span(
    {
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'gpt-4o-mini',
      'llm.provider': 'openai',
      'llm.token_count.prompt': 10,
      'llm.token_count.completion': 5,
      ...extra,
    },
    { name: 'ChatCompletion' },
  );
}

/** A prompt-like text with the marker. */
export const longText = `Please summarise ${MARKER} for the board`;
/** JSON text of a value. */
export const json = (value: unknown) => JSON.stringify(value);

/**
 * Every channel the audit found, each with the marker, as the instrumentation that uses it would
 * send it. `where` says where the text must go instead: a content hash or an attribute digest.
 */
export const CHANNELS: Array<[string, Attributes, 'input_hash' | 'output_hash' | 'digest']> = [
  ['llm.prompt_template.template', { 'llm.prompt_template.template': longText }, 'input_hash'],
  [
    'llm.prompt_template.variables',
    { 'llm.prompt_template.variables': json({ x: MARKER }) },
    'input_hash',
  ],
  ['retrieval document content', { 'retrieval.documents.0.document.content': longText }, 'digest'],
  [
    'retrieval document metadata',
    { 'retrieval.documents.0.document.metadata': json({ t: MARKER }) },
    'digest',
  ],
  ['retrieval document id', { 'retrieval.documents.0.document.id': MARKER }, 'digest'],
  ['reranker query', { 'reranker.query': longText }, 'digest'],
  [
    'reranker input documents',
    { 'reranker.input_documents.0.document.content': longText },
    'digest',
  ],
  [
    'reranker output documents',
    { 'reranker.output_documents.0.document.content': longText },
    'digest',
  ],
  [
    'tool.parameters',
    { 'tool.parameters': json({ type: 'object', description: MARKER }) },
    'digest',
  ],
  ['tool.description', { 'tool.description': longText }, 'digest'],
  ['tool.json_schema', { 'tool.json_schema': json({ description: MARKER }) }, 'digest'],
  [
    'llm.input_messages (one JSON string)',
    { 'llm.input_messages': json([{ role: 'user', content: MARKER }]) },
    'input_hash',
  ],
  [
    'llm.output_messages (one JSON string)',
    { 'llm.output_messages': json([{ role: 'assistant', content: MARKER }]) },
    'output_hash',
  ],
  [
    'gen_ai.request.messages',
    { 'gen_ai.request.messages': json([{ role: 'user', content: MARKER }]) },
    'input_hash',
  ],
  [
    'gen_ai.prompt.0.content',
    { 'gen_ai.prompt.0.role': 'user', 'gen_ai.prompt.0.content': longText },
    'input_hash',
  ],
  ['gen_ai.completion.0.content', { 'gen_ai.completion.0.content': longText }, 'output_hash'],
  ['bare prompt', { prompt: longText }, 'input_hash'],
  ['bare completion', { completion: longText }, 'output_hash'],
  [
    'llm.function_call',
    { 'llm.function_call': json({ name: 'f', arguments: MARKER }) },
    'output_hash',
  ],
  ['llm.tools (whole)', { 'llm.tools': json([{ description: MARKER }]) }, 'digest'],
  [
    'llm.tools.N.tool.json_schema',
    { 'llm.tools.0.tool.json_schema': json({ description: MARKER }) },
    'digest',
  ],
  [
    'gen_ai.tool.definitions',
    { 'gen_ai.tool.definitions': json([{ description: MARKER }]) },
    'digest',
  ],
  [
    'gen_ai.request.functions',
    { 'gen_ai.request.functions': json([{ description: MARKER }]) },
    'digest',
  ],
  [
    'llm.request.functions.N.description',
    { 'llm.request.functions.0.description': longText },
    'digest',
  ],
  ['ai.prompt.tools', { 'ai.prompt.tools': [json({ description: MARKER })] }, 'digest'],
  ['ai.schema', { 'ai.schema': json({ description: MARKER }) }, 'digest'],
  ['gen_ai.tool.description', { 'gen_ai.tool.description': longText }, 'digest'],
  ['gen_ai.agent.description', { 'gen_ai.agent.description': longText }, 'digest'],
  ['gen_ai.evaluation.explanation', { 'gen_ai.evaluation.explanation': longText }, 'digest'],
  ['traceloop.prompt.template', { 'traceloop.prompt.template': longText }, 'input_hash'],
  ['mcp.request.argument', { 'mcp.request.argument': json({ q: MARKER }) }, 'input_hash'],
  ['mcp.response.value', { 'mcp.response.value': json({ r: MARKER }) }, 'output_hash'],
  ['user metadata (AI SDK)', { 'ai.telemetry.metadata.note': longText }, 'digest'],
  [
    'association properties (OpenLLMetry)',
    { 'traceloop.association.properties.topic': longText },
    'digest',
  ],
  ['tag.tags', { 'tag.tags': [MARKER, 'prod'] }, 'digest'],
  ['llm.headers', { 'llm.headers': json({ 'x-note': MARKER }) }, 'digest'],
  [
    'ai.response.providerMetadata',
    { 'ai.response.providerMetadata': json({ google: { groundingMetadata: MARKER } }) },
    'digest',
  ],
  ['exception.message as an attribute', { 'exception.message': longText }, 'digest'],
  ['url.full', { 'url.full': `https://search.test/?q=${MARKER}` }, 'digest'],
  ['an app attribute', { 'app.last_question': longText }, 'digest'],
];

/** Secrets a status or exception message may quote; none may reach a row. */
export const SECRETS = [
  'sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12',
  'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx-yz',
  'AKIAIOSFODNN7EXAMPLE',
  'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  'alice.smith@example.com',
  'hunter2hunter2',
];
/** A status message quoting every secret in SECRETS. */
export const SECRET_MESSAGE = `401 for ${SECRETS[0]} / ${SECRETS[1]} / ${SECRETS[2]} / ${SECRETS[3]} / Bearer ${SECRETS[4]} / user ${SECRETS[5]} password=${SECRETS[6]}`;
