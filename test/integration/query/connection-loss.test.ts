import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryApiServer } from '../../../query/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { waitUntil } from '../../helpers/wait.js';
import { chat, get, seedSpans, startTestQueryApi, TOKENS } from './harness.js';

/**
 * A query whose connection dies (the backend terminated, a failover) is answered 503 with
 * Retry-After, and the process (here: the test's own) survives the 'error' pg emits.
 */
describe('the query API when its connection dies mid-request', () => {
  let db: TestDatabase;
  let api: QueryApiServer;
  let locker: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedSpans(
      db.url,
      Array.from({ length: 20 }, () => ({ attributes: chat('acme', 'ann'), startMs: Date.now() })),
    );
    api = await startTestQueryApi(db.url);
    locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
  });
  afterAll(async () => {
    await locker.end();
    await api.close();
    await db.drop();
  });

  /** Holds an exclusive lock so the API's next query waits; then terminates the waiting backend. */
  async function terminateWaitingQuery(request: () => Promise<Response>) {
    // The lock first, then the request: a request sent first could finish before the lock.
    await locker.query('BEGIN; LOCK TABLE spanledger.audit_log IN ACCESS EXCLUSIVE MODE');
    const pending = request();
    let terminated = 0;
    await waitUntil(async () => {
      const { rows } = await db.pool.query<{ n: number }>(
        `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
          WHERE application_name = 'spanledger-query-api' AND wait_event_type = 'Lock'`,
      );
      terminated += rows[0]!.n;
      return terminated > 0;
    }, 'the API query waiting on the lock');
    const response = await pending;
    await locker.query('ROLLBACK');
    return response;
  }

  it('a page: 503 + Retry-After, then the next request is served', async () => {
    const response = await terminateWaitingQuery(() =>
      fetch(`${api.url}/v1/audit`, { headers: { authorization: `Bearer ${TOKENS.acme}` } }),
    );
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toEqual({
      error: 'unavailable',
      message: 'Postgres is unavailable; retry later',
    });
    const again = await get(api, '/v1/audit', TOKENS.acme);
    expect(again.status).toBe(200);
    expect(again.json.rows).toHaveLength(20);
  });

  it('an export: the stream ends in an error, nothing crashes, the next export is whole', async () => {
    const response = await terminateWaitingQuery(() =>
      fetch(`${api.url}/v1/audit/export?format=jsonl`, {
        headers: { authorization: `Bearer ${TOKENS.acme}` },
      }),
    );
    // Headers may already be out when the COPY dies: then the body is cut short.
    const whole = await response.text().then(
      (text) => response.status === 200 && text.trim().split('\n').length === 20,
      () => false,
    );
    expect(whole).toBe(false);
    const again = await fetch(`${api.url}/v1/audit/export?format=jsonl`, {
      headers: { authorization: `Bearer ${TOKENS.acme}` },
    });
    expect(again.status).toBe(200);
    expect((await again.text()).trim().split('\n')).toHaveLength(20);
  });
});
