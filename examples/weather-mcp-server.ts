// The demo's MCP server: one tool, get_weather, over stdio, the way most local MCP servers run
// (a child process of the app). It is someone else's server, so it is not instrumented here;
// the demo's client spans are what spanledger records. stdout is the MCP channel: no logging.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

// Fixed answers, so every run of the demo prints the same thing.
const WEATHER: Record<string, string> = {
  paris: 'Sunny, 21 °C',
  london: 'Light rain, 14 °C',
};

const server = new McpServer({ name: 'demo-weather', version: '1.0.0' });
server.registerTool(
  'get_weather',
  {
    description: 'Current weather for a city',
    inputSchema: { city: z.string().describe('City name, e.g. Paris') },
  },
  async ({ city }) => {
    const report = WEATHER[city.toLowerCase()];
    if (!report)
      return { isError: true, content: [{ type: 'text', text: `unknown city ${city}` }] };
    return { content: [{ type: 'text', text: `${city}: ${report}` }] };
  },
);
await server.connect(new StdioServerTransport());
