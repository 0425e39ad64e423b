import type { Pool, PoolClient } from 'pg';

/**
 * A pooled connection held for one unit of work. pg-pool removes its own 'error' listener while
 * a client is checked out, and pg emits 'error' on the client when the server goes away (a
 * restart, `pg_terminate_backend`, a failover) even while a query is also failing: without a
 * listener that event kills the process. This one listens for as long as the client is held and
 * destroys the connection on release when it broke.
 */
export interface HeldClient {
  readonly client: PoolClient;
  /** The error that broke the connection while it was held, if one did. */
  readonly lostWith: Error | undefined;
  /**
   * Returns the connection to the pool, or destroys it when it broke or when `err` says it may
   * have (anything but a server-side SQL error). Idempotent.
   */
  release(err?: unknown): void;
  /** Marks the connection as unusable (a ROLLBACK failed): release() will destroy it. */
  markBroken(err: unknown): void;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * True when the connection cannot be trusted after `err`: errors without a SQLSTATE (socket
 * closed, reset, timed out, protocol out of sync) and the SQLSTATEs that end a session
 * (class 08 connection exception, 57P0x shutdown / terminated).
 */
export function breaksConnection(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !SQLSTATE.test(code)) return true;
  return code.startsWith('08') || code.startsWith('57P');
}

const ignore = () => {};

/** Checks a client out of `pool` with an 'error' listener attached until it is released. */
export async function holdClient(pool: Pool): Promise<HeldClient> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (err: Error) => {
    lost ??= err;
  };
  client.on('error', onError);
  let released = false;
  return {
    client,
    get lostWith() {
      return lost;
    },
    markBroken(err: unknown) {
      lost ??= asError(err);
    },
    release(err?: unknown) {
      if (released) return;
      released = true;
      const broken =
        lost ?? (err !== undefined && breaksConnection(err) ? asError(err) : undefined);
      if (broken) {
        // A destroyed client can still report its socket closing: keep a listener on it.
        client.removeListener('error', onError);
        client.on('error', ignore);
        client.release(broken);
        return;
      }
      client.removeListener('error', onError);
      client.release();
    },
  };
}

/**
 * Runs `work` on a held client and releases it (destroying it when the connection broke). The
 * error `work` threw is rethrown; when the connection was lost meanwhile, a
 * {@link ConnectionLostError} is thrown instead, so callers classify it as "unavailable" even
 * when what surfaced was a stream error ("Premature close") rather than pg's own.
 */
export async function withHeldClient<T>(
  pool: Pool,
  work: (client: PoolClient, held: HeldClient) => Promise<T>,
): Promise<T> {
  const held = await holdClient(pool);
  try {
    const result = await work(held.client, held);
    held.release();
    return result;
  } catch (err) {
    held.release(err);
    throw held.lostWith ? new ConnectionLostError(held.lostWith, err) : err;
  }
}

/** The database connection broke while a unit of work held it. */
export class ConnectionLostError extends Error {
  override name = 'ConnectionLostError';
  /** The SQLSTATE or errno code of the error that broke the connection, when it had one. */
  readonly code: string | undefined;
  constructor(
    readonly lost: Error,
    readonly surfaced?: unknown,
  ) {
    super(`database connection lost: ${lost.message}`);
    this.code = (lost as { code?: string }).code;
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
