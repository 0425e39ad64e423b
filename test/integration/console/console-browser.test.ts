import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectorHandle } from '../../../collector/index.js';
import { launchChromium } from '../../helpers/browser.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import {
  CONSOLE_TOKENS,
  type SeededTraces,
  seedConsoleData,
  startConsoleCollector,
  XSS,
} from './harness.js';

const SCREENSHOTS = join(import.meta.dirname, '..', '..', '..', 'docs', 'console');

/** An MCP server with a day of health checks and one outage (two status changes). */
async function seedMcpHealth(db: TestDatabase) {
  const { rows } = await db.pool.query<{ id: number }>(
    `INSERT INTO spanledger.mcp_servers (name, transport, url) VALUES
       ('weather-mcp', 'streamable_http', 'http://127.0.0.1:1/mcp'),
       ($1, 'streamable_http', 'http://127.0.0.1:2/mcp') RETURNING id`,
    [XSS],
  );
  const [weather, xss] = rows.map((r) => r.id);
  await db.pool.query(
    `INSERT INTO spanledger.mcp_health_log (mcp_server_id, "timestamp", status, response_time_ms, event_type, error_message)
     SELECT $1, now() - (i * interval '30 minutes'),
            CASE WHEN i BETWEEN 4 AND 5 THEN 'unhealthy' ELSE 'healthy' END,
            40 + (i % 7) * 5, 'health_check',
            CASE WHEN i BETWEEN 4 AND 5 THEN 'connect ECONNREFUSED' END
     FROM generate_series(0, 47) i`,
    [weather],
  );
  await db.pool.query(
    `INSERT INTO spanledger.mcp_health_log (mcp_server_id, "timestamp", status, event_type, error_message) VALUES
       ($1, now() - interval '150 minutes', 'unhealthy', 'status_change', 'connect ECONNREFUSED'),
       ($1, now() - interval '90 minutes', 'healthy', 'status_change', NULL),
       ($2, now() - interval '10 minutes', 'healthy', 'health_check', $3)`,
    [weather, xss, XSS],
  );
}

