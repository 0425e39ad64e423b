import { Readable } from 'node:stream';

/** Where the CLI sends its requests: a query API base URL and a bearer token. */
export interface ApiTarget {
  baseUrl: string;
  token: string;
}

/** A refusal or failure the CLI reports as one line (exit 1). */
export class CliError extends Error {
  override name = 'CliError';
}

type Params = Record<string, string | number | undefined>;

// The CLI sends these API parameters from these flags: a refusal names what the user typed.
const FLAG_OF: Record<string, string> = {
  tenant_id: '--tenant',
  user_id: '--user',
  group_by: '--by',
  event_type: '--event-type',
  session_id: '--session',
  tool_name: '--tool',
  trace_id: '--trace-id',
};
const API_NAMES = new RegExp(`\\b(${Object.keys(FLAG_OF).join('|')})\\b`, 'g');

/** An API refusal in the CLI's words: parameter names become the flags that set them. */
export function inFlagNames(message: string): string {
  return message.replace(API_NAMES, (name) => FLAG_OF[name] ?? name);
}

function urlOf(target: ApiTarget, path: string, params: Params): string {
  const url = new URL(path, target.baseUrl.endsWith('/') ? target.baseUrl : `${target.baseUrl}/`);
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}

async function request(target: ApiTarget, path: string, params: Params): Promise<Response> {
  const url = urlOf(target, path.replace(/^\//, ''), params);
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${target.token}` } });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new CliError(
      `cannot reach the query API at ${target.baseUrl}: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
    );
  }
  if (response.ok) return response;
  const text = await response.text();
  let message = text;
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {}
  throw new CliError(`the query API answered ${response.status}: ${inFlagNames(message)}`);
}

/** GET a JSON endpoint; throws CliError with the API's message on a refusal. */
export async function getJson<T>(target: ApiTarget, path: string, params: Params = {}): Promise<T> {
  const response = await request(target, path, params);
  return (await response.json()) as T;
}

/** GET a streamed endpoint (exports) as a Node readable. */
export async function getStream(
  target: ApiTarget,
  path: string,
  params: Params,
): Promise<Readable> {
  const response = await request(target, path, params);
  if (!response.body) throw new CliError('the query API sent no body');
  return Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
}
