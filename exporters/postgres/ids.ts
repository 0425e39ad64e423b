/** Outcome of checking one W3C trace-context id. */
export type IdCheck = { ok: true; id: string } | { ok: false; reason: string };

const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/** Quotes a bad value for a reason text, cut short because a bad id may be anything. */
export function describeValue(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}...` : text);
}

/** `length` lowercase hex digits: a loop, cheaper here than a regex (three ids per span). */
function isLowerHex(s: string, length: number): boolean {
  if (s.length !== length) return false;
  for (let i = 0; i < length; i++) {
    const c = s.charCodeAt(i);
    if (c > 102 || c < 48 || (c > 57 && c < 97)) return false;
  }
  return true;
}

function checkHex(field: string, value: unknown, zero: string, length: number): IdCheck {
  let id = typeof value === 'string' ? value : undefined;
  // Senders differ on case (W3C says lowercase); uppercase is the same id.
  if (id !== undefined && !isLowerHex(id, length)) id = id.toLowerCase();
  if (id === undefined || !isLowerHex(id, length)) {
    return {
      ok: false,
      reason: `${field} ${describeValue(value)} is not ${length} hexadecimal characters`,
    };
  }
  if (id === zero) return { ok: false, reason: `${field} ${describeValue(value)} is all zeros` };
  return { ok: true, id };
}

/** A trace id: 32 hex characters, not all zeros; uppercase is lowercased. */
export function checkTraceId(value: unknown): IdCheck {
  return checkHex('traceId', value, ZERO_TRACE_ID, 32);
}

/** A span id: 16 hex characters, not all zeros; uppercase is lowercased. */
export function checkSpanId(value: unknown, field = 'spanId'): IdCheck {
  return checkHex(field, value, ZERO_SPAN_ID, 16);
}

/**
 * A parent span id: absent, empty or all zeros (how some senders spell "root") mean no parent;
 * anything else must be a valid span id.
 */
export function checkParentSpanId(value: unknown): IdCheck | { ok: true; id: null } {
  if (value === undefined || value === null || value === '' || value === ZERO_SPAN_ID) {
    return { ok: true, id: null };
  }
  return checkSpanId(value, 'parentSpanId');
}
