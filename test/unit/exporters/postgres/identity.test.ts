import { describe, expect, it } from 'vitest';
import { readIdentity } from '../../../../exporters/postgres/identity.js';
import { span } from './fixtures.js';

describe('readIdentity', () => {
  it('reads spanledger.* identity from the span and service details from the resource', () => {
    const s = span(
      {
        'spanledger.tenant_id': 'acme',
        'spanledger.user_id': 'u-1',
        'spanledger.session_id': 's-1',
        'spanledger.request_id': 'r-1',
        'enduser.id': 'ignored-when-spanledger-set',
      },
      {
        resource: {
          'service.name': 'api',
          'service.version': '2.0.0',
          'deployment.environment.name': 'prod',
        },
      },
    );
    expect(readIdentity(s, 100, [])).toEqual({
      tenant_id: 'acme',
      user_id: 'u-1',
      session_id: 's-1',
      request_id: 'r-1',
      service_name: 'api',
      service_version: '2.0.0',
      deployment_environment: 'prod',
    });
  });

  it('falls back to the resource for tenant, and to standard attributes for user and session', () => {
    const s = span(
      { 'enduser.id': 'alice', 'gen_ai.conversation.id': 'conv-9' },
      {
        resource: { 'spanledger.tenant_id': 'from-resource', 'deployment.environment': 'staging' },
      },
    );
    expect(readIdentity(s, 100, [])).toMatchObject({
      tenant_id: 'from-resource',
      user_id: 'alice',
      session_id: 'conv-9',
      deployment_environment: 'staging',
      service_name: null,
    });
  });

  it('prefers the span tenant over the resource tenant', () => {
    const s = span(
      { 'spanledger.tenant_id': 'span' },
      { resource: { 'spanledger.tenant_id': 'resource' } },
    );
    expect(readIdentity(s, 100, []).tenant_id).toBe('span');
  });

  it('reads user.id, session.id and the AI SDK telemetry metadata', () => {
    expect(readIdentity(span({ 'user.id': 'bob', 'session.id': 'web-1' }), 100, [])).toMatchObject({
      user_id: 'bob',
      session_id: 'web-1',
    });
    expect(
      readIdentity(
        span({
          'ai.telemetry.metadata.userId': 'carol',
          'ai.telemetry.metadata.sessionId': 'chat-3',
        }),
        100,
        [],
      ),
    ).toMatchObject({ user_id: 'carol', session_id: 'chat-3' });
  });

  it('sanitises what it stores', () => {
    const flags: string[] = [];
    expect(readIdentity(span({ 'spanledger.user_id': 'a\u0000b' }), 100, flags).user_id).toBe(
      'a\uFFFDb',
    );
    expect(flags).toEqual(['sanitized']);
  });
});
