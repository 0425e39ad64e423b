import type { Attributes } from '@opentelemetry/api';

/**
 * A span as the mapping needs it, independent of where it came from: the OTel SDK
 * (`ReadableSpan`, see from-readable-span.ts) or an OTLP request decoded by the collector.
 */
export interface SpanLike {
  /** 32 lowercase hex characters. */
  traceId: string;
  /** 16 lowercase hex characters. */
  spanId: string;
  parentSpanId?: string | undefined;
  name: string;
  /** OTel SpanKind number: 0 internal, 1 server, 2 client, 3 producer, 4 consumer. */
  kind: number;
  /** Unix epoch milliseconds, fractional part down to microseconds. */
  startTimeMs: number;
  endTimeMs: number;
  attributes: Attributes;
  /** OTel status code: 0 unset, 1 ok, 2 error. */
  status: { code: number; message?: string | undefined };
  events?: ReadonlyArray<{ name: string; timeMs: number; attributes?: Attributes | undefined }>;
  resource: Attributes;
  scope: { name: string; version?: string | undefined };
}

export type EventType = 'llm_call' | 'tool_call' | 'mcp_call' | 'agent_call';
export type UsageSource = 'provider' | 'estimated' | 'none';

/**
 * One audit_log row (and, when `billable`, the source of one llm_usage row), with every value
 * already made safe for COPY and jsonb. Field names are the column names.
 */
export interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  /** ISO-8601 UTC with microseconds, e.g. 2026-11-23T10:00:00.123456Z */
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  tenant_id: string | null;
  user_id: string | null;
  session_id: string | null;
  request_id: string | null;
  service_name: string | null;
  service_version: string | null;
  deployment_environment: string | null;
  event_type: EventType;
  operation: string | null;
  span_name: string | null;
  provider: string | null;
  request_model: string | null;
  response_model: string | null;
  tool_name: string | null;
  tool_call_id: string | null;
  mcp_server: string | null;
  mcp_method: string | null;
  status: 'ok' | 'error';
  error_type: string | null;
  error_message: string | null;
  http_status: number | null;
  finish_reasons: string[] | null;
  termination_reason: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  reasoning_tokens: number | null;
  usage_source: UsageSource;
  /** Decimal string (exact), or null when the model is unpriced or there is no usage. */
  cost_usd: string | null;
  price_ref: string | null;
  input_hash: string | null;
  output_hash: string | null;
  input_content: string | null;
  output_content: string | null;
  /** Remaining span attributes plus spanledger.* notes (convention used, ...), size-capped. */
  attributes: Record<string, unknown>;
  flags: string[];
  /**
   * Staging-only: true for a leaf model call that should be billed in llm_usage (subject to the
   * writer's duplicate-instrumentation and parent/child checks across batches).
   */
  billable: boolean;
  /** Staging-only: gen_ai.response.id, used to recognise two spans of one provider call. */
  response_id: string | null;
}

/** Columns of the staging table, in COPY order. `kind` drives COPY text encoding. */
export const STAGING_COLUMNS = [
  ['trace_id', 'text'],
  ['span_id', 'text'],
  ['parent_span_id', 'text'],
  ['started_at', 'timestamptz'],
  ['ended_at', 'timestamptz'],
  ['duration_ms', 'float8'],
  ['tenant_id', 'text'],
  ['user_id', 'text'],
  ['session_id', 'text'],
  ['request_id', 'text'],
  ['service_name', 'text'],
  ['service_version', 'text'],
  ['deployment_environment', 'text'],
  ['event_type', 'text'],
  ['operation', 'text'],
  ['span_name', 'text'],
  ['provider', 'text'],
  ['request_model', 'text'],
  ['response_model', 'text'],
  ['tool_name', 'text'],
  ['tool_call_id', 'text'],
  ['mcp_server', 'text'],
  ['mcp_method', 'text'],
  ['status', 'text'],
  ['error_type', 'text'],
  ['error_message', 'text'],
  ['http_status', 'int4'],
  ['finish_reasons', 'text[]'],
  ['termination_reason', 'text'],
  ['input_tokens', 'int8'],
  ['output_tokens', 'int8'],
  ['cache_read_tokens', 'int8'],
  ['cache_write_tokens', 'int8'],
  ['reasoning_tokens', 'int8'],
  ['usage_source', 'text'],
  ['cost_usd', 'numeric'],
  ['price_ref', 'text'],
  ['input_hash', 'text'],
  ['output_hash', 'text'],
  ['input_content', 'text'],
  ['output_content', 'text'],
  ['attributes', 'jsonb'],
  ['flags', 'text[]'],
  ['billable', 'bool'],
  ['response_id', 'text'],
] as const satisfies ReadonlyArray<readonly [keyof SpanRow, string]>;

/** Outcome of mapping one span. */
export type TransformResult =
  | { kind: 'row'; row: SpanRow }
  /** Not a GenAI span (an HTTP client span, a DB span, ...): counted, not stored. */
  | { kind: 'ignored' }
  /** A GenAI span that cannot be stored (bad ids, bad times): goes to dead_letter with `reason`. */
  | { kind: 'invalid'; reason: string; traceId?: string | undefined; spanId?: string | undefined };
