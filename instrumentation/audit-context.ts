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
  for (const key of ['tenantId', 'userId', 'sessionId', 'requestId'] as const) {
    const value = audit?.[key];
    if (typeof value === 'string' && value !== '') out[key] = value;
  }
  return out;
}

/** The spanledger.* attributes of an audit context. */
export function auditAttributes(audit: AuditContext | undefined): Attributes {
  const attributes: Attributes = {};
  if (!audit) return attributes;
  if (audit.tenantId) attributes[SPANLEDGER_TENANT_ID] = audit.tenantId;
  if (audit.userId) attributes[SPANLEDGER_USER_ID] = audit.userId;
  if (audit.sessionId) attributes[SPANLEDGER_SESSION_ID] = audit.sessionId;
  if (audit.requestId) attributes[SPANLEDGER_REQUEST_ID] = audit.requestId;
  return attributes;
}
