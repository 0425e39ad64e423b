import type { DatabaseTarget } from '../shared/database/index.js';
import type { SpanledgerConfig } from './config/index.js';
import type { ForwardSet } from './forward/index.js';

/** The human-readable lines printed once the collector listens: what it serves and how. */
export function bannerLines(
  otlpUrl: string,
  config: Readonly<SpanledgerConfig>,
  target: DatabaseTarget,
  forward: ForwardSet,
  state: {
    queryUrl?: string | undefined;
    consoleUrl?: string | undefined;
    serverVersion?: string | undefined;
    notReady?: string | undefined;
  },
): string[] {
  const tokens = config.receivers.otlp.protocols.http.auth.tokens;
  const tenants = new Set(tokens.map((t) => t.tenant)).size;
  const queryUrl = state.queryUrl;
  const version = state.serverVersion ?? '(version unknown)';
  const database = state.notReady
    ? `NOT READY: ${state.notReady}; spans are spooled to ${config.exporters.postgres.spool.dir} and retried`
    : target.embedded
      ? `embedded Postgres ${version}, data in ${target.embedded.dataDir}`
      : `Postgres ${version}`;
  return [
    'spanledger collector ready',
    `  OTLP/HTTP receiver  ${otlpUrl}/v1/traces`,
    `  health              ${otlpUrl}/healthz  ${otlpUrl}/readyz`,
    `  metrics             ${otlpUrl}/metrics`,
    tokens.length > 0
      ? `  auth                bearer tokens (${tokens.length} token(s), ${tenants} tenant(s)); the token's tenant overrides the payload's`
      : '  auth                none: no tokens configured (receivers.otlp.protocols.http.auth.tokens), so only loopback addresses are allowed',
    ...forward.targets.map((t) => `  forwarding to       ${t.name} ${t.targetUrl}`),
    ...(queryUrl ? [queryLine(queryUrl, config)] : []),
    ...(state.consoleUrl ? [consoleLine(state.consoleUrl, config)] : []),
    `  database            ${target.maskedUrl} (${database})`,
  ];
}

function queryLine(queryUrl: string, config: Readonly<SpanledgerConfig>): string {
  const { tokens, admin_tokens } = config.extensions.query_api.auth;
  const tenants = new Set(tokens.map((t) => t.tenant)).size;
  return `  query API           ${queryUrl}/v1/audit  ${queryUrl}/v1/openapi.json (${tenants} tenant(s), ${admin_tokens.length} admin token(s))`;
}

function consoleLine(consoleUrl: string, config: Readonly<SpanledgerConfig>): string {
  const { tokens, admin_tokens } = config.extensions.query_api.auth;
  const access =
    tokens.length + admin_tokens.length === 0
      ? 'open to this machine: no query tokens configured, loopback only'
      : 'sign in with a query token';
  return `  console             ${consoleUrl}  (${access})`;
}
