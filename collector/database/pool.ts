import pg from 'pg';

export interface PoolOptions {
  url: string;
  /** Shown in pg_stat_activity, one per component (exporter, api, prober). */
  applicationName: string;
  max?: number;
  connectTimeoutMs?: number;
  /** Where pool-level errors (idle client lost) go; they must never crash the process. */
  onError?: (err: Error) => void;
}

/** A pg Pool with the settings every spanledger component uses. */
export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    application_name: options.applicationName,
    max: options.max ?? 4,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', (err) => options.onError?.(err));
  return pool;
}

/** Why a database could not be reached, in words the user can act on. */
export class DatabaseUnreachableError extends Error {
  override name = 'DatabaseUnreachableError';
}

/** Connects once and runs `SELECT 1`, turning driver errors into a clear message. */
export async function checkConnection(url: string, maskedUrl: string, timeoutMs = 10_000) {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    application_name: 'spanledger-check',
  });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return { serverVersion: rows[0]?.server_version ?? 'unknown' };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new DatabaseUnreachableError(
      `cannot connect to Postgres at ${maskedUrl}: ${e.code ? `${e.code} ` : ''}${e.message || 'connection failed'}`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}
