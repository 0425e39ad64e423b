import pg from 'pg';
import { describeDatabaseError } from './describe-error.js';

/**
 * The database cannot be used as configured: waiting will not help (wrong password, missing
 * database, refused TLS). The message says what to fix.
 */
export class DatabaseConfigError extends Error {
  override name = 'DatabaseConfigError';
}

/** The outcome of one connection attempt that did not fail for a configuration reason. */
export type ConnectAttempt = { ok: true; serverVersion: string } | { ok: false; reason: string };

/** Where a connection string came from, named in messages: `DATABASE_URL`, a config field... */
export interface DatabaseSource {
  url: string;
  maskedUrl: string;
  /** e.g. "DATABASE_URL" or "exporters.postgres.url". */
  origin: string;
}

const PROTOCOLS = new Set(['postgres:', 'postgresql:']);

/**
 * Why `url` is not a PostgreSQL connection URL, or undefined when it is one. The value is never
 * quoted (it may hold a password); only what is wrong with it.
 */
export function invalidDatabaseUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (!PROTOCOLS.has(parsed.protocol)) {
    return `is a ${parsed.protocol.replace(/:$/, '')}:// URL, not a PostgreSQL one`;
  }
  return undefined;
}

/** The expected form, for messages. */
export const DATABASE_URL_FORM = 'postgres://user:password@host:5432/database';

function target(url: string): { host: string; port: string; user: string; database: string } {
  const u = new URL(url);
  return {
    host: u.hostname || 'localhost',
    port: u.port || '5432',
    user: decodeURIComponent(u.username) || 'postgres',
    database: decodeURIComponent(u.pathname.slice(1)) || decodeURIComponent(u.username),
  };
}

/**
 * Turns a failed connection into a {@link DatabaseConfigError} when retrying cannot help, or a
 * one-line reason (with what to check) when the server may yet come up.
 */
export function classifyConnectError(err: unknown, source: DatabaseSource): string {
  const code = (err as { code?: string }).code;
  const t = target(source.url);
  const where = `${t.host}:${t.port}`;
  switch (code) {
    case '28P01':
    case '28000':
      throw new DatabaseConfigError(
        `Postgres at ${where} refused the login of user "${t.user}" (${describeDatabaseError(err)}); check the user and password in ${source.origin}`,
      );
    case '3D000':
      throw new DatabaseConfigError(
        `database "${t.database}" does not exist on ${where}; create it (createdb -h ${t.host} -p ${t.port} -U ${t.user} ${t.database}) or fix the database name in ${source.origin}`,
      );
    case 'ECONNREFUSED':
      return `nothing accepts connections at ${where} (ECONNREFUSED): is Postgres running, and is ${source.origin} right?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host "${t.host}" cannot be resolved (${code}): check the host in ${source.origin}`;
    default:
      break;
  }
  const message = describeDatabaseError(err);
  if (/does not support SSL|SSL.*(required|off)|no pg_hba\.conf entry/i.test(message)) {
    throw new DatabaseConfigError(
      `Postgres at ${where} refused the connection (${message}); check sslmode and pg_hba.conf for ${source.origin}`,
    );
  }
  return `cannot connect to Postgres at ${where}: ${message}`;
}

/**
 * One bounded connection attempt (`SHOW server_version`). Resolves `{ ok: false, reason }` when
 * the server is unreachable for now; throws {@link DatabaseConfigError} when it never will be.
 */
export async function tryConnect(
  source: DatabaseSource,
  timeoutMs: number,
): Promise<ConnectAttempt> {
  const client = new pg.Client({
    connectionString: source.url,
    connectionTimeoutMillis: timeoutMs,
    application_name: 'spanledger-check',
  });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return { ok: true, serverVersion: rows[0]?.server_version ?? 'unknown' };
  } catch (err) {
    return { ok: false, reason: classifyConnectError(err, source) };
  } finally {
    await client.end().catch(() => {});
  }
}

/** Postgres does not answer now (refused, unresolvable host, timeout); the message says what to check. */
export class DatabaseUnreachableError extends Error {
  override name = 'DatabaseUnreachableError';
}

/**
 * For commands that need the database now: one bounded attempt, and an error that says what to
 * do when it fails (unreachable, login refused, missing database with its createdb line).
 */
export async function connectOrExplain(
  source: DatabaseSource,
  timeoutMs = 10_000,
): Promise<string> {
  const attempt = await tryConnect(source, timeoutMs);
  if (!attempt.ok) throw new DatabaseUnreachableError(attempt.reason);
  return attempt.serverVersion;
}
