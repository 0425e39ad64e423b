import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveConfig, substituteEnv } from '../../../collector/config/index.js';
import { createQueryAuth } from '../../../query/index.js';

const A = 'tenant-a-token-0123456789';
const ADMIN = 'admin-token-0123456789ab';

describe('query API tokens', () => {
  const auth = createQueryAuth({ tokens: [{ token: A, tenant: 'a' }], admin_tokens: [ADMIN] });

  it('maps tokens to principals', () => {
    expect(auth(`Bearer ${A}`)).toEqual({ kind: 'tenant', tenant: 'a' });
    expect(auth(`bearer   ${ADMIN} `)).toEqual({ kind: 'admin' });
  });

  it('refuses anything else', () => {
    for (const header of [
      undefined,
      '',
      'Bearer',
      `Basic ${A}`,
      `Bearer ${A}x`,
      `Bearer ${A} extra`,
      A,
    ]) {
      expect(auth(header), String(header)).toBeUndefined();
    }
  });
});

describe('extensions.query_api config', () => {
  const resolve = (queryApi: unknown) =>
    resolveConfig({ extensions: { query_api: queryApi } }, 'otel-config.yaml');

  it('is off by default, and fills its defaults', () => {
    expect(resolveConfig({}).extensions.query_api).toEqual({
      enabled: false,
      endpoint: '127.0.0.1:4319',
      auth: { tokens: [], admin_tokens: [] },
      quotas: [],
      max_connections: 4,
      max_concurrent_exports: 2,
      query_timeout: 30_000,
    });
  });

  it('names the field, the value and what was expected', () => {
    expect(() => resolve({ enabled: true })).toThrow(
      'otel-config.yaml: extensions.query_api.auth must configure at least one of tokens or admin_tokens',
    );
    expect(() => resolve({ enabled: true, auth: { admin_tokens: [null] } })).toThrow(
      'otel-config.yaml: extensions.query_api.auth.admin_tokens.0 must be at least 16 characters (got null)',
    );
    expect(() => resolve({ auth: { tokens: [{ token: A, tenant: '' }] } })).toThrow(
      'extensions.query_api.auth.tokens.0.tenant must name a tenant',
    );
    expect(() =>
      resolve({ auth: { tokens: [{ token: A, tenant: 'a' }], admin_tokens: [A] } }),
    ).toThrow('extensions.query_api.auth.admin_tokens.0 repeats a token configured above');
    expect(() => resolve({ endpoint: 'localhost' })).toThrow(
      'extensions.query_api.endpoint must be host:port, such as "127.0.0.1:4318" (got "localhost")',
    );
    expect(() => resolve({ query_timeout: 'soon' })).toThrow(
      'extensions.query_api.query_timeout must be a duration',
    );
  });

  it('checks quota rules', () => {
    expect(() => resolve({ quotas: [{ tenant: 'a', period: 'day' }] })).toThrow(
      'extensions.query_api.quotas.0 must set tokens, cost_usd or both',
    );
    expect(() => resolve({ quotas: [{ tenant: 'a', period: 'week', tokens: 1 }] })).toThrow(
      'extensions.query_api.quotas.0.period must be day or month (got "week")',
    );
    expect(() => resolve({ quotas: [{ tenant: 'a', period: 'day', tokens: 1.5 }] })).toThrow(
      'extensions.query_api.quotas.0.tokens must be a whole number of tokens greater than 0 (got 1.5)',
    );
    expect(() => resolve({ quotas: [{ tenant: 'a', period: 'day', cost_usd: -1 }] })).toThrow(
      'extensions.query_api.quotas.0.cost_usd must be a number greater than 0 (got -1)',
    );
    expect(() =>
      resolve({ quotas: [{ tenant: '*', user: 'ann', period: 'day', tokens: 1 }] }),
    ).toThrow('extensions.query_api.quotas.0.user must be "*" or omitted when tenant is "*"');
    expect(() =>
      resolve({
        quotas: [
          { tenant: 'a', user: '*', period: 'day', tokens: 1 },
          { tenant: 'a', user: '*', period: 'day', cost_usd: 1 },
        ],
      }),
    ).toThrow(
      'extensions.query_api.quotas.1 repeats the rule for tenant "a", user "*", period day',
    );
  });

  it('otel-config.yaml documents a block that validates when uncommented', async () => {
    const lines = (await readFile('otel-config.yaml', 'utf8')).split('\n');
    const start = lines.indexOf('  query_api:');
    expect(start).toBeGreaterThan(0);
    const end = lines.findIndex((line, i) => i > start && /^ {0,3}\S/.test(line));
    const block = lines
      .slice(start, end)
      // Uncomment the example settings; prose comments stay comments.
      .map((line) => line.replace(/^( {4})# ( *(?:[a-z_]+:|- ))/, '$1$2'))
      .join('\n');
    const env = {
      SPANLEDGER_QUERY_TOKEN_ACME: 'acme-token-0123456789',
      SPANLEDGER_QUERY_ADMIN_TOKEN: 'admin-token-0123456789',
    };
    const config = resolveConfig({ extensions: parse(substituteEnv(block, env)) });
    expect(config.extensions.query_api.endpoint).toBe('127.0.0.1:4319');
    expect(config.extensions.query_api.auth.tokens).toEqual([
      { token: 'acme-token-0123456789', tenant: 'acme' },
    ]);
    expect(config.extensions.query_api.quotas).toHaveLength(3);
  });
});
