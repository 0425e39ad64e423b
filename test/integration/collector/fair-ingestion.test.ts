import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { chatAttributes } from '../../helpers/spans.js';
import {
  auditRows,
  JSON_TYPE,
  otlpJsonRequest,
  PROTOBUF,
  postTraces,
  startTestCollector,
  type TestCollector,
} from './harness.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const ACME = 'acme-token-0123456789abcdef';
const GLOBEX = 'globex-token-0123456789abcdef';

/** A raw connection: what the server sent, and a promise for the server closing it. */
interface RawConnection {
  socket: Socket;
  received(): string;
  /** The status code of the first response, once its status line is in. */
  status: Promise<number>;
  closed: Promise<string>;
}

function open(url: string, firstBytes: string): RawConnection {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  let text = '';
  let onStatus: (status: number) => void;
  const status = new Promise<number>((resolve) => {
    onStatus = resolve;
  });
  socket.on('data', (chunk) => {
    text += chunk.toString('latin1');
    const line = /^HTTP\/1\.1 (\d{3})/.exec(text);
    if (line) onStatus(Number(line[1]));
  });
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  socket.on('error', () => {});
  if (firstBytes) socket.write(firstBytes);
  return { socket, received: () => text, status, closed };
}

/** Headers announcing a 1000-byte JSON body, then a few bytes of it, then nothing. */
function stalledExport(url: string, token: string): RawConnection {
  return open(
    url,
    'POST /v1/traces HTTP/1.1\r\nHost: collector\r\n' +
      `Authorization: Bearer ${token}\r\nContent-Type: application/json\r\n` +
      'Content-Length: 1000\r\n\r\n{"resourceSpans":[',
  );
}

/** The body of a raw HTTP/1.1 response. */
function bodyOf(response: string): string {
  return response.slice(response.indexOf('\r\n\r\n') + 4);
}

async function inFlight(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^spanledger_otlp_requests_in_flight (\d+)/m.exec(text)?.[1]);
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function exportJson(token: string, spanId = hex(8)) {
  const json = otlpJsonRequest([{ traceId: hex(16), spanId, attributes: chatAttributes() }]);
  return {
    spanId,
    body: JSON.stringify(json),
    headers: { ...JSON_TYPE, authorization: `Bearer ${token}` },
  };
}

describe('fair ingestion: per-tenant slots and a body deadline', () => {
  let db: TestDatabase;
  let collector: TestCollector;
  const READ_TIMEOUT_MS = 3_000;
  beforeAll(async () => {
    db = await createTestDatabase();
    collector = await startTestCollector(db.url, db.pool, {
      authTokens: [
        { token: ACME, tenant: 'acme' },
        { token: GLOBEX, tenant: 'globex' },
      ],
      maxConcurrentRequests: 4, // default share per tenant: 2
      readTimeoutMs: READ_TIMEOUT_MS,
    });
  });
  afterAll(async () => {
    await collector.stop();
    await db.drop();
  });

  it("a tenant stalling every slot it can get cannot fail another tenant's export; its stalls get 408 and give the slots back", async () => {
    // acme tries to take all four slots with bodies that never finish: two get in (which two
    // depends on the order the server reads the connections), two get 429.
    const stalls = [0, 1, 2, 3].map(() => stalledExport(collector.url, ACME));
    await until(async () => (await inFlight(collector.url)) === 2, 'two acme requests in flight');
    const answered = () => stalls.filter((s) => s.received() !== '');
    await until(async () => answered().length === 2, 'two acme requests refused');
    for (const s of answered()) {
      expect(await s.status).toBe(429);
      expect(bodyOf(s.received())).toContain('max_concurrent_requests_per_tenant');
    }
    const admitted = stalls.filter((s) => s.received() === '');

    // globex still gets in while acme's two stalls hold their slots.
    const globex = exportJson(GLOBEX);
    const reply = await postTraces(collector.url, globex.body, globex.headers);
    expect(reply.status).toBe(200);
    expect(admitted.map((s) => s.received())).toEqual(['', '']); // still stalled meanwhile
    expect((await auditRows(db.pool, [globex.spanId]))[0]?.tenant_id).toBe('globex');

    // After read_timeout the stalled requests are answered 408 (google.rpc.Status in the
    // request's encoding, DEADLINE_EXCEEDED) and their connections closed.
    const answers = await Promise.all(admitted.map((s) => s.closed));
    for (const answer of answers) {
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer.toLowerCase()).toContain('connection: close');
      expect(answer.toLowerCase()).toContain('content-type: application/json');
      const status = JSON.parse(bodyOf(answer));
      expect(status.code).toBe(4);
      expect(status.message).toContain('read_timeout');
    }

    // The slots are back (the server closed those connections itself): acme can export again.
    await until(async () => (await inFlight(collector.url)) === 0, 'slots released');
    for (const s of stalls) s.socket.destroy();
    const acme = exportJson(ACME);
    expect((await postTraces(collector.url, acme.body, acme.headers)).status).toBe(200);
  });

  it('a flood from one tenant leaves the other its share', async () => {
    const flood = Array.from({ length: 4 }, () => stalledExport(collector.url, GLOBEX));
    await until(async () => (await inFlight(collector.url)) === 2, 'two globex requests in flight');
    const acme = exportJson(ACME);
    expect((await postTraces(collector.url, acme.body, acme.headers)).status).toBe(200);
    for (const s of flood) s.socket.destroy();
    await until(async () => (await inFlight(collector.url)) === 0, 'slots released');
  });
});

