import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { findFreePort } from '../../shared/database/index.js';
import { otlpJsonRequest } from '../integration/collector/harness.js';
import { chatAttributes } from './spans.js';

const ROOT = resolve(import.meta.dirname, '../..');
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A `spanledger start` child process for fault tests: its output, its liveness, its URL. */
export interface CollectorProcess {
  child: ChildProcess;
  url: string;
  workDir: string;
  spoolDir: string;
  output(): string;
  alive(): boolean;
  /** Resolves once the output matches `pattern` (rejects when the process exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then waits for the exit; returns its code. */
  stop(): Promise<number | null>;
}

export interface CollectorProcessOptions {
  /** DATABASE_URL; omitted: the embedded Postgres in the work directory. */
  databaseUrl?: string;
  /** exporters.postgres.spool.max_size, e.g. "64KiB". */
  spoolMaxSize?: string;
  /** Run as this user (root only): permission bits then apply to it, as they never do to root. */
  user?: { uid: number; gid: number };
  extraYaml?: string;
}

/** The uid/gid of an unprivileged system user when running as root (for read-only tests). */
export function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'nobody'], { encoding: 'utf8' });
  if (id('-u').status !== 0) return undefined;
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

/** Starts `spanledger start` (cli/main.ts through tsx) with a config of its own. */
export async function startCollectorProcess(
  options: CollectorProcessOptions = {},
): Promise<CollectorProcess> {
  const workDir = await mkdtemp(join(tmpdir(), 'spanledger-fault-'));
  const spoolDir = join(workDir, 'spool');
  const port = await findFreePort();
  const config = join(workDir, 'otel-config.yaml');
  await writeFile(
    config,
    [
      'receivers:',
      '  otlp:',
      '    protocols:',
      '      http:',
      `        endpoint: 127.0.0.1:${port}`,
      'exporters:',
      '  postgres:',
      '    connect_timeout: 2s',
      '    spool:',
      `      dir: ${spoolDir}`,
      ...(options.spoolMaxSize ? [`      max_size: ${options.spoolMaxSize}`] : []),
      '    embedded:',
      `      data_dir: ${join(workDir, 'pg')}`,
      `      port: ${await findFreePort()}`,
      'extensions:',
      '  mcp_health:',
      '    enabled: false',
      // The console (on by default) would take 127.0.0.1:4319 in every process.
      '  console:',
      '    enabled: false',
      options.extraYaml ?? '',
    ].join('\n'),
  );
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  if (options.user) {
    await chown(workDir, options.user.uid, options.user.gid);
    env.HOME = workDir;
  }
  // Postgres (run as the postgres user under root) must be able to enter the directory.
  spawnSync('chmod', ['0755', workDir]);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'cli/main.ts'), 'start', '--config', config],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], ...(options.user ?? {}) },
  );
  let text = '';
  const append = (chunk: Buffer) => {
    text += chunk.toString();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = once(child, 'exit');
  const alive = () => child.exitCode === null && child.signalCode === null;
  const process_: CollectorProcess = {
    child,
    url: `http://127.0.0.1:${port}`,
    workDir,
    spoolDir,
    output: () => text,
    alive,
    async waitFor(pattern, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(text)) {
        if (!alive()) throw new Error(`collector exited before ${pattern}:\n${text}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${text}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (alive()) child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      await rm(workDir, { recursive: true, force: true }).catch(() => {});
      return code;
    },
  };
  return process_;
}

/** What a load run saw: every span id a 200 acknowledged, and how the collector answered. */
export interface LoadReport {
  acknowledged: string[];
  requests: number;
  statuses: Record<string, number>;
  /** 503 answers that lacked Retry-After (a sender could not know when to come back). */
  unavailableWithoutRetryAfter: number;
  /** 503 bodies that were not google.rpc.Status code 14 UNAVAILABLE. */
  unavailableWithWrongCode: number;
}

export interface Load {
  /** Stops sending new requests; requests in flight retry until acknowledged (or the deadline). */
  stop(deadlineMs?: number): Promise<LoadReport>;
}

/**
 * `senders` concurrent OTLP/JSON senders, each posting `spansPerRequest` chat spans per
 * request. Like an OTLP exporter, a request that is not acknowledged (503, 429, connection
 * refused) is retried, after Retry-After when given; only a 200 acknowledges its spans.
 */
export function startLoad(url: string, senders = 4, spansPerRequest = 10, pauseMs = 0): Load {
  const report: LoadReport = {
    acknowledged: [],
    requests: 0,
    statuses: {},
    unavailableWithoutRetryAfter: 0,
    unavailableWithWrongCode: 0,
  };
  let stopping = false;
  let deadline = Number.POSITIVE_INFINITY;
  const sendUntilAcknowledged = async () => {
    const specs = Array.from({ length: spansPerRequest }, () => ({
      traceId: hex(16),
      spanId: hex(8),
      attributes: chatAttributes(),
    }));
    const body = JSON.stringify(otlpJsonRequest(specs));
    while (Date.now() < deadline) {
      report.requests++;
      const status = await post(url, body, report);
      report.statuses[status] = (report.statuses[status] ?? 0) + 1;
      if (status === '200') {
        for (const s of specs) report.acknowledged.push(s.spanId);
        return;
      }
    }
  };
  const loops = Array.from({ length: senders }, async () => {
    while (!stopping) {
      await sendUntilAcknowledged();
      if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
    }
  });
  return {
    async stop(deadlineMs = 60_000) {
      stopping = true;
      deadline = Date.now() + deadlineMs;
      await Promise.all(loops);
      return report;
    },
  };
}

async function post(url: string, body: string, report: LoadReport): Promise<string> {
  try {
    const response = await fetch(`${url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (response.status === 503) checkUnavailable(response, text, report);
    if (response.status !== 200) {
      const retryAfter = Number(response.headers.get('retry-after') ?? '0');
      await new Promise((r) => setTimeout(r, Math.min(retryAfter * 1000, 1_000) || 100));
    }
    return String(response.status);
  } catch (err) {
    await new Promise((r) => setTimeout(r, 100));
    return (err as { cause?: { code?: string } }).cause?.code ?? 'network';
  }
}

function checkUnavailable(response: Response, text: string, report: LoadReport) {
  if (!response.headers.get('retry-after')) report.unavailableWithoutRetryAfter++;
  try {
    if ((JSON.parse(text) as { code?: number }).code !== 14) report.unavailableWithWrongCode++;
  } catch {
    report.unavailableWithWrongCode++;
  }
}

/** The ledger's view of the acknowledged spans. */
export interface LedgerCheck {
  acknowledged: number;
  missing: number;
  /** Span ids with more than one audit_log row. */
  duplicates: number;
  /** Span ids with more than one llm_usage row. */
  usageDuplicates: number;
  /** sum(usage_daily.calls) − count(llm_usage): the rollup must equal the ledger. */
  rollupDrift: number;
  tokenDrift: number;
}

/** Counts, on the database at `url`, what became of `acknowledged` span ids. */
export async function checkLedger(
  url: string,
  acknowledged: readonly string[],
): Promise<LedgerCheck> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{
      present: number;
      duplicates: number;
      usage_duplicates: number;
      rollup_drift: number;
      token_drift: number;
    }>(
      `WITH a AS (SELECT span_id, count(*) AS n FROM spanledger.audit_log WHERE span_id = ANY($1) GROUP BY span_id),
            u AS (SELECT span_id, count(*) AS n FROM spanledger.llm_usage GROUP BY span_id)
       SELECT (SELECT count(*) FROM a)::int AS present,
              (SELECT count(*) FROM a WHERE n > 1)::int AS duplicates,
              (SELECT count(*) FROM u WHERE n > 1)::int AS usage_duplicates,
              ((SELECT coalesce(sum(calls), 0) FROM spanledger.usage_daily)
                 - (SELECT count(*) FROM spanledger.llm_usage))::int AS rollup_drift,
              ((SELECT coalesce(sum(input_tokens + output_tokens), 0) FROM spanledger.usage_daily)
                 - (SELECT coalesce(sum(input_tokens + output_tokens), 0) FROM spanledger.llm_usage))::int AS token_drift`,
      [acknowledged],
    );
    const r = rows[0]!;
    return {
      acknowledged: acknowledged.length,
      missing: acknowledged.length - r.present,
      duplicates: r.duplicates,
      usageDuplicates: r.usage_duplicates,
      rollupDrift: r.rollup_drift,
      tokenDrift: r.token_drift,
    };
  } finally {
    await client.end().catch(() => {});
  }
}

/** Polls the collector's /metrics until its spool is empty (everything replayed). */
export async function waitForEmptySpool(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await fetch(`${url}/metrics`)
      .then((r) => r.text())
      .catch(() => '');
    const bytes = /^spanledger_exporter_spool_bytes (\d+)/m.exec(text)?.[1];
    if (bytes === '0') return;
    if (Date.now() > deadline) throw new Error(`spool not drained after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits until `probe` holds, polling. */
export async function eventually(
  probe: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
