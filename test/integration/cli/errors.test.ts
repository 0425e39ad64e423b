import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { makeWorkDir, spawnCli, writeConfig } from '../../helpers/spawn-cli.js';
import { spawnScript } from '../../helpers/spawn-script.js';

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const cli = spawnCli(args, { SPANLEDGER_API_URL: '', ...env });
  const { code } = await cli.exit();
  return { code, output: cli.output() };
}

describe('errors that say what to do', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await makeWorkDir('spanledger-errors-');
  });
  afterAll(async () => db?.drop());

  it('a bad or non-Postgres DATABASE_URL names the variable and the expected form', async () => {
    for (const [url, why] of [
      ['not a url', 'is not a URL'],
      ['mysql://u:secret@localhost/db', 'is a mysql:// URL, not a PostgreSQL one'],
    ] as const) {
      for (const args of [['migrate'], ['audit', '--format', 'csv']]) {
        const r = await run(args, { DATABASE_URL: url });
        expect(r.output).toContain(
          `DATABASE_URL ${why}; expected a PostgreSQL connection URL such as postgres://user:password@host:5432/database`,
        );
        expect(r.output).not.toContain('secret');
        expect(r.code).not.toBe(0);
      }
    }
    const flag = await run(['verify', '--database-url', 'mysql://h/db']);
    expect(flag.output).toContain('--database-url is a mysql:// URL');
  });

  it('unreachable, a refused login and a missing database say what to check', async () => {
    const refused = await run(['migrate'], { DATABASE_URL: 'postgres://u:p@127.0.0.1:1/db' });
    expect(refused.output).toContain(
      'nothing accepts connections at 127.0.0.1:1 (ECONNREFUSED): is Postgres running, and is DATABASE_URL right?',
    );
    expect(refused.code).toBe(1);

    const wrong = new URL(db.url);
    wrong.password = 'not-the-password';
    const login = await run(['audit', '--format', 'csv'], { DATABASE_URL: wrong.toString() });
    expect(login.output).toMatch(
      /refused the login of user "[^"]+" .*check the user and password in DATABASE_URL/,
    );
    expect(login.output).not.toContain('not-the-password');

    const missing = new URL(db.url);
    missing.pathname = '/no_such_db';
    const nodb = await run(['maintain', '--database-url', missing.toString()]);
    expect(nodb.output).toMatch(
      /database "no_such_db" does not exist on 127\.0\.0\.1:\d+; create it \(createdb -h 127\.0\.0\.1 -p \d+ -U \S+ no_such_db\) or fix the database name in --database-url/,
    );
  });

  it('CLI errors name CLI flags, not API parameters', async () => {
    const quota = await run(['quota', '--user', 'u1'], { DATABASE_URL: db.url });
    expect(quota.output).toContain('--tenant is required');
    expect(quota.output).not.toContain('tenant_id');
    const usage = await run(['usage', '--by', 'colour'], { DATABASE_URL: db.url });
    expect(usage.output).toMatch(/--by/);
    expect(usage.output).not.toMatch(/group_by/);
  });

  it('an unset ${env:VAR} names the variable', async () => {
    const config = await writeConfig(
      dir,
      'receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:0\n        auth:\n          tokens:\n            - token: ${env:SL_TEST_UNSET_TOKEN}\n              tenant: acme\n',
    );
    const r = await run(['start', '--config', config], { SL_TEST_UNSET_TOKEN: '' });
    expect(r.code).toBe(78);
    expect(r.output).toContain(
      'receivers.otlp.protocols.http.auth.tokens.0.token must be at least 16 characters (got null); it comes from ${env:SL_TEST_UNSET_TOKEN}, which is not set',
    );
  });

  it('a port in use names the variable that moves it', async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await run(['start'], {
        SPANLEDGER_OTLP_ENDPOINT: `127.0.0.1:${port}`,
        SPANLEDGER_DATA_DIR: join(dir, 'pg'),
      });
      expect(r.output).toContain(`127.0.0.1:${port} is already in use`);
      expect(r.output).toContain('SPANLEDGER_OTLP_ENDPOINT');
      expect(r.code).not.toBe(0);
    } finally {
      server.close();
    }
  });

  it('initTelemetry() with no database and no OTLP endpoint warns at start', async () => {
    const app = spawnScript('test/fixtures/no-exporter-app.ts', [], {
      DATABASE_URL: undefined,
      OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
    });
    expect((await app.exit()).code).toBe(0);
    expect(app.output()).toMatch(
      /SPANLEDGER_NO_EXPORTER.*no span will land anywhere: set DATABASE_URL/,
    );

    // The app's own non-Postgres DATABASE_URL is skipped with a warning, not a crash.
    const mysql = spawnScript('test/fixtures/no-exporter-app.ts', [], {
      DATABASE_URL: 'mysql://app:secret@db/app',
      OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
    });
    expect((await mysql.exit()).code).toBe(0);
    expect(mysql.output()).toMatch(
      /DATABASE_URL is a mysql:\/\/ URL, not a PostgreSQL one, so spans are not written to it; expected a PostgreSQL connection URL such as postgres:\/\/user:password@host:5432\/database/,
    );
    expect(mysql.output()).not.toContain('secret');
  });

  it('the demo fails loudly, non-zero, when its collector is down and nothing landed', async () => {
    const demo = spawnScript('examples/demo.ts', [], {
      DATABASE_URL: undefined,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
    });
    expect((await demo.exit()).code).toBe(1);
    expect(demo.output()).toMatch(/\*\*\* NOTHING LANDED \*\*\*/);
    expect(demo.output()).toMatch(/is the collector running \(npm start\)/);

    const bad = spawnScript('examples/demo.ts', [], {
      DATABASE_URL: 'not a url',
      OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
    });
    expect((await bad.exit()).code).toBe(1);
    expect(bad.output()).toContain(
      'DATABASE_URL is not a URL; expected a PostgreSQL connection URL such as postgres://user:password@host:5432/database',
    );
  });

  it('the demo runs while otel-config.yaml enables the query API with tokens from unset variables', async () => {
    const work = await makeWorkDir('spanledger-demo-query-');
    await writeConfig(
      work,
      `exporters:\n  postgres:\n    embedded:\n      data_dir: ${join(work, 'pg')}\nextensions:\n  query_api:\n    enabled: true\n    auth:\n      admin_tokens: ["\${env:SL_TEST_UNSET_ADMIN_TOKEN}"]\n`,
    );
    const demo = spawnScript(
      'examples/demo.ts',
      [],
      {
        DATABASE_URL: undefined,
        OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
        SL_TEST_UNSET_ADMIN_TOKEN: undefined,
      },
      { cwd: work },
    );
    const { code } = await demo.exit();
    expect(demo.output()).not.toMatch(/admin_tokens|at least 16 characters/);
    expect(demo.output()).toMatch(/What landed in Postgres/);
    expect(code).toBe(0);
  }, 120_000);
});
