import { describe, expect, it } from 'vitest';
import { isSecretKey, redactSecrets } from '../../../../exporters/postgres/redact.js';

describe('isSecretKey', () => {
  it.each([
    'http.request.header.authorization',
    'http.request.header.proxy-authorization',
    'http.request.header.x-api-key',
    'http.request.header.cookie',
    'http.response.header.set-cookie',
    'ai.request.headers.Authorization',
    'app.password',
    'app.db_password',
    'app.client_secret',
    'app.token',
    'app.github_token',
    'app.accessToken',
    'app.openai_api_key',
    'app.apiKey',
    'aws.secret_access_key',
    'app.credentials',
    'app.private_key',
  ])('%s names a secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each([
    'gen_ai.usage.input_tokens',
    'gen_ai.usage.output_tokens',
    'gen_ai.usage.cache_read.input_tokens',
    'gen_ai.usage.reasoning.output_tokens',
    'gen_ai.request.max_tokens',
    'llm.token_count.prompt',
    'llm.usage.total_tokens',
    'ai.usage.promptTokens',
    'ai.settings.maxOutputTokens',
    'gen_ai.response.id',
    'server.address',
    'app.keyboard',
    'app.secretary_name',
  ])('%s does not', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });
});

describe('redactSecrets', () => {
  it.each([
    ['OpenAI key', 'key=sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12', 'key=[REDACTED]'],
    ['Anthropic key', 'use sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx-yz now', 'use [REDACTED] now'],
    ['AWS key id', 'AKIAIOSFODNN7EXAMPLE is set', '[REDACTED] is set'],
    ['GitHub token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', '[REDACTED]'],
    ['Google key', 'AIzaSyA-1234567890abcdefghijklmnopqrstu', '[REDACTED]'],
    ['Slack token', 'xoxb-1234567890-abcdefghij', '[REDACTED]'],
    ['bearer header', 'Authorization: Bearer abc.def.ghi-jkl', 'Authorization: Bearer [REDACTED]'],
    [
      'JWT',
      'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end',
      'token [REDACTED] end',
    ],
    ['URL password', 'postgres://app:pa55word@db:5432/x', 'postgres://app:[REDACTED]@db:5432/x'],
    [
      'query secret',
      'https://x.test/cb?api_key=abc123&page=2',
      'https://x.test/cb?api_key=[REDACTED]&page=2',
    ],
    ['password=', 'login password=hunter2; next', 'login password=[REDACTED]; next'],
    ['JSON password', '{"user":"a","password":"hunter2"}', '{"user":"a","password":"[REDACTED]"}'],
  ])('%s', (_, input, expected) => {
    const flags: string[] = [];
    expect(redactSecrets(input, flags)).toBe(expected);
    expect(flags).toEqual(['redacted']);
  });

  it('leaves ordinary text alone and unflagged', () => {
    for (const text of [
      'The task-force met about risk-assessment frameworks.',
      'https://api.openai.com/v1/chat/completions',
      'gpt-4o-mini-2024-07-18',
      'a=b is an assignment',
      'short',
    ]) {
      const flags: string[] = [];
      expect(redactSecrets(text, flags)).toBe(text);
      expect(flags).toEqual([]);
    }
  });
});
