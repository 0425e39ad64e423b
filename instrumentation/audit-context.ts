import { type Attributes, type Context, context, createContextKey } from '@opentelemetry/api';
import {
  SPANLEDGER_REQUEST_ID,
  SPANLEDGER_SESSION_ID,
  SPANLEDGER_TENANT_ID,
  SPANLEDGER_USER_ID,
} from '../semconv/index.js';

/** Who a piece of work is done for; every span created inside carries it. */
export interface AuditContext {
  tenantId?: string;
  userId?: string;
  sessionId?: string;
  requestId?: string;
}

const AUDIT_KEY = createContextKey('spanledger.audit_context');

/** The audit context of `ctx` (the active one by default), if any. */
export function getAuditContext(ctx: Context = context.active()): AuditContext | undefined {
  return ctx.getValue(AUDIT_KEY) as AuditContext | undefined;
}

/**
 * Runs `fn` with `audit` merged over the enclosing audit context. The OTel context manager
 * (AsyncLocalStorage in Node) carries it across awaits, timers and nested calls.
 */
export function withAuditContext<T>(audit: AuditContext, fn: () => T): T {
  const merged = Object.freeze({ ...getAuditContext(), ...definedOnly(audit) });
  return context.with(context.active().setValue(AUDIT_KEY, merged), fn);
}

function definedOnly(audit: AuditContext): AuditContext {
  const out: AuditContext = {};
  for (const [key] of AUDIT_ATTRIBUTE_KEYS) {
    const value = audit?.[key];
    if (typeof value === 'string' && value !== '') out[key] = value;
  }
  return out;
}

/** Each audit context field and the span attribute that carries it. */
export const AUDIT_ATTRIBUTE_KEYS: ReadonlyArray<readonly [keyof AuditContext, string]> = [
  ['tenantId', SPANLEDGER_TENANT_ID],
  ['userId', SPANLEDGER_USER_ID],
  ['sessionId', SPANLEDGER_SESSION_ID],
  ['requestId', SPANLEDGER_REQUEST_ID],
];

/** Adds the spanledger.* attributes of an audit context to `target`; returns `target`. */
export function addAuditAttributes(
  target: Attributes,
  audit: AuditContext | undefined,
): Attributes {
  if (!audit) return target;
  // Field by field rather than a loop over AUDIT_ATTRIBUTE_KEYS: this runs at the start of every
  // LLM call, and named property access stays monomorphic where keyed access in a loop does not.
  if (audit.tenantId) target[SPANLEDGER_TENANT_ID] = audit.tenantId;
  if (audit.userId) target[SPANLEDGER_USER_ID] = audit.userId;
  if (audit.sessionId) target[SPANLEDGER_SESSION_ID] = audit.sessionId;
  if (audit.requestId) target[SPANLEDGER_REQUEST_ID] = audit.requestId;
  return target;
}

/** The spanledger.* attributes of an audit context. */
export function auditAttributes(audit: AuditContext | undefined): Attributes {
  return addAuditAttributes({}, audit);
}
