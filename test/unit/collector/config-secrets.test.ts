import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, resolveConfig } from '../../../collector/config/index.js';

/** Looks like a key, is short enough to break the 16-character rule with a suffix cut off. */
const SECRET = 'sk-live-Zq7';
const LONG_SECRET = 'sk-live-Zq7xW2pL9mN4vB8c';

function errorOf(raw: unknown): string {
  try {
    resolveConfig(raw, 'otel-config.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const receiverAuth = (auth: unknown) => ({
  receivers: { otlp: { protocols: { http: { auth } } } },
});
const queryAuth = (auth: unknown) => ({ extensions: { query_api: { enabled: true, auth } } });
const forward = (target: unknown) => ({ exporters: { 'otlphttp/jaeger': target } });
const mcpServer = (server: unknown) => ({
  extensions: { mcp_health: { servers: [{ name: 'kb', ...(server as object) }] } },
});

/** [field named in the error, config, the rule it must state] for every secret-bearing field. */
const CASES: Array<[string, unknown, string]> = [
  [
    'receivers.otlp.protocols.http.auth.tokens.0.token',
    receiverAuth({ tokens: [{ token: SECRET, tenant: 'acme' }] }),
    'must be at least 16 characters',
  ],
  [
    'receivers.otlp.protocols.http.auth.tokens.0',
    receiverAuth({ tokens: [LONG_SECRET] }),
    'expected object',
  ],
  [
    'receivers.otlp.protocols.http.auth.tokens',
    receiverAuth({ tokens: LONG_SECRET }),
    'expected array',
  ],
  [
    'receivers.otlp.protocols.http.auth.tokens.0.tenant',
    receiverAuth({ tokens: [{ token: 'a'.repeat(16), tenant: [LONG_SECRET] }] }),
    'must name a tenant',
  ],
  [
    'extensions.query_api.auth.tokens.0.token',
    queryAuth({ tokens: [{ token: SECRET, tenant: 'acme' }] }),
    'must be at least 16 characters',
  ],
  [
    'extensions.query_api.auth.admin_tokens.0',
    queryAuth({ admin_tokens: [SECRET] }),
    'must be at least 16 characters',
  ],
  [
    'extensions.query_api.auth.admin_tokens',
    queryAuth({ admin_tokens: LONG_SECRET }),
    'expected array',
  ],
  [
    'extensions.query_api.auth.admin_tokens.1',
    queryAuth({ admin_tokens: [LONG_SECRET, LONG_SECRET] }),
    'repeats a token configured above',
  ],
  [
    'exporters.postgres.hash_key',
    { exporters: { postgres: { hash_key: [LONG_SECRET] } } },
    'expected string',
  ],
  [
    'exporters.postgres.url',
    { exporters: { postgres: { url: [`postgres://app:${LONG_SECRET}@db/x`] } } },
    'expected string',
  ],
  [
    'exporters.postgres',
    { exporters: { postgres: `postgres://app:${LONG_SECRET}@db/x` } },
    'expected object',
  ],
  [
    'exporters.otlphttp/jaeger.headers.authorization',
    forward({
      endpoint: 'http://jaeger:4318',
      headers: { authorization: [`Bearer ${LONG_SECRET}`] },
    }),
    'must be a string',
  ],
  [
    'exporters.otlphttp/jaeger.headers',
    forward({ endpoint: 'http://jaeger:4318', headers: `authorization: Bearer ${LONG_SECRET}` }),
    'expected record',
  ],
  [
    'exporters.otlphttp/jaeger.endpoint',
    forward({ endpoint: `ftp://user:${LONG_SECRET}@tempo/?api_key=${LONG_SECRET}` }),
    'must be an http(s) URL',
  ],
  [
    'exporters.otlphttp/jaeger.endpoint',
    forward({ endpoint: `not a url ${LONG_SECRET}` }),
    'must be an http(s) URL',
  ],
  [
    'extensions.mcp_health.servers.0.url',
    mcpServer({ transport: 'streamable_http', url: `kb.internal/mcp?token=${LONG_SECRET}` }),
    'must be an http(s) URL',
  ],
  [
    'extensions.mcp_health.servers.0.headers.authorization',
    mcpServer({
      transport: 'streamable_http',
      url: 'https://kb.internal/mcp',
      headers: { authorization: [`Bearer ${LONG_SECRET}`] },
    }),
    'expected string',
  ],
  [
    'extensions.mcp_health.servers.0.env.KB_TOKEN',
    mcpServer({ transport: 'stdio', command: 'kb-server', env: { KB_TOKEN: [LONG_SECRET] } }),
    'expected string',
  ],
  [
    'extensions.mcp_health.servers.0.args',
    mcpServer({ transport: 'stdio', command: 'kb-server', args: `--api-key=${LONG_SECRET}` }),
    'expected array',
  ],
];

describe('config errors never print a secret', () => {
  it.each(CASES)('%s: names the field and the rule, not the value', (field, raw, rule) => {
    const message = errorOf(raw);
    expect(message).toContain(`otel-config.yaml: ${field} `);
    expect(message).toContain(rule);
    expect(message).not.toContain(SECRET);
  });

  it('says what kind of value it was, so the mistake can still be found', () => {
    expect(errorOf(receiverAuth({ tokens: [{ token: SECRET, tenant: 'acme' }] }))).toContain(
      `(got a string of ${SECRET.length} characters, not shown: the field may hold a secret)`,
    );
  });

  it('says null when an unset ${env:…} left the secret empty', () => {
    expect(errorOf(queryAuth({ admin_tokens: [null] }))).toContain(
      'extensions.query_api.auth.admin_tokens.0 must be at least 16 characters (got null)',
    );
  });

  it('shows a URL with its user info, query and fragment masked', () => {
    expect(
      errorOf(forward({ endpoint: `ftp://user:${LONG_SECRET}@tempo/v1?k=${LONG_SECRET}#x` })),
    ).toBe(
      'otel-config.yaml: exporters.otlphttp/jaeger.endpoint must be an http(s) URL such as "http://jaeger:4318" (got "ftp://****:****@tempo/v1?****#****")',
    );
  });

  it('still quotes values of ordinary fields', () => {
    expect(errorOf({ exporters: { postgres: { batch_size: 'fast' } } })).toBe(
      'otel-config.yaml: exporters.postgres.batch_size must be an integer between 1 and 100000 (got "fast")',
    );
  });

  describe('YAML that does not parse', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'spanledger-config-'));
    });
    afterAll(async () => rm(dir, { recursive: true, force: true }));

    it.each([
      ['an unclosed quote', 'receivers:\n  token: "${env:TOKEN}\n  next: 1\n'],
      ['a nested mapping', 'token: ${env:TOKEN}: x: y\n'],
      ['a repeated key', 'token: a\ntoken: ${env:TOKEN}\n'],
    ])('gives the line and the reason without the line itself (%s)', async (_, text) => {
      const path = join(dir, 'otel-config.yaml');
      await writeFile(path, text);
      const error = await loadConfigFile(path, { TOKEN: LONG_SECRET }).catch((err) => err);
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toMatch(/not valid YAML at line \d+, column \d+: /);
      expect(error.message).not.toContain(SECRET);
    });
  });
});
