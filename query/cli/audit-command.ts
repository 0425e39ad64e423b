import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { getStream } from './api-client.js';
import type { CommandContext } from './command-context.js';
import { withConnectionOptions } from './connection-options.js';
import { rowCounter, terminalProgress } from './progress.js';

interface AuditOptions {
  from?: string;
  to?: string;
  format: string;
  eventType?: string;
  user?: string;
  session?: string;
  model?: string;
  provider?: string;
  tool?: string;
  status?: string;
  traceId?: string;
  tenant?: string;
}

/** `spanledger audit`: every matching audit row as CSV or JSONL on stdout. */
export function auditCommand(program: Command, context: CommandContext) {
  withConnectionOptions(
    program
      .command('audit')
      .description('export audit rows (CSV or JSONL) to stdout, streamed from Postgres')
      .option('--from <date>', 'first day (2026-11-01) or timestamp, inclusive')
      .option('--to <date>', 'last day, inclusive, or timestamp, exclusive')
      .option('--format <format>', 'csv or jsonl', 'csv')
      .option('--event-type <type>', 'llm_call, tool_call, mcp_call or agent_call')
      .option('--user <id>', 'only this user')
      .option('--session <id>', 'only this session')
      .option('--model <model>', 'only this model (requested or responding)')
      .option('--provider <provider>', 'only this provider')
      .option('--tool <name>', 'only this tool')
      .option('--status <status>', 'ok or error')
      .option('--trace-id <id>', 'only this trace'),
  ).action(async (options: AuditOptions) =>
    context.run(options, async (target) => {
      const format = options.format === 'jsonl' ? 'jsonl' : 'csv';
      const body = await getStream(target, '/v1/audit/export', {
        format: options.format,
        from: options.from,
        to: options.to,
        tenant_id: options.tenant,
        event_type: options.eventType,
        user_id: options.user,
        session_id: options.session,
        model: options.model,
        provider: options.provider,
        tool_name: options.tool,
        status: options.status,
        trace_id: options.traceId,
      });
      // Progress only on a terminal: a redirected stderr (CI logs, 2>file) stays clean.
      if (context.stderr.isTTY) {
        const progress = terminalProgress((t) => context.stderr.write(t));
        await pipeline(body, rowCounter(format, progress), context.stdout);
      } else {
        await pipeline(body, context.stdout);
      }
      return 0;
    }),
  );
}
