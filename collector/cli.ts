#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { ensurePartitions, runMigrations } from '../migrations/index.js';
import { ConfigError, loadConfigFile, resolveConfig } from './config/index.js';
import { createPool } from './database/index.js';
import { openDatabaseTarget } from './database-target.js';
import { createLogger } from './logger.js';
import { DEFAULT_CONFIG_FILE, startCollector } from './main.js';

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
  .showHelpAfterError();

program
  .command('start')
  .description('run the collector (embedded Postgres when DATABASE_URL is not set)')
  .option('-c, --config <file>', `collector config (default: ./${DEFAULT_CONFIG_FILE} if present)`)
  .action(async (opts: { config?: string }) => {
    const handle = await startCollector({ configPath: opts.config }).catch(fail);
    let signalled = false;
    const shutdown = (signal: NodeJS.Signals) => {
      if (signalled) {
        process.stderr.write(`spanledger: ${signal} again, exiting without waiting\n`);
        process.exit(1);
      }
      signalled = true;
      process.stdout.write(`spanledger: ${signal} received, flushing and stopping\n`);
      handle.stop().then(
        () => {
          process.stdout.write('spanledger: stopped\n');
          process.exit(0);
        },
        (err) => fail(err),
      );
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
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
      const env = opts.databaseUrl
        ? { ...process.env, DATABASE_URL: opts.databaseUrl }
        : process.env;
      const target = await openDatabaseTarget(config, env, logger);
      try {
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

program.parseAsync(process.argv).catch(fail);
