import type { Attributes } from '@opentelemetry/api';
import * as sc from '../../semconv/index.js';
import { firstString } from './attribute-readers.js';
import type { SpanLike, SpanRow } from './rows.js';
import { sanitizeNullable } from './sanitize.js';

/** Who made the call and from where: the row's identity columns. */
export type Identity = Pick<
  SpanRow,
  | 'tenant_id'
  | 'user_id'
  | 'session_id'
  | 'request_id'
  | 'service_name'
  | 'service_version'
  | 'deployment_environment'
>;

const USER_KEYS = [
  sc.SPANLEDGER_USER_ID,
  sc.ENDUSER_ID,
  sc.USER_ID,
  sc.AI_TELEMETRY_USER_ID,
  sc.TRACELOOP_USER_ID,
];
const SESSION_KEYS = [
  sc.SPANLEDGER_SESSION_ID,
  sc.GEN_AI_CONVERSATION_ID,
  sc.SESSION_ID,
  sc.AI_TELEMETRY_SESSION_ID,
  sc.TRACELOOP_SESSION_ID,
];
const ENVIRONMENT_KEYS = [sc.DEPLOYMENT_ENVIRONMENT_NAME, sc.DEPLOYMENT_ENVIRONMENT];
const TENANT_KEYS = [sc.SPANLEDGER_TENANT_ID];
const REQUEST_KEYS = [sc.SPANLEDGER_REQUEST_ID];
const SERVICE_NAME_KEYS = [sc.SERVICE_NAME];
const SERVICE_VERSION_KEYS = [sc.SERVICE_VERSION];

/** The span's own value first (set per request), then the resource's (set per process). */
function spanThenResource(span: SpanLike, keys: readonly string[]): string | undefined {
  return firstString(span.attributes, keys) ?? firstString(span.resource, keys);
}

/**
 * Reads tenant, user, session and request from the span (then its resource), and service and
 * environment from the resource. The collector decides whether a client may set its own tenant:
 * it should overwrite spanledger.tenant_id for authenticated senders before calling transform.
 */
export function readIdentity(span: SpanLike, maxLength: number, flags: string[]): Identity {
  const resource: Attributes = span.resource;
  const clean = (value: string | undefined) => sanitizeNullable(value, maxLength, flags);
  return {
    tenant_id: clean(spanThenResource(span, TENANT_KEYS)),
    user_id: clean(spanThenResource(span, USER_KEYS)),
    session_id: clean(spanThenResource(span, SESSION_KEYS)),
    request_id: clean(spanThenResource(span, REQUEST_KEYS)),
    service_name: clean(firstString(resource, SERVICE_NAME_KEYS)),
    service_version: clean(firstString(resource, SERVICE_VERSION_KEYS)),
    deployment_environment: clean(firstString(resource, ENVIRONMENT_KEYS)),
  };
}