describe('connection timeouts and refused encodings', () => {
  let db: TestDatabase;
  let collector: TestCollector;
  beforeAll(async () => {
    db = await createTestDatabase();
    collector = await startTestCollector(db.url, db.pool, {
      headerTimeoutMs: 500,
      readTimeoutMs: 1_000,
      idleTimeoutMs: 300,
    });
  });
  afterAll(async () => {
    await collector.stop();
    await db.drop();
  });

  it('answers 408 and closes a connection whose headers stall, or that sends nothing', async () => {
    const partial = open(collector.url, 'POST /v1/traces HTTP/1.1\r\nHost: collector\r\n');
    const silent = open(collector.url, '');
    for (const answer of await Promise.all([partial.closed, silent.closed])) {
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      const status = JSON.parse(bodyOf(answer));
      expect(status.code).toBe(4);
      expect(status.message).toContain('read_header_timeout');
    }
  });

  it('closes a keep-alive connection left idle after a response', async () => {
    const conn = open(
      collector.url,
      'GET /healthz HTTP/1.1\r\nHost: collector\r\nConnection: keep-alive\r\n\r\n',
    );
    expect(await conn.status).toBe(200);
    const all = await conn.closed; // closed by the server: idle_timeout
    expect(all).toMatch(/^HTTP\/1\.1 200 /);
    expect(all.match(/HTTP\/1\.1 /g)).toHaveLength(1);
  });

  it('answers 415 to Content-Encoding: deflate, naming gzip and identity', async () => {
    const json = JSON.stringify(
      otlpJsonRequest([{ traceId: hex(16), spanId: hex(8), attributes: chatAttributes() }]),
    );
    const reply = await postTraces(collector.url, deflateSync(json), {
      ...JSON_TYPE,
      'content-encoding': 'deflate',
    });
    expect(reply.status).toBe(415);
    const status = JSON.parse(reply.body.toString());
    expect(status.message).toContain('"deflate"');
    expect(status.message).toContain('gzip, identity');
  });

  it('answers 415 to a Content-Type it does not speak, naming the ones it does', async () => {
    for (const headers of [
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/xml' },
    ]) {
      const withBody = await postTraces(collector.url, 'hello', headers);
      expect(withBody.status).toBe(415);
      const message = JSON.parse(withBody.body.toString()).message;
      expect(message).toContain('application/x-protobuf');
      expect(message).toContain('application/json');
      expect(message).toContain(headers['content-type']);
    }
    const empty = await postTraces(collector.url, '', { 'content-type': 'text/plain' });
    expect(empty.status).toBe(415);
    expect(JSON.parse(empty.body.toString()).message).toContain('application/x-protobuf');
    // A supported type still works after the refusals.
    const ok = await postTraces(collector.url, '{}', JSON_TYPE);
    expect(ok.status).toBe(200);
    expect((await postTraces(collector.url, new Uint8Array(0), PROTOBUF)).status).toBe(200);
  });
});
