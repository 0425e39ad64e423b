import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../collector/config/index.js';

describe('extensions.console', () => {
  it('is on by default, beside the query API (which stays off)', () => {
    const config = resolveConfig({});
    expect(config.extensions.console).toEqual({ enabled: true, session_ttl: 12 * 3600 * 1000 });
    expect(config.extensions.query_api.enabled).toBe(false);
    expect(config.extensions.query_api.endpoint).toBe('127.0.0.1:4319');
  });

  it('refuses a non-loopback endpoint without tokens, naming the field and the ways out', () => {
    expect(() =>
      resolveConfig({ extensions: { query_api: { endpoint: '0.0.0.0:4319' } } }, 'c.yaml'),
    ).toThrow(
      'c.yaml: extensions.query_api.endpoint must be a loopback address (such as "127.0.0.1:4319") while the console is enabled and extensions.query_api.auth has no tokens',
    );
    // With tokens, or with the console off, any interface is allowed.
    const withTokens = resolveConfig({
      extensions: {
        query_api: {
          endpoint: '0.0.0.0:4319',
          auth: { tokens: [{ token: 'acme-token-0123456789', tenant: 'acme' }] },
        },
      },
    });
    expect(withTokens.extensions.console.enabled).toBe(true);
    expect(() =>
      resolveConfig({
        extensions: { query_api: { endpoint: '0.0.0.0:4319' }, console: { enabled: false } },
      }),
    ).not.toThrow();
  });

  it('refuses the OTLP endpoint as its port, and a trace_url without {trace_id}', () => {
    expect(() =>
      resolveConfig(
        {
          receivers: { otlp: { protocols: { http: { endpoint: '127.0.0.1:4319' } } } },
        },
        'c.yaml',
      ),
    ).toThrow(
      'c.yaml: extensions.query_api.endpoint must differ from receivers.otlp.protocols.http.endpoint',
    );
    expect(() =>
      resolveConfig(
        { extensions: { console: { trace_url: 'http://jaeger:16686/trace/' } } },
        'c.yaml',
      ),
    ).toThrow('extensions.console.trace_url must be an http(s) URL containing {trace_id}');
    expect(
      resolveConfig({
        extensions: { console: { trace_url: 'http://jaeger:16686/trace/{trace_id}' } },
      }).extensions.console.trace_url,
    ).toBe('http://jaeger:16686/trace/{trace_id}');
  });
});
