import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');

/** A TypeScript script running as a child process (`node --import tsx`). */
export interface ScriptProcess {
  pid: number | undefined;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  stdout(): string;
  /** Resolves once the output matches `pattern`; rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs `script` (relative to the repository root) with `env` over the current environment; a
 * value of `undefined` removes the variable, so a test controls exactly which exporters the
 * child sees (DATABASE_URL, OTEL_EXPORTER_OTLP_ENDPOINT).
 */
export function spawnScript(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
  options: { cwd?: string } = {},
): ScriptProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[key];
    else childEnv[key] = value;
  }
  // tsx by path: a child in another working directory cannot resolve the bare name.
  const tsx = pathToFileURL(resolve(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', tsx, resolve(ROOT, script), ...args], {
    cwd: options.cwd ?? ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let all = '';
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    all += chunk.toString();
    out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    all += chunk.toString();
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return {
    pid: child.pid,
    output: () => all,
    stdout: () => out,
    async waitFor(pattern) {
      let done = false;
      const gone = exited.then(() => {
        if (!done && !pattern.test(all)) {
          throw new Error(`${script} exited before printing ${pattern}; output:\n${all}`);
        }
      });
      const seen = new Promise<void>((resolveSeen) => {
        const check = () => {
          if (!pattern.test(all)) return;
          done = true;
          child.stdout.off('data', check);
          child.stderr.off('data', check);
          resolveSeen();
        };
        child.stdout.on('data', check);
        child.stderr.on('data', check);
        check();
      });
      await Promise.race([seen, gone]);
    },
    kill: (signal) => child.kill(signal),
    exit: () => exited,
  };
}
