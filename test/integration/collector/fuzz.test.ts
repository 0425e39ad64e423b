import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import otlp from '../../../collector/otlp/proto/generated/otlp.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { chatAttributes } from '../../helpers/spans.js';
import {
  otlpJsonRequest,
  otlpProtobufRequest,
  postTraces,
  startTestCollector,
  type TestCollector,
} from './harness.js';

/** The root or a field path, e.g. `resourceSpans[0].scopeSpans[0].spans[0].name: `. */
const NAMES_A_FIELD = /ExportTraceServiceRequest: (\(root\)|resourceSpans\[\d+\][\w.[\]]*): /;

const valid = otlpJsonRequest([
  { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), attributes: chatAttributes() },
]);
const validProtobuf = Buffer.from(otlpProtobufRequest(valid));

/** A valid request with one byte flipped or the tail cut: close to real, still mostly broken. */
const mutatedProtobuf = fc
  .tuple(fc.nat(validProtobuf.length - 1), fc.integer({ min: 1, max: 255 }), fc.boolean())
  .map(([at, xor, truncate]) => {
    const copy = Buffer.from(validProtobuf);
    copy[at] = copy[at]! ^ xor;
    return truncate ? copy.subarray(0, at) : copy;
  });

/** The valid JSON request with one leaf replaced by an arbitrary JSON value. */
const mutatedJson = fc.tuple(fc.jsonValue(), fc.nat()).map(([value, pick]) => {
  const copy = structuredClone(valid) as unknown as Record<string, unknown>;
  const paths: Array<[Record<string, unknown>, string]> = [];
  const walk = (node: unknown) => {
    if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        paths.push([node as Record<string, unknown>, k]);
        walk(v);
      }
    }
  };
  walk(copy);
  const [parent, key] = paths[pick % paths.length]!;
  parent[key] = value;
  return JSON.stringify(copy);
});

const payload = fc.oneof(
  fc.record({
    type: fc.constant('application/x-protobuf'),
    body: fc.uint8Array({ maxLength: 2048 }),
  }),
  fc.record({ type: fc.constant('application/x-protobuf'), body: mutatedProtobuf }),
  fc.record({ type: fc.constant('application/json'), body: fc.json().map((s) => Buffer.from(s)) }),
  fc.record({
    type: fc.constant('application/json'),
    body: mutatedJson.map((s) => Buffer.from(s)),
  }),
  fc.record({
    type: fc.constant('application/json'),
    body: fc.string().map((s) => Buffer.from(s)),
  }),
);

describe('fuzzed OTLP payloads', () => {
  let db: TestDatabase;
  let collector: TestCollector;
  beforeAll(async () => {
    db = await createTestDatabase();
    collector = await startTestCollector(db.url, db.pool);
  });
  afterAll(async () => {
    await collector.stop();
    await db.drop();
  });

  it('1,000 payloads in both encodings: only 400 (naming the field) or 200, never a 5xx, and the process lives', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(payload, fc.boolean(), async ({ type, body }, gzip) => {
        const headers: Record<string, string> = { 'content-type': type };
        if (gzip) headers['content-encoding'] = 'gzip';
        const reply = await postTraces(collector.url, gzip ? gzipSync(body) : body, headers);
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        // 200 only when the fuzzer happened to produce a decodable request.
        expect([200, 400]).toContain(reply.status);
        if (reply.status === 400) expect(reply.headers.get('content-type')).toContain(type);
        if (reply.status === 400 && type === 'application/x-protobuf') {
          // The google.rpc.Status names where decoding failed, never just "invalid".
          expect(otlp.google.rpc.Status.decode(reply.body).message).toMatch(NAMES_A_FIELD);
        }
      }),
      { numRuns: 1000 },
    );
    expect(statuses.get(400)).toBeGreaterThan(500);
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
  });
});
