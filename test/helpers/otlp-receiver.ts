import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeTraceRequest } from '../../collector/otlp/index.js';
import type { SpanLike } from '../../exporters/index.js';

/** A local OTLP/HTTP endpoint (a stand-in for Jaeger or Tempo) that keeps what it receives. */
export interface OtlpReceiver {
  /** The traces URL, …/v1/traces. */
  url: string;
  spans: SpanLike[];
  close(): Promise<void>;
}

/** Listens on 127.0.0.1; decodes each request (JSON or protobuf) and answers 200. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: SpanLike[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const json = (req.headers['content-type'] ?? '').includes('json');
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      spans.push(...decodeTraceRequest(body, json ? 'json' : 'protobuf'));
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    spans,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
