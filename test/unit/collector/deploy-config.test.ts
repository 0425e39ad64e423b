import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../collector/config/index.js';

describe('shipped configs', () => {
  it('deploy/spanledger.yaml is valid and listens beyond loopback only with a token', async () => {
    const config = await loadConfigFile('deploy/spanledger.yaml', {
      SPANLEDGER_TOKEN: 'a-long-enough-token-123',
      DATABASE_URL: 'postgres://spanledger:x@postgres:5432/spanledger',
    });
    const http = config.receivers.otlp.protocols.http;
    expect(http.endpoint).toBe('0.0.0.0:4318');
    expect(http.auth.tokens).toEqual([{ token: 'a-long-enough-token-123', tenant: 'default' }]);
    await expect(loadConfigFile('deploy/spanledger.yaml', {})).rejects.toThrow(
      'receivers.otlp.protocols.http.auth.tokens.0.token must be at least 16 characters',
    );
  });

  it('otel-config.yaml documents a forward target that validates when uncommented', async () => {
    const text = await readFile('otel-config.yaml', 'utf8');
    const example = text
      .split('\n')
      .filter((line) => /^ {2}# (otlphttp\/jaeger:| {2})/.test(line))
      .map((line) => line.replace(/^ {2}# /, '  '))
      .join('\n');
    const { resolveConfig } = await import('../../../collector/config/index.js');
    const { parse } = await import('yaml');
    const config = resolveConfig({
      exporters: parse(`${example}\n`),
      service: { pipelines: { traces: { exporters: ['postgres', 'otlphttp/jaeger'] } } },
    });
    expect(config.exporters.otlphttp['otlphttp/jaeger']!.endpoint).toBe('http://jaeger:4318');
  });
});
