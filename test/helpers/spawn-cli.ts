import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');

export interface CliProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first output line matching `pattern`, or rejects when the process exits. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

// tsx by file URL (its public entry, resolved from the repository): a child in another working
// directory cannot resolve the bare name.
const TSX = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('tsx')).href;

/** Runs the real CLI (cli/main.ts through tsx) as a child process (in `cwd`, default the repo). */
export function spawnCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  options: { cwd?: string } = {},
): CliProcess {
  return spawnWatched(process.execPath, ['--import', TSX, join(ROOT, 'cli/main.ts'), ...args], {
    cwd: options.cwd ?? ROOT,
    env,
  });
}

/**
 * Runs any command as a child process whose output can be awaited line by line. `DATABASE_URL`
 * is inherited only when `env` sets it, so a test never writes to a database by accident.
 */
export function spawnWatched(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): CliProcess {
  const env = options.env ?? {};
  const childEnv = { ...process.env, ...env };
  delete childEnv.DATABASE_URL;
  if (env.DATABASE_URL) childEnv.DATABASE_URL = env.DATABASE_URL;
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return {
    child,
    output: () => text,
    waitFor(pattern, timeoutMs = 90_000) {
      return new Promise((resolvePromise, reject) => {
        const check = () => {
          const m = pattern.exec(text);
          if (m) {
            cleanup();
            resolvePromise(m[0]);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern}; output:\n${text}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        exited.then(() => {
          check();
          if (listeners.has(check)) {
            cleanup();
            reject(new Error(`process exited before ${pattern}; output:\n${text}`));
          }
        });
        check();
      });
    },
    exit: () => exited,
  };
}

/** A temporary directory Postgres (running as the "postgres" user under root) can enter. */
export async function makeWorkDir(prefix = 'spanledger-cli-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

/** Writes an otel-config.yaml into `dir` and returns its path. */
export async function writeConfig(dir: string, yaml: string): Promise<string> {
  const path = join(dir, 'otel-config.yaml');
  await writeFile(path, yaml);
  return path;
}

/**
 * A minimal collector config for a test process: the OTLP port, a spool in `dir`, and either a
 * database URL or an embedded Postgres in `dir/pg` on `pgPort`.
 */
export function minimalConfigYaml(
  dir: string,
  options: { otlpPort: number; databaseUrl?: string; pgPort?: number },
): string {
  const database = options.databaseUrl
    ? `    url: ${options.databaseUrl}\n`
    : `    embedded:\n      data_dir: ${join(dir, 'pg')}\n      port: ${options.pgPort}\n`;
  return `receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${options.otlpPort}
exporters:
  postgres:
${database}    spool:
      dir: ${join(dir, 'spool')}
extensions:
  # The console (on by default) on a port of its own, not the shared default 4319.
  query_api:
    endpoint: 127.0.0.1:0
`;
}
