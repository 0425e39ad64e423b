import type { Command } from 'commander';

/** The options every query command takes: where the data is, and which tenant. */
export function withConnectionOptions(command: Command): Command {
  return command
    .option('--api-url <url>', 'query API of a running collector (env SPANLEDGER_API_URL)')
    .option('--token <token>', 'bearer token for the query API (env SPANLEDGER_API_TOKEN)')
    .option('--database-url <url>', 'query Postgres directly (env DATABASE_URL)')
    .option('-c, --config <file>', 'collector config (quota rules when querying directly)')
    .option('--tenant <tenant>', 'only this tenant');
}
