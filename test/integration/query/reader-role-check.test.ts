import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryApiSchema, startQueryApi } from '../../../query/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { createTestLogin, type TestLogin } from '../../helpers/logins.js';

/** Starts the query API as `url`'s login and returns the warnings it logged at start. */
async function startupWarnings(url: string): Promise<string[]> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const server = await startQueryApi({
    config: queryApiSchema.parse({ enabled: true, auth: { admin_tokens: ['a'.repeat(16)] } }),
    databaseUrl: url,
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'warn' }, sink),
  });
  await server.close();
  return lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
}

describe('the query API reader-role check at start', () => {
  let db: TestDatabase;
  let inheriting: TestLogin;
  beforeAll(async () => {
    db = await createTestDatabase();
    inheriting = await createTestLogin(db, 'inherits', (name) => [
      `GRANT spanledger_reader, spanledger_admin_reader TO ${name}`,
    ]);
  });
  afterAll(async () => {
    await inheriting.drop();
    await db.drop();
  });

  it('warns when a plain login inherits the admin reader, naming the GRANT that fixes it', async () => {
    const warnings = await startupWarnings(inheriting.url);
    expect(warnings.join('\n')).toContain(
      `inherits spanledger_admin_reader, so it can read every tenant's rows by itself`,
    );
    expect(warnings.join('\n')).toContain(`TO "${inheriting.name}" WITH INHERIT FALSE`);
  });

  // A superuser reads everything whatever it is granted (the embedded development default):
  // the advice would be noise on every `npm start`.
  it('says nothing for a superuser login', async () => {
    const warnings = await startupWarnings(db.url);
    expect(warnings.filter((w) => w.includes('inherits'))).toEqual([]);
  });
});
