import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  parseDuration,
  parseSize,
  resolveConfig,
  substituteEnv,
} from '../../../collector/config/index.js';

describe('substituteEnv', () => {
  it('replaces ${env:VAR} and applies :- defaults for unset or empty variables', () => {
    const env = { A: 'alpha', EMPTY: '' };
    expect(substituteEnv('x: ${env:A}', env)).toBe('x: alpha');
    expect(substituteEnv('x: ${env:B:-beta}', env)).toBe('x: beta');
    expect(substituteEnv('x: ${env:EMPTY:-fallback}', env)).toBe('x: fallback');
    expect(substituteEnv('x: ${env:B}', env)).toBe('x: ');
    expect(substituteEnv('cost: $$5', env)).toBe('cost: $5');
  });
});

describe('units', () => {
  it('parses durations and sizes', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2s')).toBe(2000);
    expect(parseDuration('fast')).toBeUndefined();
    expect(parseSize('20MiB')).toBe(20 * 1024 * 1024);
    expect(parseSize('1GB')).toBe(1e9);
    expect(parseSize('-1')).toBeUndefined();
  });
});

describe('resolveConfig', () => {
  it('fills every default', () => {
    const config = resolveConfig({});
    expect(config.receivers.otlp.protocols.http.endpoint).toBe('127.0.0.1:4318');
    expect(config.receivers.otlp.protocols.http.max_request_body_size).toBe(20 * 1024 * 1024);
    expect(config.exporters.postgres.embedded.data_dir).toBe('.spanledger/pg');
    expect(config.exporters.postgres.url).toBe('');
    expect(Object.isFrozen(config.exporters.postgres)).toBe(true);
  });

  it('treats an empty substituted value (YAML null) as unset', () => {
    expect(resolveConfig({ exporters: { postgres: { url: null } } }).exporters.postgres.url).toBe(
      '',
    );
  });

  it('names the field, the value and what was expected', () => {
    const bad = () =>
      resolveConfig({ exporters: { postgres: { batch_size: 'fast' } } }, 'otel-config.yaml');
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(
      'otel-config.yaml: exporters.postgres.batch_size must be an integer between 1 and 100000 (got "fast")',
    );
  });

  it('reads the attribute keys allowed besides the built-in allowlist', () => {
    expect(resolveConfig({}).exporters.postgres.allowed_attributes).toEqual([]);
    const config = resolveConfig({
      exporters: { postgres: { allowed_attributes: ['app.feature', 'app.region'] } },
    });
    expect(config.exporters.postgres.allowed_attributes).toEqual(['app.feature', 'app.region']);
    expect(() =>
      resolveConfig({ exporters: { postgres: { allowed_attributes: ['app.x', ''] } } }, 'c.yaml'),
    ).toThrow('c.yaml: exporters.postgres.allowed_attributes.1 must be an attribute key (got "")');
  });

  it('rejects unknown keys by name', () => {
    expect(() => resolveConfig({ exporters: { postgres: { batchsize: 5 } } }, 'c.yaml')).toThrow(
      'c.yaml: exporters.postgres: unknown key "batchsize"',
    );
  });

  it('reports every problem at once', () => {
    try {
      resolveConfig({
        receivers: {
          otlp: { protocols: { http: { endpoint: 'nope', max_request_body_size: 'big' } } },
        },
      });
      expect.unreachable();
    } catch (err) {
      const lines = (err as Error).message.split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toContain('receivers.otlp.protocols.http.endpoint must be host:port');
      expect(lines[1]).toContain('max_request_body_size must be a size');
    }
  });

  it('defaults the receiver timeouts and gives one tenant half the in-flight slots', () => {
    const http = resolveConfig({}).receivers.otlp.protocols.http;
    expect(http.read_timeout).toBe(30_000);
    expect(http.read_header_timeout).toBe(10_000);
    expect(http.idle_timeout).toBe(60_000);
    expect(http.max_concurrent_requests).toBe(64);
    expect(http.max_concurrent_requests_per_tenant).toBe(32);
    const small = (max: number) =>
      resolveConfig({
        receivers: { otlp: { protocols: { http: { max_concurrent_requests: max } } } },
      }).receivers.otlp.protocols.http.max_concurrent_requests_per_tenant;
    expect(small(5)).toBe(2);
    expect(small(1)).toBe(1);
  });

  it('takes receiver timeouts and the per-tenant share from the file, within bounds', () => {
    const http = (fields: Record<string, unknown>) =>
      resolveConfig({ receivers: { otlp: { protocols: { http: fields } } } }, 'c.yaml').receivers
        .otlp.protocols.http;
    const set = http({
      read_timeout: '5s',
      idle_timeout: '90s',
      max_concurrent_requests_per_tenant: 8,
    });
    expect(set.read_timeout).toBe(5_000);
    expect(set.idle_timeout).toBe(90_000);
    expect(set.max_concurrent_requests_per_tenant).toBe(8);
    expect(() => http({ read_timeout: '0s' })).toThrow(
      'c.yaml: receivers.otlp.protocols.http.read_timeout must be a duration between 1ms and 24h (got "0s")',
    );
    expect(() => http({ read_header_timeout: '48h' })).toThrow('between 1ms and 24h');
    expect(() =>
      http({ max_concurrent_requests: 4, max_concurrent_requests_per_tenant: 5 }),
    ).toThrow(
      'c.yaml: receivers.otlp.protocols.http.max_concurrent_requests_per_tenant must be at most max_concurrent_requests (4) (got 5)',
    );
  });
});
