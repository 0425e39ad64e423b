import { describe, expect, it } from 'vitest';
import { createBearerAuth } from '../../../../collector/otlp/index.js';

describe('createBearerAuth', () => {
  const auth = createBearerAuth([
    { token: 'token-for-acme-0000', tenant: 'acme' },
    { token: 'token-for-globex-00', tenant: 'globex' },
  ]);

  it('maps a known token to its tenant, with the scheme in any case', () => {
    expect(auth('Bearer token-for-acme-0000')).toBe('acme');
    expect(auth('bearer   token-for-globex-00')).toBe('globex');
  });

  it('refuses missing, wrong, partial and other-scheme credentials', () => {
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer token-for-acme-000',
      'Bearer token-for-acme-00000',
      'Basic token-for-acme-0000',
      'token-for-acme-0000',
    ]) {
      expect(auth(header), String(header)).toBeUndefined();
    }
  });
});
