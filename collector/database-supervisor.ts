import { classifyWriteError } from '../exporters/index.js';
import { PendingMigrationsError } from '../migrations/index.js';
import {
  ConnectionLostError,
  DatabaseConfigError,
  type DatabaseSource,
  describeDatabaseError,
  type EmbeddedPostgresHandle,
  tryConnect,
} from '../shared/database/index.js';
import type { Logger } from '../shared/index.js';

export interface DatabaseSupervisorOptions {
  source: DatabaseSource;
  /** The embedded server, restarted when it dies; undefined for an external database. */
  embedded?: EmbeddedPostgresHandle | undefined;
  connectTimeoutMs: number;
  logger: Logger;
  /**
   * Work that must succeed on every (re)connection before the collector is ready: migrations,
   * partitions, the prober's registry, the query API's role check. Idempotent.
   */
  prepare(): Promise<void>;
  /** Called once prepare() succeeded after a wait (the exporter replays its spool). */
  onReady(): void;
}

const FIRST_RETRY_MS = 500;
// pg's own words for a connection that died, when the error carries no code.
const CONNECTION_GONE = /Connection terminated|not queryable|connection timeout|timeout exceeded/i;

/** True for failures that waiting can fix: the server went away mid-way, or is starting up. */
function isTransient(err: unknown): boolean {
  // The owner runs "spanledger migrate"; this collector becomes ready when it has.
  if (err instanceof ConnectionLostError || err instanceof PendingMigrationsError) return true;
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') {
    return /^[0-9A-Z]{5}$/.test(code) ? classifyWriteError(err) === 'transient' : true;
  }
  return CONNECTION_GONE.test((err as Error)?.message ?? '');
}
const MAX_RETRY_MS = 30_000;
const EMBEDDED_RESTARTS = 5;

/**
 * Keeps the collector's database usable: the bounded first connection at start, retries with
 * backoff while Postgres is down (the collector serves and spools meanwhile), migrations on
 * each connection, and restarts of an embedded Postgres that died. Only what waiting cannot fix
 * (a wrong password, a missing database) fails the start.
 */
export class DatabaseSupervisor {
  /** The server's version once it answered. */
  serverVersion: string | undefined;
  private reason: string | undefined = 'not connected yet';
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private stopped = false;
  private restarting: Promise<void> | undefined;

  constructor(private readonly options: DatabaseSupervisorOptions) {
    options.embedded?.onUnexpectedExit((how) => this.embeddedDied(how));
  }

  /** Why the database is not usable now; undefined when it is. */
  notReadyReason(): string | undefined {
    return this.reason;
  }

  /**
   * One bounded attempt: connect and prepare. True when ready. False when Postgres is not
   * reachable yet (logged; retries are started). Throws what waiting cannot fix.
   */
  async connectFirst(): Promise<boolean> {
    const ok = await this.attemptOnce(true);
    if (!ok) {
      this.options.logger.warn(
        `${this.reason}; starting anyway: spans are spooled until the database is usable, retrying with backoff`,
      );
      this.schedule();
    }
    return ok;
  }

  /** Stops retrying (the collector is stopping). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async attemptOnce(first: boolean): Promise<boolean> {
    const { source, connectTimeoutMs } = this.options;
    const attempt = await tryConnect(source, connectTimeoutMs);
    if (!attempt.ok) {
      this.reason = `postgres unreachable: ${attempt.reason}`;
      return false;
    }
    this.serverVersion = attempt.serverVersion;
    try {
      await this.options.prepare();
    } catch (err) {
      if (isTransient(err)) {
        this.reason =
          err instanceof PendingMigrationsError
            ? err.message
            : `postgres unreachable: ${describeDatabaseError(err)}`;
        return false;
      }
      if (first) throw err;
      // A broken grant or schema while running: keep serving (and spooling) until it is fixed.
      this.reason = `postgres not usable: ${describeDatabaseError(err)}`;
      this.options.logger.error(`${this.reason}; retrying in the background`);
      return false;
    }
    this.reason = undefined;
    this.attempt = 0;
    return true;
  }

  private schedule() {
    if (this.stopped || this.timer) return;
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.attempt++);
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        void this.retry();
      },
      delay * (0.5 + Math.random() / 2),
    );
    this.timer.unref();
  }

  private async retry() {
    if (this.stopped) return;
    let ok = false;
    try {
      ok = await this.attemptOnce(false);
    } catch (err) {
      this.reason = `postgres not usable: ${(err as Error).message}`;
      this.options.logger.error(this.reason);
    }
    if (this.stopped) return;
    if (!ok) {
      this.options.logger.warn(`${this.reason}; retrying`);
      this.schedule();
      return;
    }
    this.options.logger.info(`postgres available (${this.serverVersion}); replaying the spool`);
    this.options.onReady();
  }

  private embeddedDied(how: string) {
    if (this.stopped || this.restarting) return;
    const { logger } = this.options;
    this.reason = `embedded Postgres ${how}; restarting it`;
    logger.error(`${this.reason}; spans are spooled meanwhile`);
    this.restarting = this.restartEmbedded().finally(() => {
      this.restarting = undefined;
    });
  }

  private async restartEmbedded() {
    const { embedded, logger } = this.options;
    for (let n = 1; n <= EMBEDDED_RESTARTS && !this.stopped; n++) {
      // Backends of a killed server exit on their own; until they have, a new one cannot start.
      await new Promise((r) => setTimeout(r, 1_000 * 2 ** (n - 1)));
      if (this.stopped) return;
      try {
        await embedded!.restart();
        logger.info(`embedded Postgres restarted (attempt ${n} of ${EMBEDDED_RESTARTS})`);
        await this.retry();
        return;
      } catch (err) {
        logger.warn(
          `embedded Postgres restart attempt ${n} of ${EMBEDDED_RESTARTS} failed: ${(err as Error).message.split('\n')[0]}`,
        );
      }
    }
    if (this.stopped) return;
    this.reason = `embedded Postgres could not be restarted after ${EMBEDDED_RESTARTS} attempts`;
    logger.error(`${this.reason}; spans stay spooled; restart the collector`);
  }
}

export { DatabaseConfigError };
