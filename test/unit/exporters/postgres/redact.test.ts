import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isSecretKey,
  redactFreeText,
  redactSecrets,
} from '../../../../exporters/postgres/redact.js';

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
    ['JSON token', '{"token":"abc123def"}', '{"token":"[REDACTED]"}'],
    ['Stripe key', 'charge with sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'charge with [REDACTED]'],
    ['xAI key', 'xai-AbCdEfGhIjKlMnOpQrStUvWx', '[REDACTED]'],
    ['Hugging Face token', 'hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567', '[REDACTED]'],
    ['GitLab token', 'glpat-AbCdEfGhIjKlMnOpQrSt', '[REDACTED]'],
    [
      'PEM private key',
      'key -----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- end',
      'key [REDACTED] end',
    ],
    [
      'AWS secret access key pair',
      'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'aws_secret_access_key=[REDACTED]',
    ],
    [
      'password: in a log line',
      'login failed, password: hunter2 (retry)',
      'login failed, password: [REDACTED] (retry)',
    ],
    ['token: in an error', 'Invalid token: abc123def', 'Invalid token: [REDACTED]'],
    ['Secret: any case', 'Client Secret: zzzzzzzz', 'Client Secret: [REDACTED]'],
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
      'max_tokens: 64, tokens: 12',
      '2025-10-01T12:00:00Z',
      'short',
    ]) {
      const flags: string[] = [];
      expect(redactSecrets(text, flags)).toBe(text);
      expect(flags).toEqual([]);
    }
  });
});

describe('redactFreeText', () => {
  it('also redacts e-mail addresses, for span names and error messages', () => {
    const flags: string[] = [];
    expect(redactFreeText('no account for alice.smith+ai@mail.example.co.uk, sorry', flags)).toBe(
      'no account for [REDACTED], sorry',
    );
    expect(flags).toEqual(['redacted']);
  });

  it('leaves @-mentions, scoped packages and text without addresses alone', () => {
    for (const text of ['@anthropic-ai/sdk failed', 'ask @ops', 'a@b', 'x'.repeat(5000)]) {
      const flags: string[] = [];
      expect(redactFreeText(text, flags)).toBe(text);
      expect(flags).toEqual([]);
    }
  });

  it('never lets a known key shape through, whatever surrounds it', () => {
    const key = fc.constantFrom(
      'sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12',
      'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
      'AKIAIOSFODNN7EXAMPLE',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      'AIzaSyA-1234567890abcdefghijklmnopqrstu',
      'bob@example.com',
    );
    const around = fc.string().map((s) => s.replace(/[A-Za-z0-9_.%+-]$/, ' '));
    fc.assert(
      fc.property(around, key, around, (before, secret, after) => {
        const text = `${before}${before ? ' ' : ''}${secret} ${after}`;
        expect(redactFreeText(text, [])).not.toContain(secret);
      }),
      { numRuns: 500 },
    );
  });
});
