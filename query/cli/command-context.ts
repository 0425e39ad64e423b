import type { QueryCliConfig } from './cli-config.js';
import { type ConnectionOptions, type OpenTarget, openTarget } from './target.js';

/** What query commands share: streams, environment, config loading and error handling. */
export interface CommandContext {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
  /** Opens the target, runs `work`, closes the target and exits with work's code. */
  run(options: ConnectionOptions, work: (target: OpenTarget) => Promise<number>): Promise<void>;
}

export interface CommandContextOptions {
  env: NodeJS.ProcessEnv;
  configFrom(path: string | undefined): Promise<QueryCliConfig>;
  fail(err: unknown): never;
  exit(code: number): never;
}

/** The context the real CLI uses: process streams, exit codes, one-line errors. */
export function createCommandContext(options: CommandContextOptions): CommandContext {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    async run(connection, work) {
      let code = 1;
      try {
        const target = await openTarget(connection, options);
        try {
          code = await work(target);
        } finally {
          await target.close();
        }
      } catch (err) {
        options.fail(err);
      }
      options.exit(code);
    },
  };
}
