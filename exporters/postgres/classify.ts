import type { Attributes } from '@opentelemetry/api';
import * as sc from '../../semconv/index.js';
import { readString } from './attribute-readers.js';
import { readOpenLlmetryMcpRequest } from './openllmetry-mcp.js';
import type { EventType } from './rows.js';

/** The instrumentation convention a span follows, as far as classification could tell. */
export type Convention = 'otel_genai' | 'openinference' | 'openllmetry' | 'vercel_ai';

/** A span that becomes a row. */
export interface Classification {
  eventType: EventType;
  /** Normalised operation (gen_ai.operation.name vocabulary where one applies). */
  operation: string | null;
  /**
   * True for a span that stands for exactly one provider call. Wrappers (the AI SDK's
   * ai.generateText around its ai.generateText.doGenerate steps) are false.
   */
  leaf: boolean;
  convention: Convention;
  /** The MCP method of an mcp_call (from mcp.method.name or OpenLLMetry's span name), else null. */
  mcpMethod: string | null;
}

type Rule = Readonly<Pick<Classification, 'eventType' | 'operation' | 'leaf'>>;

const llm = (operation: string): Rule => ({ eventType: 'llm_call', operation, leaf: true });
const TOOL: Rule = {
  eventType: 'tool_call',
  operation: sc.GEN_AI_OPERATION.EXECUTE_TOOL,
  leaf: false,
};
const AGENT: Rule = {
  eventType: 'agent_call',
  operation: sc.GEN_AI_OPERATION.INVOKE_AGENT,
  leaf: false,
};

/** gen_ai.operation.name → row shape. retrieval and unknown operations are not stored. */
const OTEL_OPERATIONS: ReadonlyMap<string, Rule> = new Map([
  ['chat', llm('chat')],
  ['text_completion', llm('text_completion')],
  ['generate_content', llm('generate_content')],
  ['embeddings', llm('embeddings')],
  ['execute_tool', TOOL],
  ['invoke_agent', AGENT],
  ['create_agent', { ...AGENT, operation: 'create_agent' }],
  ['invoke_workflow', { ...AGENT, operation: 'invoke_workflow' }],
]);

/** openinference.span.kind → row shape; CHAIN, RETRIEVER, RERANKER, GUARDRAIL, ... are not. */
const OPENINFERENCE_KINDS: ReadonlyMap<string, Rule> = new Map([
  ['LLM', llm('chat')],
  ['EMBEDDING', llm('embeddings')],
  ['TOOL', TOOL],
  ['AGENT', AGENT],
]);

/** OpenLLMetry llm.request.type → row shape. */
const OPENLLMETRY_REQUEST_TYPES: ReadonlyMap<string, Rule> = new Map([
  ['chat', llm('chat')],
  ['completion', llm('text_completion')],
  ['embedding', llm('embeddings')],
  ['rerank', llm('rerank')],
]);

/** OpenLLMetry traceloop.span.kind → row shape; workflow and task spans are not stored. */
const TRACELOOP_KINDS: ReadonlyMap<string, Rule> = new Map([
  ['agent', AGENT],
  ['tool', TOOL],
]);

/** Vercel AI SDK wrappers: they aggregate their doGenerate/doStream steps, so they are not leaves. */
const AI_SDK_WRAPPERS: ReadonlyMap<string, string> = new Map([
  [sc.AI_OPERATION.GENERATE_TEXT, 'chat'],
  [sc.AI_OPERATION.STREAM_TEXT, 'chat'],
  [sc.AI_OPERATION.GENERATE_OBJECT, 'chat'],
  [sc.AI_OPERATION.STREAM_OBJECT, 'chat'],
  [sc.AI_OPERATION.EMBED, 'embeddings'],
  [sc.AI_OPERATION.EMBED_MANY, 'embeddings'],
]);

function classified(rule: Rule, convention: Convention): Classification {
  return {
    eventType: rule.eventType,
    operation: rule.operation,
    leaf: rule.leaf,
    convention,
    mcpMethod: null,
  };
}

