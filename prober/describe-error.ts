import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { TargetRefusedError } from './target-guard.js';

const HTTP_REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function rootCause(err: unknown): NodeJS.ErrnoException & { code?: string } {
  let e = err as { cause?: unknown } & NodeJS.ErrnoException;
  for (let i = 0; i < 5 && e?.cause && typeof e.cause === 'object'; i++) e = e.cause as typeof e;
  return e;
}

function httpStatusOf(err: unknown): number | undefined {
  if (err instanceof StreamableHTTPError && typeof err.code === 'number' && err.code >= 100)
    return err.code;
  const m =
    /\bHTTP (\d{3})\b|status(?: code)? (\d{3})|\((\d{3})\)|Non-200 status code \((\d{3})\)/i.exec(
      (err as Error)?.message ?? '',
    );
  const code = m ? Number(m[1] ?? m[2] ?? m[3] ?? m[4]) : undefined;
  return code && code >= 100 && code < 600 ? code : undefined;
}

/** An error from a probe step in words a person understands (DNS, refused, TLS, HTTP, ...). */
export function describeProbeError(err: unknown, target: string): string {
  if (err instanceof TargetRefusedError) return err.message;
  const status = httpStatusOf(err);
  if (status)
    return `HTTP ${status}${HTTP_REASONS[status] ? ` ${HTTP_REASONS[status]}` : ''} from ${target}`;
  const cause = rootCause(err);
  switch (cause?.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `DNS lookup failed for ${target} (${cause.code})`;
    case 'ECONNREFUSED':
      return `connection refused by ${target}`;
    case 'ECONNRESET':
      return `connection reset by ${target}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${target} is unreachable (${cause.code})`;
    case 'ENOENT':
      return `command not found: ${target}`;
    case 'EACCES':
      return `permission denied starting ${target}`;
  }
  if (cause?.code && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(cause.code)) {
    return `TLS error talking to ${target}: ${cause.message} (${cause.code})`;
  }
  const message = (err as Error)?.message ?? String(err);
  if (/MCP error -32601/.test(message)) return `method not supported by ${target}: ${message}`;
  if (/MCP error/.test(message)) return `protocol error from ${target}: ${message}`;
  if (/Connection closed/i.test(message)) return `${target} closed the connection: ${message}`;
  return `${message} (${target})`;
}
