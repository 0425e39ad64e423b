#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { ConfigError, loadConfigFile, resolveConfig } from '../collector/config/index.js';
import { DEFAULT_CONFIG_FILE, startCollector } from '../collector/index.js';
import { ensurePartitions, runMigrations } from '../migrations/index.js';
import {
  auditCommand,
  createCommandContext,
  mcpCommand,
  usageCommands,
} from '../query/cli/index.js';
import { connectOrExplain, createPool } from '../shared/database/index.js';
import { createLogger } from '../shared/index.js';
import { openCommandDatabase } from './command-deps.js';
import { maintainCommand } from './maintain-command.js';
import { packageVersion } from './package-version.js';
import { watchNpmParent } from './parent-watch.js';
import { runProbeCommand } from './probe-command.js';
import { retentionCommand } from './retention-command.js';
import { verifyCommand } from './verify-command.js';

function fail(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`spanledger: ${message}\n`);
  process.exit(err instanceof ConfigError ? 78 : 1);
}

async function configFrom(path: string | undefined) {
  if (path) return loadConfigFile(path);
  return existsSync(DEFAULT_CONFIG_FILE)
    ? loadConfigFile(DEFAULT_CONFIG_FILE)
    : resolveConfig({}, 'defaults');
}

const program = new Command()
  .name('spanledger')
  .description('OpenTelemetry GenAI spans into Postgres audit and usage ledgers')
  .version(packageVersion(), '-V, --version', 'print the version and exit')
  .showHelpAfterError();

program
  .command('start')
  .description('run the collector (embedded Postgres when DATABASE_URL is not set)')
  .option('-c, --config <file>', `collector config (default: ./${DEFAULT_CONFIG_FILE} if present)`)
  .action(async (opts: { config?: string }) => {
    // Signals are handled from the first moment: one arriving during start-up waits for the
    // start to finish (or fail) and then stops cleanly, instead of killing Postgres mid-init.
    const starting = startCollector({ configPath: opts.config });
    let signalled = false;
    const shutdown = (reason: string) => {
      if (signalled) {
        process.stderr.write(`spanledger: ${reason} again, exiting without waiting\n`);
        process.exit(1);
      }
      signalled = true;
      process.stdout.write(`spanledger: ${reason}, flushing and stopping\n`);
      starting
        .then((handle) => handle.stop())
        .then(
          () => {
            process.stdout.write('spanledger: stopped\n');
            process.exit(0);
          },
          (err) => fail(err),
        );
    };
    process.on('SIGINT', () => shutdown('SIGINT received'));
    process.on('SIGTERM', () => shutdown('SIGTERM received'));
    watchNpmParent(process.env, () => shutdown('the npm process that started it is gone'));
    await starting.catch(fail);
  });

program
  .command('migrate')
  .description('apply pending schema migrations (to DATABASE_URL, or the embedded Postgres)')
  .option('-c, --config <file>', 'collector config')
  .option('--database-url <url>', 'database to migrate (default: config, then DATABASE_URL)')
  .action(async (opts: { config?: string; databaseUrl?: string }) => {
    try {
      const config = await configFrom(opts.config);
      const logger = createLogger(config.service.telemetry.logs.level);
      const target = await openCommandDatabase(config, opts.databaseUrl, logger);
      try {
        await connectOrExplain(target);
        const { applied } = await runMigrations({ database: target.url });
        const pool = createPool({ url: target.url, applicationName: 'spanledger-migrate', max: 1 });
        await ensurePartitions(pool).finally(() => pool.end());
        process.stdout.write(
          applied.length
            ? `spanledger: applied ${applied.length} migration(s) to ${target.maskedUrl}: ${applied.join(', ')}\n`
            : `spanledger: ${target.maskedUrl} is up to date\n`,
        );
      } finally {
        await target.release();
      }
    } catch (err) {
      fail(err);
    }
  });

program
  .command('probe')
  .description('run the MCP health prober (extensions.mcp_health) without the collector')
  .option('-c, --config <file>', 'collector config')
  .option('--once', 'probe every server once, write the rows, print them and exit')
  .action(async (opts: { config?: string; once?: boolean }) => {
    try {
      const config = await configFrom(opts.config);
      const code = await runProbeCommand(config, Boolean(opts.once), (l) =>
        process.stdout.write(`${l}\n`),
      );
      process.exit(code);
    } catch (err) {
      fail(err);
    }
  });

maintainCommand(program, {
  configFrom,
  print: (line) => process.stdout.write(`${line}\n`),
  exit: (code) => process.exit(code),
  fail,
});

retentionCommand(program, {
  configFrom,
  print: (line) => process.stdout.write(`${line}\n`),
  fail,
});

verifyCommand(program, {
  configFrom,
  print: (line) => process.stdout.write(`${line}\n`),
  exit: (code) => process.exit(code),
  fail,
});

// Query commands: through a collector's query API, or straight to DATABASE_URL.
const queryContext = createCommandContext({
  env: process.env,
  configFrom,
  fail,
  exit: (code) => process.exit(code),
});
auditCommand(program, queryContext);
usageCommands(program, queryContext);
mcpCommand(program, queryContext);

program.parseAsync(process.argv).catch(fail);
