import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { queryErrorHandler } from '../../../query/errors.js';
import { QueryApiError } from '../../../query/index.js';

async function answer(error: Error) {
  const app = Fastify();
  app.setErrorHandler(queryErrorHandler);
  app.get('/', async () => {
    throw error;
  });
  const reply = await app.inject({ method: 'GET', url: '/' });
  await app.close();
  return { status: reply.statusCode, headers: reply.headers, body: reply.json() };
}

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('query API errors', () => {
  it('answers refusals as {error, message} with their status', async () => {
    expect(await answer(new QueryApiError(400, 'bad_request', 'limit must be …'))).toMatchObject({
      status: 400,
      body: { error: 'bad_request', message: 'limit must be …' },
    });
    const unauthorized = await answer(new QueryApiError(401, 'unauthorized', 'no token'));
    expect(unauthorized.headers['www-authenticate']).toBe('Bearer');
  });

  it('turns a statement timeout or a lost database into 503, with Retry-After', async () => {
    const timeout = await answer(pgError('57014', 'canceling statement due to statement timeout'));
    expect(timeout.status).toBe(503);
    expect(timeout.body.message).toContain('query_timeout');
    expect(timeout.headers['retry-after']).toBe('1');
    expect((await answer(pgError('57P01', 'terminating connection'))).status).toBe(503);
  });

  it('never shows a database error to the client', async () => {
    const reply = await answer(pgError('42P01', 'relation "spanledger.secret" does not exist'));
    expect(reply).toMatchObject({
      status: 500,
      body: { error: 'internal', message: 'internal error' },
    });
  });
});
