import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg, { type ClientConfig } from 'pg';
import type { MessageLogger } from '../shared/index.js';

/** The schema every spanledger object lives in. */
export const SCHEMA = 'spanledger';
const MIGRATIONS_TABLE = 'schema_migrations';
// Our own lock id, so spanledger migrations never wait behind an application's node-pg-migrate run.
const LOCK_ID = 0x5_1ed9e4;

/** Where node-pg-migrate's lines go (the shared message logger; debug unused). */
export type MigrationLogger = Pick<MessageLogger, 'info' | 'warn' | 'error'>;

export interface MigrateOptions {
  /** A connection string or pg client config for the target database. */
  database: string | ClientConfig;
  logger?: MigrationLogger;
  /** Apply at most this many pending migrations (tests of one migration's backfill). */
  count?: number;
}

export interface MigrateResult {
  /** Names of the migrations applied by this call (empty when the schema was current). */
  applied: string[];
}

/**
 * Finds migrations/sql whether this runs from source (migrations/migrate.ts) or from the build
 * (dist/migrations/migrate.js): the SQL files ship once, at the package root.
 */
export function migrationsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'migrations', 'sql');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('spanledger: cannot find the migrations/sql directory next to the package');
}

const silentLogger: MigrationLogger = { info() {}, warn() {}, error() {} };

/**
 * Applies pending forward-only migrations, each in its own transaction. Concurrent callers wait
 * on a Postgres advisory lock (mode "wait"), so several collectors starting at once against an
 * empty database all succeed and create every object exactly once.
 */
export async function runMigrations(options: MigrateOptions): Promise<MigrateResult> {
  const database =
    typeof options.database === 'string'
      ? { connectionString: options.database, application_name: 'spanledger-migrate' }
      : { application_name: 'spanledger-migrate', ...options.database };
  // Our own client, so it has an 'error' listener: node-pg-migrate's would have none, and a
  // server restart mid-migration would kill the process instead of failing this call.
  const client = new pg.Client(database);
  let lost: Error | undefined;
  client.on('error', (err) => {
    lost ??= err;
  });
  try {
    await client.connect();
    const applied = await runner({
      dbClient: client,
      dir: migrationsDir(),
      direction: 'up',
      ...(options.count !== undefined ? { count: options.count } : {}),
      migrationsTable: MIGRATIONS_TABLE,
      migrationsSchema: SCHEMA,
      createMigrationsSchema: true,
      schema: SCHEMA,
      createSchema: true,
      singleTransaction: false,
      checkOrder: true,
      lockValue: LOCK_ID,
      advisoryLockMode: 'wait',
      logger: options.logger ?? silentLogger,
      verbose: false,
    });
    return { applied: applied.map((m) => m.name) };
  } catch (err) {
    throw lost ?? err;
  } finally {
    await client.end().catch(() => {});
  }
}
