import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The embedded server a running `spanledger start` (npm start) owns. */
export interface RunningEmbedded {
  url: string;
  port: number;
  pid: number;
}

/** Where the embedded Postgres keeps its random superuser password (in its data directory). */
export const EMBEDDED_PASSWORD_FILE = 'spanledger-password';
/** The embedded server's superuser. */
export const EMBEDDED_SUPERUSER = 'postgres';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user (the "postgres" user under root).
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The connection details of the embedded server running on `dataDir`, read from the files it
 * keeps there: postmaster.pid (pid on line 1, port on line 4, listen address on line 6) and the
 * password file. Undefined when no server runs there (no pid file, or a stale one).
 */
export async function findRunningEmbedded(dataDir: string): Promise<RunningEmbedded | undefined> {
  let lines: string[];
  try {
    lines = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || !alive(pid)) {
    return undefined;
  }
  const host = (lines[5] ?? '').trim().split(/[\s,]+/)[0] || '127.0.0.1';
  const password = await readFile(join(dataDir, EMBEDDED_PASSWORD_FILE), 'utf8').then(
    (text) => text.trim(),
    () => 'password', // a cluster from before the password file: the library default
  );
  const hostPart = host === '*' || host === '0.0.0.0' ? '127.0.0.1' : host;
  const url = `postgres://${EMBEDDED_SUPERUSER}:${encodeURIComponent(password)}@${hostPart}:${port}/postgres`;
  return { url, port, pid };
}
