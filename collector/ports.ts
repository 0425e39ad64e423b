import { isPortFree } from '../shared/database/index.js';
import type { SpanledgerConfig } from './config/index.js';

/** The configured port is taken; the message says which and how to choose another. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

/** A host and port to listen on, and the config field it came from (for error messages). */
export interface Endpoint {
  host: string;
  port: number;
  field: string;
}

export function splitEndpoint(endpoint: string, field: string): Endpoint {
  const idx = endpoint.lastIndexOf(':');
  const host = endpoint.slice(0, idx).replace(/^\[|\]$/g, '');
  return { host, port: Number(endpoint.slice(idx + 1)), field };
}

/** Fails fast on an occupied port, before initialising a database. */
export async function checkPorts(config: Readonly<SpanledgerConfig>) {
  const otlp = splitEndpoint(
    config.receivers.otlp.protocols.http.endpoint,
    'receivers.otlp.protocols.http.endpoint',
  );
  const queryConfig = config.extensions.query_api;
  // The console (on by default) is served on the query API's port, with or without the API.
  const query =
    queryConfig.enabled || config.extensions.console.enabled
      ? splitEndpoint(queryConfig.endpoint, 'extensions.query_api.endpoint')
      : undefined;
  for (const e of query ? [otlp, query] : [otlp]) {
    if (e.port !== 0 && !(await isPortFree(e.port, e.host))) throw portInUse(e);
  }
  return { otlp, query };
}

// The variables otel-config.yaml reads these endpoints from.
const ENDPOINT_VARIABLES: Record<string, string> = {
  'receivers.otlp.protocols.http.endpoint': 'SPANLEDGER_OTLP_ENDPOINT',
  'extensions.query_api.endpoint': 'SPANLEDGER_QUERY_ENDPOINT',
};

/** The error for an occupied endpoint, naming the variable that moves it. */
export function portInUse(e: Endpoint): PortInUseError {
  const variable = ENDPOINT_VARIABLES[e.field];
  const move = variable
    ? `set ${variable} (e.g. ${variable}=${e.host}:${e.port + 1}) or ${e.field}`
    : `set ${e.field}`;
  return new PortInUseError(
    `${e.host}:${e.port} is already in use (${e.field}); stop the other process or choose another port: ${move}`,
  );
}
