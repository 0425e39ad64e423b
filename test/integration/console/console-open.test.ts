import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectorHandle } from '../../../collector/index.js';
import { CONSOLE_CSP } from '../../../console/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { type SeededTraces, seedConsoleData, startConsoleCollector } from './harness.js';

describe('the console with no tokens on loopback (the default)', () => {
  let db: TestDatabase;
  let traces: SeededTraces;
  let collector: CollectorHandle;
  let lines: string[];
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    db = await createTestDatabase();
    traces = await seedConsoleData(db.url);
    ({ collector, lines, cleanup } = await startConsoleCollector(db.url, { tokens: false }));
  });
  afterAll(async () => {
    await cleanup?.();
    await db?.drop();
  });

  it('prints its URL in the banner, serves pages without sign-in, and no query API', async () => {
    const url = collector.consoleUrl!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(lines).toContain(
      `  console             ${url}  (open to this machine: no query tokens configured, loopback only)`,
    );
    expect(collector.queryUrl).toBeUndefined();
    expect(lines.join('\n')).not.toContain('query API');
    const overview = await fetch(url);
    expect(overview.status).toBe(200);
    expect(overview.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(overview.headers.get('x-content-type-options')).toBe('nosniff');
    const text = await overview.text();
    expect(text).toContain('gpt-4o-mini-tools');
    expect(text).toContain('claude-haiku-4-5');
    expect(text).toContain('get_weather');
    // The API is off: its paths are not served, even with a token-shaped header.
    expect((await fetch(`${url}v1/audit`)).status).toBe(404);
    const trace = await (await fetch(`${url}traces/${traces.globexChat}`)).text();
    expect(trace).toContain('claude-haiku-4-5');
  });

  it('refuses a request addressed to another host name (DNS rebinding) and a form from another site', async () => {
    const url = new URL(collector.consoleUrl!);
    const send = (method: string, headers: Record<string, string>) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: url.port, path: '/', method, headers },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => {
              body += c.toString();
            });
            res.on('end', () => resolve({ status: res.statusCode!, body }));
          },
        );
        req.on('error', reject);
        req.end();
      });
    const rebound = await send('GET', { host: `attacker.example:${url.port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain('gpt-4o-mini-tools');
    expect((await send('GET', { host: `localhost:${url.port}` })).status).toBe(200);
    const crossSite = await fetch(new URL('/ledger/verify', url), {
      method: 'POST',
      headers: {
        'sec-fetch-site': 'cross-site',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: '',
      redirect: 'manual',
    });
    expect(crossSite.status).toBe(403);
  });
});
