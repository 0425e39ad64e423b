/**
 * One line for a driver or server error: SQLSTATE or errno code, then the message. pg-pool's
 * idle errors carry the client (connection parameters, password included) as `err.client`, so
 * errors are never logged as objects: only this text.
 */
export function describeDatabaseError(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const message = typeof e?.message === 'string' && e.message ? e.message : String(err);
  const code = typeof e?.code === 'string' ? e.code : undefined;
  return code && !message.includes(code) ? `${code} ${message}` : message;
}
