import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_CONFIG_FILE, resolveConfig, substituteEnv } from '../collector/index.js';
import type { InitTelemetryOptions } from '../instrumentation/index.js';
import { runMigrations } from '../migrations/index.js';
import {
  DATABASE_URL_FORM,
  findRunningEmbedded,
  invalidDatabaseUrl,
  maskDatabaseUrl,
  startEmbeddedPostgres,
} from '../shared/database/index.js';

/** Where the demo's spans go and where its report reads them back. */
export interface DemoTarget {
  /** For the banner; passwords masked. */
  exportsTo: string;
  /** initTelemetry's exporter options for this target. */
  telemetry: Pick<InitTelemetryOptions, 'databaseUrl' | 'otlp' | 'postgres'>;
  /** The database the report reads; undefined when the demo cannot know it. */
  reportUrl: string | undefined;
  release(): Promise<void>;
}

const nothing = async () => {};

/** The URL of the embedded Postgres that `npm start` is running right now, if it is. */
async function runningEmbeddedUrl(dataDir: string): Promise<string | undefined> {
  return (await findRunningEmbedded(dataDir))?.url;
}

/** Direct mode: migrate (idempotent), then write spans straight to `url`. */
async function directTarget(url: string, label: string, release = nothing): Promise<DemoTarget> {
  await runMigrations({ database: url });
  return {
    exportsTo: `${label}: ${maskDatabaseUrl(url)}`,
    // No spool: the report reads the rows right away, and the default spool directory is the
    // collector's.
    telemetry: { databaseUrl: url, otlp: false, postgres: { spool: false } },
    reportUrl: url,
    release,
  };
}

/**
 * `npm start`'s embedded Postgres settings, from otel-config.yaml as the collector reads it. Only
 * that section is validated: the demo does not need the tokens of a query API enabled there
 * (their variables are set in the collector's shell, not necessarily in the demo's).
 */
async function embeddedSettings(env: NodeJS.ProcessEnv) {
  const raw = existsSync(DEFAULT_CONFIG_FILE)
    ? (parseYaml(substituteEnv(await readFile(DEFAULT_CONFIG_FILE, 'utf8'), env)) as {
        exporters?: { postgres?: { embedded?: unknown } };
      } | null)
    : undefined;
  const config = resolveConfig(
    { exporters: { postgres: { embedded: raw?.exporters?.postgres?.embedded ?? {} } } },
    `${DEFAULT_CONFIG_FILE} (exporters.postgres.embedded)`,
  );
  const { embedded } = config.exporters.postgres;
  return { dataDir: resolve(embedded.data_dir), port: embedded.port };
}

/** The embedded Postgres of `npm start`: the running one, else started here. */
async function embeddedTarget(env: NodeJS.ProcessEnv): Promise<DemoTarget> {
  const { dataDir, port } = await embeddedSettings(env);
  const running = await runningEmbeddedUrl(dataDir);
  if (running) {
    const target = await directTarget(running, 'the embedded Postgres of npm start').catch(
      () => undefined, // a postmaster.pid left by a crash: start the server below
    );
    if (target) return target;
  }
  const pg = await startEmbeddedPostgres({ dataDir, port });
  try {
    return await directTarget(pg.url, `the embedded Postgres in ${dataDir}`, () => pg.stop());
  } catch (error) {
    await pg.stop();
    throw error;
  }
}

/**
 * OTEL_EXPORTER_OTLP_ENDPOINT: spans go to that collector (which writes DATABASE_URL or its
 * embedded database; the report reads the same). Else DATABASE_URL: straight to Postgres. Else
 * the embedded database `npm start` uses (otel-config.yaml: exporters.postgres.embedded).
 */
export async function openDemoTarget(env: NodeJS.ProcessEnv): Promise<DemoTarget> {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (endpoint) {
    return {
      exportsTo: `the collector at ${endpoint}`,
      telemetry: { databaseUrl: false, otlp: true },
      reportUrl:
        env.DATABASE_URL || (await runningEmbeddedUrl((await embeddedSettings(env)).dataDir)),
      release: nothing,
    };
  }
  if (env.DATABASE_URL) {
    const problem = invalidDatabaseUrl(env.DATABASE_URL);
    if (problem) {
      throw new Error(
        `DATABASE_URL ${problem}; expected a PostgreSQL connection URL such as ${DATABASE_URL_FORM}, or unset it to use the embedded database`,
      );
    }
    return directTarget(env.DATABASE_URL, 'Postgres (DATABASE_URL)');
  }
  return embeddedTarget(env);
}
