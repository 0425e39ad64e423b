import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { chatAttributes, createTestTracer } from '../../helpers/spans.js';
import {
  auditRows,
  countAudit,
  decodeProtobufResponse,
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

describe('OTLP/HTTP receiver: payloads from the OpenTelemetry JS exporters', () => {
  let db: TestDatabase;
  let collector: TestCollector;
  beforeAll(async () => {
    db = await createTestDatabase();
    // The app.* keys of the AnyValue test are allowed, so their decoded values are stored as
    // they are (capture is off, so other keys off the allowlist would be digests).
    collector = await startTestCollector(db.url, db.pool, {
      exporterOptions: {
        transform: { allowedAttributes: ['app.request', 'app.blob', 'app.mixed'] },
      },
    });
  });
  afterAll(async () => {
    await collector.stop();
    await db.drop();
  });

  for (const protocol of ['proto', 'json'] as const) {
    for (const compression of ['none', 'gzip'] as const) {
      it(`stores chat spans sent as ${protocol} (${compression}) in audit_log`, async () => {
        const t = createTestTracer({ 'service.name': `svc-${protocol}` });
        const spans = Array.from(
          { length: 5 },
          () => t.span('chat gpt-4o-mini', chatAttributes()).readable,
        );
        // A non-GenAI span in the same request: accepted (forwardable), not stored.
        spans.push(t.span('GET /health', { 'http.request.method': 'GET' }).readable);
        const result = await sendWithSdk(protocol, collector.url, spans, { compression });
        expect(result.error).toBeUndefined();
        expect(result.code).toBe(0);

        const ids = spans.map((s) => s.spanContext().spanId);
        const rows = await auditRows(db.pool, ids);
        expect(rows).toHaveLength(5);
        for (const row of rows) {
          const sent = spans.find((s) => s.spanContext().spanId === row.span_id)!;
          expect(row.trace_id).toBe(sent.spanContext().traceId);
          expect(row.provider).toBe('openai');
          expect(row.request_model).toBe('gpt-4o-mini');
          expect(row.tenant_id).toBe('tenant-a');
          expect(row.service_name).toBe(`svc-${protocol}`);
          expect(Number(row.input_tokens)).toBe(sent.attributes['gen_ai.usage.input_tokens']);
          expect(Number(row.output_tokens)).toBe(sent.attributes['gen_ai.usage.output_tokens']);
        }
      });
    }
  }

  it('answers in the request encoding: an empty ExportTraceServiceResponse on success', async () => {
    const json = otlpJsonRequest([
      { traceId: hex(16), spanId: hex(8), attributes: chatAttributes() },
    ]);
    const proto = await postTraces(collector.url, otlpProtobufRequest(json), PROTOBUF);
    expect(proto.status).toBe(200);
    expect(proto.headers.get('content-type')).toBe('application/x-protobuf');
    expect(proto.body.length).toBe(0);

    json.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.spanId = hex(8);
    const viaJson = await postTraces(collector.url, JSON.stringify(json), JSON_TYPE);
    expect(viaJson.status).toBe(200);
    expect(viaJson.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(viaJson.body.toString())).toEqual({});
  });

  it('accepts an empty request (no spans) with 200, in both encodings', async () => {
    expect((await postTraces(collector.url, new Uint8Array(0), PROTOBUF)).status).toBe(200);
    expect((await postTraces(collector.url, '{}', JSON_TYPE)).status).toBe(200);
    expect((await postTraces(collector.url, '{"resourceSpans":[]}', JSON_TYPE)).status).toBe(200);
  });

  it('reads the OTLP/JSON mapping: uppercase hex ids, int64 as numbers, unknown fields', async () => {
    const traceId = hex(16);
    const spanId = hex(8);
    const json = otlpJsonRequest([
      { traceId: traceId.toUpperCase(), spanId, attributes: chatAttributes() },
    ]);
    const span = json.resourceSpans[0]!.scopeSpans[0]!.spans[0]! as Record<string, unknown>;
    span.startTimeUnixNano = Number(span.startTimeUnixNano);
    span.someFutureField = { nested: [1, 2, 3] };
    (json as Record<string, unknown>).anotherUnknown = true;
    const reply = await postTraces(collector.url, JSON.stringify(json), JSON_TYPE);
    expect(reply.status).toBe(200);
    const rows = await auditRows(db.pool, [spanId]);
    expect(rows.map((r) => r.trace_id)).toEqual([traceId]);
  });

  it('reports invalid spans as partial success with the exact count; the valid ones are stored', async () => {
    const good = Array.from({ length: 4 }, () => ({
      traceId: hex(16),
      spanId: hex(8),
      attributes: chatAttributes(),
    }));
    const bad = [
      { traceId: '0'.repeat(32), spanId: hex(8), attributes: chatAttributes() },
      { traceId: hex(16), spanId: hex(5), attributes: chatAttributes() },
      { traceId: hex(12), spanId: hex(8), attributes: chatAttributes() },
    ];
    for (const encoding of ['protobuf', 'json'] as const) {
      const specs = [...good, ...bad].map((s) => ({
        ...s,
        spanId: s.spanId.length === 16 ? hex(8) : s.spanId,
      }));
      const json = otlpJsonRequest(specs);
      const reply =
        encoding === 'protobuf'
          ? await postTraces(collector.url, otlpProtobufRequest(json), PROTOBUF)
          : await postTraces(collector.url, JSON.stringify(json), JSON_TYPE);
      expect(reply.status).toBe(200);
      const body =
        encoding === 'protobuf'
          ? decodeProtobufResponse(reply.body)
          : (JSON.parse(reply.body.toString()) as Record<string, unknown>);
      const partial = body.partialSuccess as { rejectedSpans: string; errorMessage: string };
      expect(String(partial.rejectedSpans)).toBe('3');
      expect(partial.errorMessage).toContain('3 span(s) rejected');
      const validIds = specs
        .filter((s) => s.spanId.length === 16 && s.traceId.length === 32 && !/^0+$/.test(s.traceId))
        .map((s) => s.spanId);
      expect(validIds).toHaveLength(4);
      expect(await countAudit(db.pool, validIds)).toBe(4);
    }
  });

  it('accepts a gzip body and stores it', async () => {
    const spanId = hex(8);
    const json = otlpJsonRequest([{ traceId: hex(16), spanId, attributes: chatAttributes() }]);
    const reply = await postTraces(collector.url, gzipSync(otlpProtobufRequest(json)), {
      ...PROTOBUF,
      'content-encoding': 'gzip',
    });
    expect(reply.status).toBe(200);
    expect(await countAudit(db.pool, [spanId])).toBe(1);
  });

  it('flattens AnyValue kvlist and bytes values into storable attributes', async () => {
    const spanId = hex(8);
    const json = otlpJsonRequest([{ traceId: hex(16), spanId, attributes: chatAttributes() }]);
    const span = json.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    (span.attributes as unknown[]).push(
      {
        key: 'app.request',
        value: {
          kvlistValue: {
            values: [
              { key: 'region', value: { stringValue: 'eu' } },
              { key: '__proto__', value: { intValue: '7' } },
            ],
          },
        },
      },
      { key: 'app.blob', value: { bytesValue: Buffer.from('hi').toString('base64') } },
      {
        key: 'app.mixed',
        value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1 }] } },
      },
    );
    for (const [body, headers] of [
      [otlpProtobufRequest(json), PROTOBUF],
      [JSON.stringify(json), JSON_TYPE],
    ] as const) {
      span.spanId = hex(8);
      expect((await postTraces(collector.url, body, headers)).status).toBe(200);
    }
    const { rows } = await db.pool.query(
      `SELECT attributes FROM spanledger.audit_log WHERE span_id = $1`,
      [spanId],
    );
    expect(rows).toHaveLength(1);
    const attributes = rows[0].attributes as Record<string, unknown>;
    // "__proto__" from the payload stays a plain key (no prototype pollution).
    expect(JSON.parse(attributes['app.request'] as string)).toEqual(
      JSON.parse('{"region":"eu","__proto__":7}'),
    );
    expect(attributes['app.blob']).toBe(Buffer.from('hi').toString('base64'));
    expect(JSON.parse(attributes['app.mixed'] as string)).toEqual(['a', 1]);
  });
});

