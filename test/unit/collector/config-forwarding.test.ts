import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../../collector/config/index.js';

describe('receiver auth and binding', () => {
  it('refuses a non-loopback endpoint without tokens, naming the field', () => {
    const bad = () =>
      resolveConfig(
        { receivers: { otlp: { protocols: { http: { endpoint: '0.0.0.0:4318' } } } } },
        'c.yaml',
      );
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(
      'c.yaml: receivers.otlp.protocols.http.endpoint must be a loopback address (such as "127.0.0.1:4318") while receivers.otlp.protocols.http.auth.tokens is empty',
    );
  });

  it('allows loopback without tokens, and any address with tokens', () => {
    for (const endpoint of ['127.0.0.1:4318', 'localhost:4318', '[::1]:4318', '127.0.0.2:1']) {
      expect(
        resolveConfig({ receivers: { otlp: { protocols: { http: { endpoint } } } } }),
      ).toBeTruthy();
    }
    const config = resolveConfig({
      receivers: {
        otlp: {
          protocols: {
            http: {
              endpoint: '0.0.0.0:4318',
              auth: { tokens: [{ token: 'a'.repeat(16), tenant: 'acme' }] },
            },
          },
        },
      },
    });
    expect(config.receivers.otlp.protocols.http.max_concurrent_requests).toBe(64);
  });
});

describe('otlphttp exporters', () => {
  it('fills the defaults of a forward target', () => {
    const config = resolveConfig({
      exporters: { 'otlphttp/jaeger': { endpoint: 'http://jaeger:4318' } },
      service: { pipelines: { traces: { exporters: ['postgres', 'otlphttp/jaeger'] } } },
    });
    expect(config.exporters.otlphttp['otlphttp/jaeger']).toEqual({
      endpoint: 'http://jaeger:4318',
      headers: {},
      timeout: 10_000,
      compression: 'gzip',
      sending_queue: { queue_size: 1000, max_size: 256 * 1024 * 1024, num_consumers: 4 },
      retry_on_failure: {
        enabled: true,
        initial_interval: 5000,
        max_interval: 30_000,
        max_elapsed_time: 300_000,
      },
    });
    expect(config.exporters.postgres.batch_size).toBe(2000);
  });

  it('names unknown exporters, bad fields and missing endpoints', () => {
    try {
      resolveConfig(
        {
          exporters: {
            jaeger: { endpoint: 'http://jaeger:4318' },
            'otlphttp/a': { endpoint: 'ftp://x', compression: 'zstd', retry: {} },
            'otlphttp/b': {},
          },
        },
        'c.yaml',
      );
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message.split('\n')).toEqual([
        'c.yaml: exporters: unknown key "jaeger"',
        'c.yaml: exporters.otlphttp/a.endpoint must be an http(s) URL such as "http://jaeger:4318" (got "ftp://x")',
        'c.yaml: exporters.otlphttp/a.compression must be "gzip" or "none" (got "zstd")',
        'c.yaml: exporters.otlphttp/a: unknown key "retry"',
        'c.yaml: exporters.otlphttp/b.endpoint is required (got nothing)',
      ]);
    }
  });

  it('checks that the pipeline names defined exporters and keeps postgres', () => {
    const pipeline = (exporters: string[]) => () =>
      resolveConfig(
        {
          exporters: { 'otlphttp/jaeger': { endpoint: 'http://jaeger:4318' } },
          service: { pipelines: { traces: { exporters } } },
        },
        'c.yaml',
      );
    expect(pipeline(['postgres', 'otlphttp/tempo'])).toThrow(
      'c.yaml: service.pipelines.traces.exporters.1 names an exporter that is not defined under exporters (defined: postgres, otlphttp/jaeger) (got "otlphttp/tempo")',
    );
    expect(pipeline(['otlphttp/jaeger'])).toThrow(
      'service.pipelines.traces.exporters must include "postgres"',
    );
    expect(pipeline(['postgres'])).not.toThrow();
  });
});
