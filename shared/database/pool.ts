import pg from 'pg';
import { describeDatabaseError } from './describe-error.js';

export interface PoolOptions {
  url: string;
  /** Shown in pg_stat_activity, one per component (exporter, api, prober). */
  applicationName: string;
  max?: number;
  connectTimeoutMs?: number;
  /**
   * Where pool-level errors (an idle client lost) go, as one line without the client object
   * pg-pool attaches (it holds the password); they must never crash the process.
   */
  onError?: (description: string) => void;
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
  pool.on('error', (err) => options.onError?.(describeDatabaseError(err)));
  return pool;
}
