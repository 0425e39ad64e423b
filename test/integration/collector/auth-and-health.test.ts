import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../../shared/database/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { chatAttributes, createTestTracer } from '../../helpers/spans.js';
import {
  auditRows,
  JSON_TYPE,
  otlpJsonRequest,
  otlpProtobufRequest,
  PROTOBUF,
  postTraces,
  sendWithSdk,
  startTestCollector,
  type TestCollector,
} from './harness.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const ACME_TOKEN = 'acme-token-0123456789abcdef';
const GLOBEX_TOKEN = 'globex-token-0123456789abcdef';

describe('bearer tokens', () => {
  let db: TestDatabase;
  let collector: TestCollector;
  beforeAll(async () => {
    db = await createTestDatabase();
    collector = await startTestCollector(db.url, db.pool, {
      authTokens: [
        { token: ACME_TOKEN, tenant: 'acme' },
        { token: GLOBEX_TOKEN, tenant: 'globex' },
      ],
    });
  });
  afterAll(async () => {
    await collector.stop();
    await db.drop();
  });

  it('answers 401 without a token or with a wrong one, and stores nothing', async () => {
    const spanId = hex(8);
    const body = otlpProtobufRequest(
      otlpJsonRequest([{ traceId: hex(16), spanId, attributes: chatAttributes() }]),
    );
    for (const authorization of [
      undefined,
      'Bearer wrong-token-0123456789',
      `Basic ${ACME_TOKEN}`,
      `Bearer ${ACME_TOKEN}x`,
    ]) {
      const headers: Record<string, string> = { ...PROTOBUF };
      if (authorization) headers.authorization = authorization;
      const reply = await postTraces(collector.url, body, headers);
      expect(reply.status, authorization).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe('Bearer');
      expect(reply.headers.get('content-type')).toBe('application/x-protobuf');
    }
    expect(await auditRows(db.pool, [spanId])).toEqual([]);
  });

  it("stores rows under the token's tenant, whatever tenant the payload claims", async () => {
    const t = createTestTracer();
    const spans = [
      t.span('chat', chatAttributes({ 'spanledger.tenant_id': 'globex' })).readable,
      t.span('chat', chatAttributes()).readable,
    ];
    const result = await sendWithSdk('proto', collector.url, spans, {
      headers: { Authorization: `Bearer ${ACME_TOKEN}` },
    });
    expect(result.code).toBe(0);
    const rows = await auditRows(
      db.pool,
      spans.map((s) => s.spanContext().spanId),
    );
    expect(rows.map((r) => r.tenant_id)).toEqual(['acme', 'acme']);

    const spanId = hex(8);
    const json = otlpJsonRequest([
      { traceId: hex(16), spanId, attributes: chatAttributes({ 'spanledger.tenant_id': 'acme' }) },
    ]);
    const reply = await postTraces(collector.url, JSON.stringify(json), {
      ...JSON_TYPE,
      authorization: `bearer ${GLOBEX_TOKEN}`,
    });
    expect(reply.status).toBe(200);
    expect((await auditRows(db.pool, [spanId]))[0]!.tenant_id).toBe('globex');
  });

  it('leaves /healthz, /readyz and /metrics open for probes and scrapers', async () => {
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${collector.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${collector.url}/metrics`)).status).toBe(200);
  });
});

describe('/metrics', () => {
  it('exposes the receiver and exporter counters in Prometheus text', async () => {
    const db = await createTestDatabase();
    const collector = await startTestCollector(db.url, db.pool);
    try {
      const good = otlpJsonRequest([
        { traceId: hex(16), spanId: hex(8), attributes: chatAttributes() },
        { traceId: '0'.repeat(32), spanId: hex(8), attributes: chatAttributes() },
      ]);
      expect((await postTraces(collector.url, otlpProtobufRequest(good), PROTOBUF)).status).toBe(
        200,
      );
      expect((await postTraces(collector.url, 'nope', JSON_TYPE)).status).toBe(400);
      const response = await fetch(`${collector.url}/metrics`);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const text = await response.text();
      expect(text).toContain('spanledger_otlp_requests_total{code="200"} 1');
      expect(text).toContain('spanledger_otlp_requests_total{code="400"} 1');
      expect(text).toContain('spanledger_otlp_spans_received_total 2');
      expect(text).toContain('spanledger_otlp_spans_rejected_total 1');
      expect(text).toMatch(/spanledger_otlp_request_bytes_total [1-9]\d*/);
      expect(text).toContain('spanledger_exporter_rows_inserted_total 1');
      expect(text).toContain('spanledger_exporter_spans_invalid_total 1');
      expect(text).toContain('spanledger_exporter_spool_bytes 0');
      expect(text).toContain('spanledger_otlp_request_duration_seconds_bucket');
    } finally {
      await collector.stop();
      await db.drop();
    }
  });
});

describe('/readyz', () => {
  it('fails while the spool is (nearly) full, and names why', async () => {
    const db = await createTestDatabase();
    const deadPort = await findFreePort();
    const collector = await startTestCollector(
      `postgres://postgres:x@127.0.0.1:${deadPort}/nowhere`,
      db.pool,
      {
        exporterOptions: { maxRetries: 0 },
        spoolMaxBytes: 1,
      },
    );
    try {
      expect((await fetch(`${collector.url}/readyz`)).status).toBe(200);
      const json = otlpJsonRequest([
        { traceId: hex(16), spanId: hex(8), attributes: chatAttributes() },
      ]);
      expect((await postTraces(collector.url, otlpProtobufRequest(json), PROTOBUF)).status).toBe(
        200,
      );
      const ready = await fetch(`${collector.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { reason: string }).reason).toContain('spool nearly full');
    } finally {
      await collector.stop();
      await db.drop();
    }
  });
});
