import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../../shared/database/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import {
  makeWorkDir,
  minimalConfigYaml,
  spawnWatched,
  writeConfig,
} from '../../helpers/spawn-cli.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  allowScripts: Record<string, boolean>;
};

// Installed the way a user installs it: the packed tarball, production dependencies only.
// What fails here fails for every user (a devDependency imported at run time, a file left out
// of "files", a bin that was never built) and in the Docker image, which installs the same way.
describe('the packed tarball, installed with production dependencies only', () => {
  let dir: string;
  let app: string;
  let db: TestDatabase;
  let installOutput = '';
  const bin = () => join(app, 'node_modules', '.bin', 'spanledger');
  const run = (args: string[]) =>
    execFileSync(bin(), args, {
      cwd: app,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: '' },
    });

  beforeAll(async () => {
    dir = await makeWorkDir('spanledger-tarball-');
    app = join(dir, 'app');
    const tarball = execFileSync(
      'npm',
      ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir],
      { cwd: ROOT, encoding: 'utf8' },
    )
      .trim()
      .split('\n')
      .pop()!;
    execFileSync('mkdir', ['-p', app]);
    await writeFile(
      join(app, 'package.json'),
      JSON.stringify({
        name: 'an-app',
        private: true,
        type: 'module',
        allowScripts: pkg.allowScripts,
      }),
    );
    const install = spawnSync(
      'npm',
      ['install', join(dir, tarball), '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'],
      { cwd: app, encoding: 'utf8' },
    );
    installOutput = `${install.stdout}${install.stderr}`;
    expect(install.status, installOutput).toBe(0);
    db = await createTestDatabase({ migrate: false });
  }, 600_000);
  afterAll(async () => {
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('installs on Node 20 without warnings: no engine mismatch, no install script to approve', () => {
    expect(installOutput).not.toMatch(/EBADENGINE/);
    expect(installOutput).not.toMatch(/install-scripts/);
  });

  it('holds no dev dependency', () => {
    for (const dev of ['typescript', 'vitest', 'tsx', '@biomejs/biome', 'protobufjs-cli']) {
      expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false);
    }
  });

  it('spanledger --version and --help', () => {
    expect(run(['--version']).trim()).toBe(pkg.version);
    const help = run(['--help']);
    for (const command of [
      'start',
      'migrate',
      'probe',
      'verify',
      'audit',
      'usage',
      'quota',
      'mcp',
    ]) {
      expect(help).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    }
  });

  it('imports every entry point', () => {
    const expected: Record<string, string> = {
      instrumentation: 'initTelemetry',
      exporters: 'PgSpanExporter',
      collector: 'startCollector',
      prober: 'createProber',
      query: 'buildQueryApi',
      ledger: 'verifyLedger',
    };
    for (const [entry, name] of Object.entries(expected)) {
      const out = execFileSync(
        'node',
        [
          '--input-type=module',
          '-e',
          `const m = await import('spanledger/${entry}'); console.log(typeof m[${JSON.stringify(name)}]);`,
        ],
        { cwd: app, encoding: 'utf8' },
      );
      expect(out.trim(), `spanledger/${entry} exports ${name}`).toBe('function');
    }
  });

  it('spanledger start on a DATABASE_URL: migrates, answers /readyz, stops on SIGTERM', async () => {
    const port = await findFreePort();
    const config = await writeConfig(
      dir,
      minimalConfigYaml(dir, { otlpPort: port, databaseUrl: db.url }),
    );
    const collector = spawnWatched(bin(), ['start', '--config', config], { cwd: app });
    await collector.waitFor(/database\s+postgres:\S+ /, 120_000);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n FROM spanledger.schema_migrations`,
    );
    expect(rows[0].n).toBeGreaterThan(0);
    collector.child.kill('SIGTERM');
    expect((await collector.exit()).code).toBe(0);
  }, 180_000);
});
