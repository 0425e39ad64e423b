import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { TestDatabase } from './database.js';

/** A login role of the shared test server (roles are cluster-wide: drop it when done). */
export interface TestLogin {
  name: string;
  /** The test database's URL with this login's credentials. */
  url: string;
  /** A client connected as this login (ended by drop()). */
  connect(): Promise<pg.Client>;
  drop(): Promise<void>;
}

/** Creates `<prefix>_<random>` LOGIN with a random password; `grants` are run as the superuser. */
export async function createTestLogin(
  db: TestDatabase,
  prefix: string,
  grants: (name: string) => string[] = () => [],
): Promise<TestLogin> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  await db.pool.query(`CREATE ROLE ${name} LOGIN PASSWORD '${password}'`);
  for (const sql of grants(name)) await db.pool.query(sql);
  const url = new URL(db.url);
  url.username = name;
  url.password = password;
  const clients: pg.Client[] = [];
  return {
    name,
    url: url.toString(),
    async connect() {
      const client = new pg.Client({ connectionString: url.toString() });
      client.on('error', () => {});
      await client.connect();
      clients.push(client);
      return client;
    },
    async drop() {
      await Promise.all(clients.map((c) => c.end().catch(() => {})));
      const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
      await admin.connect();
      try {
        // Memberships go with the role; these logins are never granted privileges of their own.
        await admin.query(`DROP ROLE IF EXISTS ${name}`);
      } finally {
        await admin.end();
      }
    },
  };
}
