import cron from 'node-cron';
import { z } from 'zod';
import { duration } from '../shared/index.js';

const schedule = z.string().refine((s) => cron.validate(s), {
  error: 'must be a cron expression such as "*/1 * * * *" (5 fields, or 6 with seconds)',
});

const server = z
  .strictObject({
    name: z.string().min(1, { error: 'must name the server' }),
    transport: z.enum(['streamable_http', 'sse', 'stdio'], {
      error: 'must be one of streamable_http, sse, stdio',
    }),
    url: z.url({ error: 'must be an http(s) URL' }).optional(),
    command: z.string().min(1).optional(),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    headers: z.record(z.string(), z.string()).default({}),
    schedule: schedule.optional(),
    timeout: duration('10s').optional(),
    enabled: z.boolean().default(true),
  })
  .superRefine((s, ctx) => {
    if (s.transport === 'stdio' && !s.command) {
      ctx.addIssue({
        code: 'custom',
        path: ['command'],
        message: 'is required for transport stdio',
      });
    }
    if (s.transport !== 'stdio' && !s.url) {
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: `is required for transport ${s.transport}`,
      });
    }
  });

/** `extensions.mcp_health` in otel-config.yaml. */
export const mcpHealthSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Loopback and private-range targets are refused unless this is true (SSRF guard). */
  allow_private_targets: z.boolean().default(false),
  /** A probe slower than this (but otherwise fine) is 'degraded'. */
  degraded_threshold: duration('2s'),
  default_schedule: schedule.default('*/1 * * * *'),
  default_timeout: duration('10s'),
  /** Largest HTTP response body a probe reads. */
  max_response_bytes: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  servers: z.array(server).default([]),
});

export type McpHealthConfig = z.output<typeof mcpHealthSchema>;
export type McpServerConfig = McpHealthConfig['servers'][number];
