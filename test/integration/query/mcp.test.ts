import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryApiServer } from '../../../query/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { type Body, get, startTestQueryApi, TOKENS } from './harness.js';

describe('GET /v1/mcp/servers and /v1/mcp/servers/:id/health', () => {
  let db: TestDatabase;
  let api: QueryApiServer;
  let search: number;
  let files: number;
  beforeAll(async () => {
    db = await createTestDatabase();
    const { rows } = await db.pool.query<{ id: number; name: string }>(
      `INSERT INTO spanledger.mcp_servers (name, transport, url, command, enabled) VALUES
         ('search', 'streamable_http', 'https://user:secret@mcp.example.com/mcp?key=k', NULL, true),
         ('files', 'stdio', NULL, NULL, true),
         ('never', 'sse', 'https://mcp.example.com/sse', NULL, false)
       RETURNING id, name`,
    );
    search = rows.find((r) => r.name === 'search')!.id;
    files = rows.find((r) => r.name === 'files')!.id;
    await db.pool.query(
      `INSERT INTO spanledger.mcp_health_log
         (mcp_server_id, "timestamp", status, response_time_ms, error_message, meta_data, event_type)
       VALUES
         ($1, '2025-06-01T10:00:00.000001Z', NULL, NULL, NULL, '{"prober":"p1"}', 'startup'),
         ($1, '2025-06-01T10:00:01Z', 'healthy', 120, NULL, '{"steps":{"initialize":50}}', 'health_check'),
         ($1, '2025-06-01T10:01:01Z', 'timeout', 10000, 'timed out in tools/list', '{"failed_step":"tools/list"}', 'health_check'),
         ($1, '2025-06-01T10:01:01.5Z', NULL, NULL, NULL, NULL, 'startup'),
         ($1, '2025-06-01T10:01:01Z', 'timeout', NULL, NULL, '{"from":"healthy","to":"timeout"}', 'status_change'),
         ($1, '2025-06-01T10:02:01Z', 'degraded', 2500, NULL, '{}', 'health_check'),
         ($2, '2025-06-01T10:00:02Z', 'unhealthy', 30, 'spawn npx ENOENT', '{}', 'health_check')`,
      [search, files],
    );
    api = await startTestQueryApi(db.url);
  });
  afterAll(async () => {
    await api.close();
    await db.drop();
  });

  it('lists every server with its latest check and last status change, to any token', async () => {
    for (const token of [TOKENS.acme, TOKENS.globex, TOKENS.admin]) {
      const reply = await get(api, '/v1/mcp/servers', token);
      expect(reply.status).toBe(200);
      expect(reply.json.servers).toEqual([
        {
          id: files,
          name: 'files',
          transport: 'stdio',
          enabled: true,
          status: 'unhealthy',
          checked_at: '2025-06-01T10:00:02+00:00',
          response_time_ms: 30,
          error_message: 'spawn npx ENOENT',
          status_changed_at: null,
        },
        {
          id: expect.any(Number),
          name: 'never',
          transport: 'sse',
          enabled: false,
          status: null,
          checked_at: null,
          response_time_ms: null,
          error_message: null,
          status_changed_at: null,
        },
        {
          id: search,
          name: 'search',
          transport: 'streamable_http',
          enabled: true,
          status: 'degraded',
          checked_at: '2025-06-01T10:02:01+00:00',
          response_time_ms: 2500,
          error_message: null,
          status_changed_at: '2025-06-01T10:01:01+00:00',
        },
      ]);
      // URLs and commands can carry secrets: never sent.
      expect(reply.text).not.toContain('secret');
    }
  });

  it('returns the health history newest first, with every row field', async () => {
    const reply = await get(api, `/v1/mcp/servers/${search}/health?limit=3`, TOKENS.acme);
    expect(reply.status).toBe(200);
    expect(reply.json.server).toEqual({
      id: search,
      name: 'search',
      transport: 'streamable_http',
      enabled: true,
    });
    expect(reply.json.rows).toHaveLength(3);
    expect(reply.json.rows[0]).toEqual({
      id: expect.any(Number),
      timestamp: '2025-06-01T10:02:01+00:00',
      status: 'degraded',
      response_time_ms: 2500,
      error_message: null,
      event_type: 'health_check',
      meta_data: {},
    });
    expect(reply.json.rows.map((r: Body) => r.event_type)).toEqual([
      'health_check',
      'startup',
      'status_change',
    ]);
    const all = await get(api, `/v1/mcp/servers/${search}/health`, TOKENS.acme);
    expect(all.json.rows).toHaveLength(6);
    expect(all.json.rows.at(-1)).toMatchObject({
      timestamp: '2025-06-01T10:00:00.000001+00:00',
      status: null,
      event_type: 'startup',
      meta_data: { prober: 'p1' },
    });
  });

  it('answers 404 for an unknown server and 400 for a bad id or limit', async () => {
    const missing = await get(api, '/v1/mcp/servers/999999/health', TOKENS.acme);
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ error: 'not_found', message: 'no MCP server with id 999999' });
    for (const [path, message] of [
      ['/v1/mcp/servers/abc/health', 'id must be a server id (a positive integer) (got "abc")'],
      ['/v1/mcp/servers/0/health', 'id must be a server id'],
      ['/v1/mcp/servers/1%27%20OR%201=1/health', 'id must be a server id'],
      [`/v1/mcp/servers/${search}/health?limit=0`, 'limit must be an integer between 1 and 1000'],
      ['/v1/mcp/servers?verbose=1', 'unknown parameter "verbose"'],
    ] as const) {
      const reply = await get(api, path, TOKENS.acme);
      expect(reply.status, path).toBe(400);
      expect(reply.json.message).toContain(message);
    }
    const anonymous = await get(api, '/v1/mcp/servers');
    expect(anonymous.status).toBe(401);
  });
});
