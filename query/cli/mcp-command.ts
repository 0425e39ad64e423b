import type { Command } from 'commander';
import { getJson } from './api-client.js';
import type { CommandContext } from './command-context.js';
import { withConnectionOptions } from './connection-options.js';
import { renderTable } from './table.js';
import type { ConnectionOptions } from './target.js';

interface ServerStatus {
  id: number;
  name: string;
  transport: string;
  enabled: boolean;
  status: string | null;
  checked_at: string | null;
  response_time_ms: number | null;
  error_message: string | null;
  status_changed_at: string | null;
}

// "2026-11-23T10:00:00.123456+00:00" → "2026-11-23 10:00:00Z"
const when = (ts: string | null) => (ts ? `${ts.slice(0, 10)} ${ts.slice(11, 19)}Z` : '');

/** `spanledger mcp status`: every MCP server with its latest health. */
export function mcpCommand(program: Command, context: CommandContext) {
  const mcp = program.command('mcp').description('MCP server health');
  withConnectionOptions(
    mcp
      .command('status')
      .description('a table of MCP servers with their latest status, latency and last change')
      .option('--json', 'print the API response as JSON'),
  ).action(async (options: ConnectionOptions & { json?: boolean }) =>
    context.run(options, async (target) => {
      const { servers } = await getJson<{ servers: ServerStatus[] }>(target, '/v1/mcp/servers');
      if (options.json) {
        context.stdout.write(`${JSON.stringify({ servers }, null, 2)}\n`);
        return 0;
      }
      const rows = servers.map((s) => [
        s.name,
        s.transport,
        s.enabled ? (s.status ?? 'not probed') : 'disabled',
        s.response_time_ms === null ? '' : `${s.response_time_ms} ms`,
        when(s.checked_at),
        when(s.status_changed_at),
        (s.error_message ?? '').slice(0, 60),
      ]);
      const table = renderTable(
        [
          { header: 'server' },
          { header: 'transport' },
          { header: 'status' },
          { header: 'latency', right: true },
          { header: 'checked' },
          { header: 'last change' },
          { header: 'error' },
        ],
        rows,
      );
      context.stdout.write(`${(rows.length ? table : ['no MCP servers registered']).join('\n')}\n`);
      return 0;
    }),
  );
}