/** AI SDK spans: ai.operationId says wrapper, provider step or tool call. */
function classifyAiSdk(operationId: string): Classification | null {
  if (operationId === sc.AI_OPERATION.TOOL_CALL) return classified(TOOL, 'vercel_ai');
  const dot = operationId.lastIndexOf('.');
  const step = operationId.slice(dot + 1);
  if (step === 'doGenerate' || step === 'doStream' || step === 'doEmbed') {
    const wrapper = AI_SDK_WRAPPERS.get(operationId.slice(0, dot));
    return wrapper === undefined ? null : classified(llm(wrapper), 'vercel_ai');
  }
  const operation = AI_SDK_WRAPPERS.get(operationId);
  if (operation === undefined) return null;
  return {
    eventType: 'llm_call',
    operation,
    leaf: false,
    convention: 'vercel_ai',
    mcpMethod: null,
  };
}

/** OpenLLMetry marks its spans with llm.request.type or traceloop.span.kind. */
function classifyOpenLlmetry(attributes: Attributes): Classification | null | undefined {
  const requestType = readString(attributes, sc.LLM_REQUEST_TYPE);
  if (requestType !== undefined) {
    const rule = OPENLLMETRY_REQUEST_TYPES.get(requestType);
    return rule === undefined ? null : classified(rule, 'openllmetry');
  }
  const kind = readString(attributes, sc.TRACELOOP_SPAN_KIND);
  if (kind !== undefined) {
    const rule = TRACELOOP_KINDS.get(kind);
    return rule === undefined ? null : classified(rule, 'openllmetry');
  }
  return undefined;
}

/** The OTel convention proper, with the MCP and legacy fallbacks. */
function classifyOtel(attributes: Attributes): Classification | null | undefined {
  const operation = readString(attributes, sc.GEN_AI_OPERATION_NAME);
  if (operation !== undefined) {
    const rule = OTEL_OPERATIONS.get(operation);
    return rule === undefined ? null : classified(rule, 'otel_genai');
  }
  return undefined;
}

/** MCP requests: OTel's mcp.method.name, or OpenLLMetry's span names under its MCP scopes. */
function classifyMcp(
  attributes: Attributes,
  name: string,
  scopeName: string,
): Classification | undefined {
  const mcpMethod = readString(attributes, sc.MCP_METHOD_NAME);
  if (mcpMethod !== undefined) {
    const operation = readString(attributes, sc.GEN_AI_OPERATION_NAME) ?? mcpMethod;
    return { eventType: 'mcp_call', operation, leaf: false, convention: 'otel_genai', mcpMethod };
  }
  const request = readOpenLlmetryMcpRequest(attributes, name, scopeName);
  if (request === undefined) return undefined;
  return {
    eventType: 'mcp_call',
    operation: request.operation,
    leaf: false,
    convention: 'openllmetry',
    mcpMethod: request.method,
  };
}

/**
 * Decides whether a span becomes a row and which kind. Returns null for spans that are not
 * GenAI calls (HTTP, DB, workflow/chain spans, ...). MCP wins over everything (an MCP tools/call
 * span also says execute_tool); then the AI SDK's ai.operationId, which is more specific than the
 * gen_ai.* it also sets; then OTel, OpenInference and OpenLLMetry. The span name and scope only
 * matter for OpenLLMetry's MCP spans, which carry no attribute saying MCP.
 */
export function classifySpan(
  attributes: Attributes,
  name = '',
  scopeName = '',
): Classification | null {
  const mcp = classifyMcp(attributes, name, scopeName);
  if (mcp !== undefined) return mcp;
  const aiOperation = readString(attributes, sc.AI_OPERATION_ID);
  if (aiOperation !== undefined) return classifyAiSdk(aiOperation);
  const otel = classifyOtel(attributes);
  if (otel !== undefined) return otel;
  const kind = readString(attributes, sc.OPENINFERENCE_SPAN_KIND);
  if (kind !== undefined) {
    const rule = OPENINFERENCE_KINDS.get(kind.toUpperCase());
    return rule === undefined ? null : classified(rule, 'openinference');
  }
  const openLlmetry = classifyOpenLlmetry(attributes);
  if (openLlmetry !== undefined) return openLlmetry;
  // Instrumentations older than gen_ai.operation.name: a provider plus a model is a model call.
  const hasProvider =
    attributes[sc.GEN_AI_PROVIDER_NAME] !== undefined || attributes[sc.GEN_AI_SYSTEM] !== undefined;
  if (hasProvider && attributes[sc.GEN_AI_REQUEST_MODEL] !== undefined) {
    return classified(llm('chat'), 'otel_genai');
  }
  return null;
}
