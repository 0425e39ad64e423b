import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfigFile } from '../../../collector/config/index.js';
import {
  allPanels,
  DEPLOY,
  dataLinks,
  loadDashboards,
  POSTGRES_TYPE,
  PROVISIONING_DIR,
  prometheusRules,
  provisionedAlertRules,
  provisionedDatasources,
  sqlTargets,
  sqlVariables,
  variableQuery,
} from '../../helpers/grafana-dashboards.js';

const read = (path: string) => readFileSync(path, 'utf8');
const compose = parse(read(join(DEPLOY, 'docker-compose.yaml')), { merge: true }) as {
  services: Record<string, Record<string, unknown>>;
};
const services = compose.services;
const dashboards = loadDashboards();
const datasourceUids = new Set(provisionedDatasources().map((d) => d.uid));

/** A tag with a version number in it: "postgres:17.6", not "postgres" or "postgres:latest". */
const PINNED = /^[\w./-]+:(?!latest$)[\w.-]*\d[\w.-]*$/;

describe('Grafana dashboards', () => {
  it('are the four, each with a stable uid, a title and a current schemaVersion', () => {
    expect(dashboards.map((d) => d.uid).sort()).toEqual([
      'spanledger-collector',
      'spanledger-latency',
      'spanledger-mcp-health',
      'spanledger-usage',
    ]);
    for (const d of dashboards) {
      expect(d.title, d.file).toMatch(/^spanledger · /);
      expect(d.schemaVersion, d.file).toBeGreaterThanOrEqual(39);
    }
  });

  it('query data sources that exist: their own data-source variable or a provisioned uid', () => {
    for (const d of dashboards) {
      const dsVariables = new Map(
        d.templating.list.filter((v) => v.type === 'datasource').map((v) => [v.name, v]),
      );
      for (const panel of allPanels(d)) {
        for (const target of panel.targets ?? []) {
          const uid = (target.datasource ?? panel.datasource)?.uid ?? '';
          const variable = /^\$\{(\w+)\}$/.exec(uid)?.[1];
          if (variable) expect(dsVariables.has(variable), `${d.file}: ${panel.title}`).toBe(true);
          else expect(datasourceUids.has(uid), `${d.file}: ${panel.title}`).toBe(true);
        }
      }
      for (const v of dsVariables.values()) {
        const current = (v as { current?: { value?: string } }).current?.value ?? '';
        expect(datasourceUids.has(current), `${d.file}: $${v.name} defaults to ${current}`).toBe(
          true,
        );
      }
    }
  });

  it('link trace ids to the provisioned Jaeger data source', () => {
    let links = 0;
    for (const d of dashboards) {
      for (const panel of allPanels(d)) {
        for (const { field, link } of dataLinks(panel)) {
          links++;
          expect(field, `${d.file}: ${panel.title}`).toBe('trace_id');
          if (link.internal) {
            expect(link.internal.datasourceUid).toBe('spanledger-jaeger');
            expect(link.internal.query.query).toBe('${__value.raw}');
          } else {
            expect(link.url).toMatch(/^\$\{jaeger_url\}\/trace\/\$\{__data\.fields\.trace_id\}$/);
            expect(d.templating.list.map((v) => v.name)).toContain('jaeger_url');
          }
        }
      }
    }
    expect(links).toBeGreaterThanOrEqual(10);
    expect(datasourceUids.has('spanledger-jaeger')).toBe(true);
  });

  it('use only defined variables in SQL, none inside comments, and All never expands to an empty list', () => {
    for (const d of dashboards) {
      const defined = new Set(d.templating.list.map((v) => v.name));
      const texts = [
        ...sqlTargets(d).map(({ panel, target }) => [panel.title, target.rawSql!] as const),
        ...sqlVariables(d).map((v) => [`$${v.name}`, variableQuery(v)] as const),
      ];
      for (const [where, sql] of texts) {
        for (const m of sql.matchAll(/\$\{(\w+)[^}]*\}|\$(\w+)|\[\[(\w+)/g)) {
          const name = m[1] ?? m[2] ?? m[3]!;
          if (!name.startsWith('__'))
            expect(defined.has(name), `${d.file}: ${where}: $${name}`).toBe(true);
        }
        // Newer Grafana strips comments before expanding macros, older does not: keep them inert.
        for (const comment of sql.match(/--[^\n]*|\/\*[\s\S]*?\*\//g) ?? []) {
          expect(comment, `${d.file}: ${where}`).not.toContain('$');
        }
      }
      for (const v of sqlVariables(d)) {
        if (v.includeAll) expect(v.allValue, `${d.file}: $${v.name}`).toBe("'__all'");
      }
    }
  });
});

describe('the compose stack', () => {
  it('has Postgres, the migrate one-shot, collectors, Jaeger, Prometheus and Grafana', () => {
    for (const name of [
      'postgres',
      'migrate',
      'db-logins',
      'spanledger-1',
      'jaeger',
      'prometheus',
      'grafana',
    ]) {
      expect(Object.keys(services)).toContain(name);
    }
  });

  it('pins every image to a version, the Dockerfile base too', () => {
    for (const [name, service] of Object.entries(services)) {
      // A built image is this repository's Dockerfile, whose base is checked below.
      if (service.build !== undefined) continue;
      expect(service.image, name).toMatch(PINNED);
    }
    const from = [...read(join(DEPLOY, 'Dockerfile')).matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(from.length).toBeGreaterThan(0);
    for (const image of from) expect(image).toMatch(PINNED);
  });

  it('runs the image on production dependencies only, from an entry point the build emits', () => {
    const dockerfile = read(join(DEPLOY, 'Dockerfile'));
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/npm ci --omit=dev/);
    expect(runtime).not.toMatch(/COPY --from=build \/app\/node_modules/);
    const entry = /ENTRYPOINT \["node", "dist\/(\S+)\.js"\]/.exec(runtime)?.[1];
    expect(entry).toBeDefined();
    expect(existsSync(join(DEPLOY, '..', `${entry}.ts`)), `${entry}.ts`).toBe(true);
    for (const m of runtime.matchAll(/^COPY (?!--from)(\S+)/gm)) {
      expect(existsSync(join(DEPLOY, '..', m[1]!)), m[1]).toBe(true);
    }
  });

  it('mounts files that exist', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of (service.volumes as string[] | undefined) ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./'))
          expect(existsSync(join(DEPLOY, source)), `${name}: ${volume}`).toBe(true);
      }
    }
  });

  it('migrates as the owner, then runs the collectors as a writer-only login', () => {
    const env = (name: string) => services[name]!.environment as Record<string, string>;
    expect(services.migrate!.command).toEqual(['migrate']);
    expect(new URL(env('migrate').DATABASE_URL!).username).toBe('spanledger_owner');
    for (const name of ['spanledger-1', 'spanledger-2', 'spanledger-3']) {
      expect(new URL(env(name).DATABASE_URL!).username).toBe('spanledger_collector');
      expect(services[name]!.depends_on).toMatchObject({
        'db-logins': { condition: 'service_completed_successfully' },
      });
    }
    expect(services['db-logins']!.depends_on).toMatchObject({
      migrate: { condition: 'service_completed_successfully' },
    });
    const logins = read(join(DEPLOY, 'postgres', 'logins.sql'));
    expect(logins).toContain("GRANT spanledger_writer TO %I', collector");
    expect(logins).toContain('spanledger.grant_tenant_reader(tenant_login');
  });

  it("forwards the collectors' traces to Jaeger", async () => {
    const config = await loadConfigFile(join(DEPLOY, 'spanledger.yaml'), {
      SPANLEDGER_TOKEN: 'a-long-enough-token-123',
      DATABASE_URL: 'postgres://spanledger_collector:x@postgres:5432/spanledger',
    });
    expect(config.service.pipelines.traces.exporters).toEqual(['postgres', 'otlphttp/jaeger']);
    expect(new URL(config.exporters.otlphttp['otlphttp/jaeger']!.endpoint).host).toBe(
      'jaeger:4318',
    );
    expect(config.exporters.postgres.role).toBe('spanledger_writer');
  });

  it('points Prometheus at every collector and at the rules, and Grafana at the dashboards', () => {
    const prometheus = parse(read(join(DEPLOY, 'prometheus', 'prometheus.yml')));
    const targets = prometheus.scrape_configs[0].static_configs[0].targets as string[];
    const collectors = Object.keys(services).filter((s) => /^spanledger-\d$/.test(s));
    expect(targets.sort()).toEqual(collectors.map((c) => `${c}:4318`).sort());
    expect(prometheus.rule_files).toEqual(['/etc/prometheus/rules/*.yaml']);
    expect(services.prometheus!.volumes).toContain('./prometheus/rules:/etc/prometheus/rules:ro');

    const provider = parse(read(join(PROVISIONING_DIR, 'dashboards', 'spanledger.yaml')))
      .providers[0];
    expect(services.grafana!.volumes).toContain(`./grafana/dashboards:${provider.options.path}:ro`);
    expect(services.grafana!.volumes).toContain(
      './grafana/provisioning:/etc/grafana/provisioning:ro',
    );
    const pg = provisionedDatasources().filter((d) => d.type === POSTGRES_TYPE);
    expect(pg.map((d) => d.uid).sort()).toEqual(['spanledger-pg', 'spanledger-pg-tenant']);
  });
});

describe('alert rules', () => {
  it('cover not ready, a growing spool, dead letters, an unhealthy MCP server and quotas', () => {
    const rules = prometheusRules();
    const byName = new Map(rules.map((r) => [r.alert, r.expr]));
    expect(byName.get('SpanledgerCollectorNotReady')).toContain('spanledger_collector_ready == 0');
    expect(byName.get('SpanledgerSpoolGrowing')).toContain('spanledger_exporter_spool_bytes');
    expect(byName.get('SpanledgerDeadLetters')).toContain(
      'spanledger_exporter_dead_lettered_total',
    );
    expect(byName.get('SpanledgerQuotaAbove90Percent')).toMatch(
      /spanledger_quota_used_ratio\) > 0\.9/,
    );
    const grafana = provisionedAlertRules().find((r) => r.uid === 'spanledger-mcp-unhealthy')!;
    expect(grafana.data.map((d) => d.datasourceUid)).toEqual(['spanledger-pg', '__expr__']);
    expect((grafana as unknown as { for: string }).for).toBe('5m');
  });
});