describe('the console in Chromium, with query tokens', () => {
  let db: TestDatabase;
  let traces: SeededTraces;
  let collector: CollectorHandle;
  let cleanup: () => Promise<void>;
  let browser: Browser;
  let url: string;
  const dialogs: string[] = [];
  // Errors the pages log (a CSP violation would show here).
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    traces = await seedConsoleData(db.url);
    await seedMcpHealth(db);
    ({ collector, cleanup } = await startConsoleCollector(db.url, {
      tokens: true,
      traceUrl: 'http://jaeger.example:16686/trace/{trace_id}',
    }));
    url = collector.consoleUrl!;
    browser = await launchChromium();
    await mkdir(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await cleanup?.();
    await db?.drop();
  });

  /** A fresh browser context signed in with `token`; any dialog (alert) is recorded. */
  async function signedIn(token: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    page.on('console', (m) => {
      // (An HTTP error status, such as the deliberate 400 below, is logged too: not counted.)
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
        consoleErrors.push(`${page.url()}: ${m.text()}`);
    });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(url);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await page.fill('input[name=token]', token);
    await Promise.all([page.waitForURL(`${url}`), page.click('button[type=submit]')]);
    await page.waitForSelector('html[data-ready=true]');
    return { context, page };
  }

  it('asks for a token, refuses a wrong one, and sets a signed HttpOnly SameSite=Strict cookie', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${url}audit`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await page.fill('input[name=token]', 'not-a-configured-token-at-all');
    await page.click('button[type=submit]');
    await expect(page.locator('p.error').textContent()).resolves.toContain('not configured');
    await page.screenshot({ path: join(SCREENSHOTS, 'sign-in.png') });
    await page.fill('input[name=token]', CONSOLE_TOKENS.acme);
    await Promise.all([page.waitForURL(`${url}audit`), page.click('button[type=submit]')]);
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({
      name: 'spanledger_session',
      httpOnly: true,
      sameSite: 'Strict',
    });
    expect(cookie!.value).not.toContain(CONSOLE_TOKENS.acme);
    // A tampered cookie is no session.
    await context.addCookies([{ ...cookie!, value: `${cookie!.value.slice(0, -2)}xx` }]);
    await page.goto(`${url}audit`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await context.close();
  });

  it('overview: the models, the tool, charts drawn, totals', async () => {
    const { context, page } = await signedIn(CONSOLE_TOKENS.admin);
    const main = page.locator('main');
    await expect(main.textContent()).resolves.toContain('gpt-4o-mini-tools');
    await expect(main.textContent()).resolves.toContain('claude-haiku-4-5');
    await expect(page.locator('#tools').textContent()).resolves.toContain('get_weather');
    await expect(page.locator('#mcp-servers').textContent()).resolves.toContain('weather.internal');
    expect(await page.locator('.uplot').count()).toBe(4);
    // Tenant picker: every tenant for an admin.
    const tenants = await page.locator('select[name=tenant_id] option').allTextContents();
    expect(tenants).toEqual(['every tenant', 'acme', 'globex']);
    await page.screenshot({ path: join(SCREENSHOTS, 'overview.png'), fullPage: true });
    await page.selectOption('select[name=tenant_id]', 'globex');
    await page.waitForURL(/tenant_id=globex/);
    await expect(page.locator('#by-split').textContent()).resolves.not.toContain(
      'gpt-4o-mini-tools',
    );
    await expect(page.locator('#by-split').textContent()).resolves.toContain('claude-haiku-4-5');
    await context.close();
  });

  it('a tenant token sees only its tenant in every page and download', async () => {
    const { context, page } = await signedIn(CONSOLE_TOKENS.globex);
    await expect(page.locator('main').textContent()).resolves.not.toContain('gpt-4o-mini-tools');
    expect(await page.locator('select[name=tenant_id]').count()).toBe(0);
    // Asking for another tenant is still answered as globex (row-level security decides).
    await page.goto(`${url}?tenant_id=acme`);
    await expect(page.locator('main').textContent()).resolves.not.toContain('gpt-4o-mini-tools');
    await page.goto(`${url}audit?tenant_id=acme`);
    await expect(page.locator('main').textContent()).resolves.toContain('No rows match');
    await page.goto(`${url}audit`);
    const tenantsShown = await page
      .locator('#audit-rows tbody tr td:nth-child(2)')
      .allTextContents();
    expect(new Set(tenantsShown)).toEqual(new Set(['globex']));
    await page.goto(`${url}traces/${traces.acmeAgent}`);
    await expect(page.locator('main').textContent()).resolves.toContain(
      'No GenAI spans of this trace',
    );
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.goto(`${url}audit`).then(() => page.click('#export-jsonl')),
    ]);
    const lines = (await streamText(await download.createReadStream())).trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(new Set(lines.map((l) => JSON.parse(l).tenant_id))).toEqual(new Set(['globex']));
    await page.goto(`${url}ledger`);
    await expect(page.locator('main').textContent()).resolves.toContain('admin tokens only');
    await context.close();
  });

  it('audit: filters, the trace id column, keyboard navigation into the trace', async () => {
    const { context, page } = await signedIn(CONSOLE_TOKENS.acme);
    await page.goto(`${url}audit`);
    await page.waitForSelector('html[data-ready=true]');
    const rows = page.locator('#audit-rows tbody tr');
    // agent, two chats, the tool call and its MCP request; the XSS chat and its tool call.
    expect(await rows.count()).toBe(7);
    await expect(rows.first().locator('td.mono').textContent()).resolves.toMatch(/^[0-9a-f]{32}$/);
    await page.screenshot({ path: join(SCREENSHOTS, 'audit.png'), fullPage: true });
    // Keyboard: the table is one Tab stop (the first row), arrows move, Enter opens the trace.
    expect(await page.locator('#audit-rows [tabindex="0"]').count()).toBe(1);
    await page.locator('#audit-filters a').focus(); // "clear", the last stop before the table
    await page.keyboard.press('Tab'); // the CSV link
    await page.keyboard.press('Tab'); // the JSONL link
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').getAttribute('data-href')).toBe(
      await rows.nth(0).getAttribute('data-href'),
    );
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    const focused = await page.locator(':focus').getAttribute('data-href');
    expect(focused).toBe(await rows.nth(1).getAttribute('data-href'));
    await Promise.all([page.waitForURL(/\/traces\//), page.keyboard.press('Enter')]);
    expect(page.url()).toContain(focused!);
    // Filters: the API's parameters, a bad one named.
    await page.goto(`${url}audit`);
    await page.fill('input[name=tool_name]', 'get_weather');
    await Promise.all([
      page.waitForURL(/tool_name=get_weather/),
      page.click('#audit-filters button[type=submit]'),
    ]);
    expect(await rows.count()).toBe(2);
    await page.goto(`${url}audit?trace_id=nothex`);
    await expect(page.locator('p.error').textContent()).resolves.toContain('trace_id');
    await context.close();
  });

  it('the export download equals the API export for the same token and filters', async () => {
    const { context, page } = await signedIn(CONSOLE_TOKENS.acme);
    for (const format of ['csv', 'jsonl'] as const) {
      await page.goto(`${url}audit?event_type=llm_call`);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click(`#export-${format}`),
      ]);
      expect(download.suggestedFilename()).toBe(`audit.${format}`);
      const fromConsole = await streamText(await download.createReadStream());
      const api = await fetch(
        `${collector.queryUrl}/v1/audit/export?event_type=llm_call&format=${format}`,
        {
          headers: { authorization: `Bearer ${CONSOLE_TOKENS.acme}` },
        },
      );
      expect(api.status).toBe(200);
      expect(fromConsole).toBe(await api.text());
      expect(fromConsole).toContain('gpt-4o-mini-tools');
      expect(fromConsole).not.toContain('claude-haiku-4-5');
    }
    await context.close();
  });

  it('trace: agent → LLM calls → tool call → MCP request, with tokens, finish reasons, digests and the Jaeger link', async () => {
    const { context, page } = await signedIn(CONSOLE_TOKENS.acme);
    await page.goto(`${url}traces/${traces.acmeAgent}`);
    await page.waitForSelector('html[data-ready=true]');
    const root = page.locator('#trace-tree > li');
    expect(await root.count()).toBe(1);
    await expect(root.locator(':scope > details > summary').textContent()).resolves.toContain(
      'agent_call',
    );
    const children = root.locator(':scope > ol > li');
    expect(await children.count()).toBe(3);
    await expect(children.nth(0).textContent()).resolves.toContain('gpt-4o-mini-tools');
    await expect(children.nth(1).textContent()).resolves.toContain('get_weather');
    const mcp = children.nth(1).locator(':scope > ol > li');
    expect(await mcp.count()).toBe(1);
    await children.nth(0).locator(':scope > details > summary').click();
    const fields = await children.nth(0).locator('.span-fields').textContent();
    expect(fields).toContain('tool_calls');
    expect(fields).toContain('120 / 30');
    await expect(page.locator('#trace-link').getAttribute('href')).resolves.toBe(
      `http://jaeger.example:16686/trace/${traces.acmeAgent}`,
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'trace.png'), fullPage: true });
    await context.close();
  });

  it('MCP health: status, uptime, the response-time chart and status changes', async () => {
    const { context, page } = await signedIn(CONSOLE_TOKENS.acme);
    await page.goto(`${url}mcp`);
    await page.waitForSelector('html[data-ready=true]');
    const weather = page.locator('#mcp-servers tbody tr', { hasText: 'weather-mcp' });
    await expect(weather.textContent()).resolves.toContain('healthy');
    // 46 of 48 checks in the last 24 hours were healthy.
    await expect(weather.locator('td').nth(5).textContent()).resolves.toBe('95.8%');
    expect(await page.locator('#mcp-changes tbody tr').count()).toBe(2);
    expect(await page.locator('.uplot').count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'mcp.png'), fullPage: true });
    await context.close();
  });

  it('ledger: chain heads for an admin, and verify from the page', async () => {
    const { context, page } = await signedIn(CONSOLE_TOKENS.admin);
    await page.goto(`${url}ledger`);
    expect(await page.locator('#ledger-heads tbody tr').count()).toBeGreaterThan(0);
    await Promise.all([
      page.waitForURL(`${url}ledger`),
      page.click('form[action="/ledger/verify"] button'),
    ]);
    await expect(page.locator('#last-verify').textContent()).resolves.toContain('intact');
    await page.screenshot({ path: join(SCREENSHOTS, 'ledger.png'), fullPage: true });
    await context.close();
  });

  it('renders span strings as text: an XSS model, tool, user and MCP server name run nothing', async () => {
    const { context, page } = await signedIn(CONSOLE_TOKENS.admin);
    const visits = [
      '',
      'audit',
      `traces/${traces.acmeXss}`,
      'mcp',
      `audit?model=${encodeURIComponent(XSS)}`,
    ];
    for (const path of visits) {
      await page.goto(`${url}${path}`);
      await page.waitForSelector('html[data-ready=true]');
      expect(await page.locator('main img').count()).toBe(0);
      await expect(page.locator('main').textContent()).resolves.toContain(XSS);
    }
    await page.goto(`${url}traces/${traces.acmeXss}`);
    await page.locator('#trace-tree summary').first().click();
    expect(await page.locator('main img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await context.close();
  });
});

async function streamText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
