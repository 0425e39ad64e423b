import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter, tracesUrl } from '../../../../collector/forward/index.js';

describe('tracesUrl', () => {
  it('appends /v1/traces unless the endpoint already ends with it', () => {
    expect(tracesUrl('http://jaeger:4318')).toBe('http://jaeger:4318/v1/traces');
    expect(tracesUrl('http://jaeger:4318/')).toBe('http://jaeger:4318/v1/traces');
    expect(tracesUrl('https://tempo.example/otlp')).toBe('https://tempo.example/otlp/v1/traces');
    expect(tracesUrl('http://collector:4318/v1/traces')).toBe('http://collector:4318/v1/traces');
  });
});

describe('backoff', () => {
  const policy = { enabled: true, initialIntervalMs: 100, maxIntervalMs: 1000, maxElapsedMs: 0 };
  it('doubles from the initial interval up to the maximum, with ±50% jitter', () => {
    expect(backoffDelay(0, policy, () => 0.5)).toBe(100);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(800);
    expect(backoffDelay(10, policy, () => 0.5)).toBe(1000);
    expect(backoffDelay(0, policy, () => 0)).toBe(50);
    expect(backoffDelay(0, policy, () => 0.999)).toBe(150);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
