import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { decodeTraceRequest } from '../../../collector/otlp/index.js';

/** A local OTLP/HTTP endpoint standing in for Jaeger or Tempo. */
export interface FakeTarget {
  url: string;
  /** Span ids received in accepted requests, in order. */
  spanIds: string[];
  requests: Array<{ headers: IncomingMessage['headers']; status: number }>;
  /** Requests received but never answered (the hanging target). */
  pending: number;
  close(): Promise<void>;
}

type Behaviour = (attempt: number) => { status: number; headers?: Record<string, string> } | 'hang';

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Starts a target on a loopback port; `behaviour` decides each answer (default: 200). */
export async function startFakeTarget(
  behaviour: Behaviour = () => ({ status: 200 }),
): Promise<FakeTarget> {
  const hanging = new Set<ServerResponse>();
  const target: FakeTarget = {
    url: '',
    spanIds: [],
    requests: [],
    pending: 0,
    close: async () => {},
  };
  const server: Server = createServer(async (req, res) => {
    const raw = await readAll(req);
    const answer = behaviour(target.requests.length);
    if (answer === 'hang') {
      target.requests.push({ headers: req.headers, status: 0 });
      target.pending++;
      hanging.add(res);
      return;
    }
    target.requests.push({ headers: req.headers, status: answer.status });
    if (answer.status === 200) {
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      const encoding = req.headers['content-type'] === 'application/json' ? 'json' : 'protobuf';
      for (const span of decodeTraceRequest(body, encoding)) target.spanIds.push(span.spanId);
    }
    res.writeHead(answer.status, answer.headers).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  target.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  target.close = async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  };
  return target;
}
