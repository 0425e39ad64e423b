import { createHash } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { describeProbeError } from './describe-error.js';
import { createPinnedFetch, type PinnedFetch } from './pinned-fetch.js';
import { resolveTarget } from './target-guard.js';

export type ProbeStatus = 'healthy' | 'degraded' | 'unhealthy' | 'timeout';

/** One MCP server as the prober sees it (secrets such as headers live only in memory). */
export interface ProbeTarget {
  id: number;
  name: string;
  transport: 'streamable_http' | 'sse' | 'stdio';
  url: string | null;
  /** argv for stdio servers. */
  command: string[] | null;
  env: Record<string, string>;
  headers: Record<string, string>;
  timeoutMs: number;
  schedule: string;
}

export interface ProbeOptions {
  allowPrivateTargets: boolean;
  degradedThresholdMs: number;
  maxResponseBytes: number;
}

/** What one probe found; becomes one mcp_health_log row. */
export interface ProbeResult {
  status: ProbeStatus;
  responseTimeMs: number;
  errorMessage: string | null;
  meta: Record<string, unknown>;
}

class ProbeTimeout extends Error {}

const CLIENT_INFO = { name: 'spanledger-prober', version: '0.1.0' };

function toolsDigest(tools: ReadonlyArray<{ name: string; inputSchema?: unknown }>): string {
  const canonical = tools
    .map((t) => [t.name, t.inputSchema ?? null])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

async function createTransport(
  target: ProbeTarget,
  options: ProbeOptions,
  pinned: { current?: PinnedFetch },
) {
  if (target.transport === 'stdio') {
    const [command, ...args] = target.command ?? [];
    return new StdioClientTransport({
      command: command!,
      args,
      env: { PATH: process.env.PATH ?? '', ...target.env },
      stderr: 'ignore',
    });
  }
  const url = new URL(target.url!);
  const resolved = await resolveTarget(url, options.allowPrivateTargets);
  pinned.current = createPinnedFetch(resolved, options.maxResponseBytes);
  const requestInit = { headers: target.headers, redirect: 'manual' as const };
  return target.transport === 'sse'
    ? new SSEClientTransport(url, {
        fetch: pinned.current.fetch,
        requestInit,
        eventSourceInit: { fetch: pinned.current.fetch },
      })
    : new StreamableHTTPClientTransport(url, { fetch: pinned.current.fetch, requestInit });
}

function targetLabel(target: ProbeTarget): string {
  return target.transport === 'stdio'
    ? (target.command ?? []).join(' ')
    : (target.url ?? target.name);
}

/**
 * A real MCP conversation with the official SDK client: connect + initialize, ping (falling
 * back to tools/list on revisions without ping), tools/list, close. Never throws: every outcome
 * is a ProbeResult with per-step times in meta.steps.
 */
export async function probeServer(
  target: ProbeTarget,
  options: ProbeOptions,
): Promise<ProbeResult> {
  const started = performance.now();
  const steps: Record<string, number> = {};
  const meta: Record<string, unknown> = { transport: target.transport, steps };
  const state = { step: 'resolve', initialized: false };
  const pinned: { current?: PinnedFetch } = {};
  const abort = new AbortController();
  let client: Client | undefined;
  let transport: Transport | undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new ProbeTimeout(state.step));
    }, target.timeoutMs);
  });
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    state.step = name;
    const t0 = performance.now();
    const value = await fn();
    steps[name] = Math.round(performance.now() - t0);
    return value;
  };
  const request = { signal: abort.signal, timeout: target.timeoutMs };
  try {
    await Promise.race([
      timeout,
      (async () => {
        transport = await timed('resolve', () => createTransport(target, options, pinned));
        let protocolVersion: string | undefined;
        const original = transport.setProtocolVersion?.bind(transport);
        transport.setProtocolVersion = (v: string) => {
          protocolVersion = v;
          original?.(v);
        };
        if (transport instanceof StdioClientTransport) {
          // The pid is known once started; record it so leaks can be checked after the probe.
          const stdio = transport;
          const start = stdio.start.bind(stdio);
          stdio.start = async () => {
            await start();
            meta.pid = stdio.pid;
          };
        }
        client = new Client(CLIENT_INFO, { capabilities: {} });
        await timed('initialize', () => client!.connect(transport!, request));
        state.initialized = true;
        const info = client.getServerVersion();
        const capabilities = client.getServerCapabilities() ?? {};
        Object.assign(meta, {
          server_name: info?.name ?? null,
          server_version: info?.version ?? null,
          protocol_version: protocolVersion ?? null,
          capabilities: Object.keys(capabilities).sort(),
        });
        try {
          await timed('ping', () => client!.ping(request));
        } catch (err) {
          // Revisions without ping answer "method not found": tools/list below proves liveness.
          if (!/-32601/.test((err as Error).message)) throw err;
          meta.ping = 'unsupported';
        }
        if (capabilities.tools || meta.ping === 'unsupported') {
          const { tools } = await timed('tools/list', () => client!.listTools({}, request));
          meta.tool_count = tools.length;
          meta.tools_digest = toolsDigest(tools);
        }
      })(),
    ]);
    const elapsed = Math.round(performance.now() - started);
    if (elapsed > options.degradedThresholdMs) {
      return {
        status: 'degraded',
        responseTimeMs: elapsed,
        errorMessage: `slow: answered in ${elapsed} ms, above the ${options.degradedThresholdMs} ms threshold`,
        meta,
      };
    }
    return { status: 'healthy', responseTimeMs: elapsed, errorMessage: null, meta };
  } catch (err) {
    const elapsed = Math.round(performance.now() - started);
    meta.failed_step = state.step;
    if (err instanceof ProbeTimeout) {
      return {
        status: 'timeout',
        responseTimeMs: elapsed,
        errorMessage: `timeout after ${target.timeoutMs} ms at step ${err.message}`,
        meta,
      };
    }
    return {
      status: state.initialized ? 'degraded' : 'unhealthy',
      responseTimeMs: elapsed,
      errorMessage: `${state.step} failed: ${describeProbeError(err, targetLabel(target))}`,
      meta,
    };
  } finally {
    clearTimeout(timer);
    await shutdown(client, transport, pinned.current);
  }
}

// Close the conversation; for stdio make sure the child is gone even if close() misbehaves.
async function shutdown(
  client: Client | undefined,
  transport: Transport | undefined,
  pinned?: PinnedFetch,
) {
  const pid = transport instanceof StdioClientTransport ? transport.pid : null;
  const closing = (client ?? transport)?.close().catch(() => {});
  await Promise.race([closing, new Promise((r) => setTimeout(r, 2_000).unref())]);
  if (pid) {
    try {
      process.kill(pid, 0);
      process.kill(pid, 'SIGKILL');
    } catch {
      // already exited
    }
  }
  await pinned?.close().catch(() => {});
}
