import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryApiServer } from '../../../query/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { type Body, get, startTestQueryApi, TOKENS } from './harness.js';

interface Parameter {
  name: string;
  in: 'query' | 'path';
  required: boolean;
  schema: Record<string, unknown>;
}

describe('GET /v1/openapi.json', () => {
  let db: TestDatabase;
  let api: QueryApiServer;
  let doc: Body;
  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startTestQueryApi(db.url);
    doc = (await get(api, '/v1/openapi.json')).json;
  });
  afterAll(async () => {
    await api.close();
    await db.drop();
  });

  it('is served without a token and describes every route', async () => {
    const reply = await get(api, '/v1/openapi.json');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/v1/audit',
      '/v1/audit/export',
      '/v1/mcp/servers',
      '/v1/mcp/servers/{id}/health',
      '/v1/quota',
      '/v1/usage',
    ]);
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    const audit = doc.paths['/v1/audit'].get;
    const names = audit.parameters.map((p: Parameter) => p.name);
    expect(names).toEqual([
      'from',
      'to',
      'tenant_id',
      'event_type',
      'user_id',
      'session_id',
      'model',
      'provider',
      'tool_name',
      'status',
      'trace_id',
      'limit',
      'cursor',
    ]);
    const eventType = audit.parameters.find((p: Parameter) => p.name === 'event_type');
    expect(eventType.schema.enum).toEqual(['llm_call', 'tool_call', 'mcp_call', 'agent_call']);
    expect(
      audit.responses['200'].content['application/json'].schema.properties.rows.items.properties,
    ).toHaveProperty('cost_usd');
    expect(doc.paths['/v1/mcp/servers/{id}/health'].get.parameters[0]).toMatchObject({
      name: 'id',
      in: 'path',
      required: true,
    });
  });

  it('documents the parameters the API really checks', async () => {
    // Every documented query parameter, given junk, is refused by that name (or accepted as
    // free text): the document and the validation come from the same schemas.
    for (const [path, item] of Object.entries<Body>(doc.paths)) {
      const concrete = path.replace('{id}', '1');
      for (const p of item.get.parameters as Parameter[]) {
        if (p.in !== 'query') continue;
        const reply = await get(api, `${concrete}?${p.name}=%20not%20valid%20`, TOKENS.acme);
        if (reply.status === 400)
          expect(reply.json.message, `${path} ${p.name}`).toMatch(new RegExp(`^${p.name} `));
        else expect(reply.json?.error, `${path} ${p.name}`).not.toBe('internal');
      }
    }
  });
});