describe('OTLP/HTTP receiver: refusals', () => {
  let db: TestDatabase;
  let collector: TestCollector;
  beforeAll(async () => {
    db = await createTestDatabase();
    collector = await startTestCollector(db.url, db.pool, { bodyLimit: 1024 * 1024 });
  });
  afterAll(async () => {
    await collector.stop();
    await db.drop();
  });

  it('415 with a Status body for an unsupported or missing content type', async () => {
    const cases: Array<Record<string, string>> = [
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/grpc' },
      {},
    ];
    for (const headers of cases) {
      const reply = await postTraces(collector.url, 'x', headers);
      expect(reply.status).toBe(415);
      const { message } = JSON.parse(reply.body.toString()) as { message: string };
      expect(message).toContain('application/x-protobuf');
      expect(message).toContain('application/json');
    }
  });

  it('415 for an unsupported Content-Encoding', async () => {
    const reply = await postTraces(collector.url, 'x', { ...JSON_TYPE, 'content-encoding': 'br' });
    expect(reply.status).toBe(415);
    expect(JSON.parse(reply.body.toString()).message).toContain('Content-Encoding "br"');
  });

  it('400 with a Status in the request encoding for undecodable bodies', async () => {
    const proto = await postTraces(collector.url, Buffer.from('not protobuf at all'), PROTOBUF);
    expect(proto.status).toBe(400);
    expect(proto.headers.get('content-type')).toBe('application/x-protobuf');
    expect(proto.body.length).toBeGreaterThan(0);

    for (const body of [
      '{',
      '[]',
      '"x"',
      'null',
      '{"resourceSpans":{}}',
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"soon"}]}]}]}',
    ]) {
      const reply = await postTraces(collector.url, body, JSON_TYPE);
      expect(reply.status, body).toBe(400);
      expect(JSON.parse(reply.body.toString()).code).toBe(3);
    }
    const corruptGzip = await postTraces(
      collector.url,
      Buffer.from('1f8b0800000000000003ffff', 'hex'),
      {
        ...PROTOBUF,
        'content-encoding': 'gzip',
      },
    );
    expect(corruptGzip.status).toBe(400);
  });

  it('405/404 for other methods and paths, and /healthz still answers', async () => {
    expect((await fetch(`${collector.url}/v1/traces`)).status).toBe(404);
    expect((await fetch(`${collector.url}/v1/logs`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
  });
});
