import { Agent, request } from 'node:http';

/** Sends one pre-encoded OTLP/protobuf body; resolves once the answer is read. */
export type SendBody = (body: Uint8Array) => Promise<void>;

/**
 * The way OTel's own OTLP/HTTP exporter sends (exporter-trace-otlp-http on Node): `http.request`
 * on a keep-alive Agent, the body written as it is. The benchmark's clients are harness, not
 * product, and share the cores with the collector and Postgres, so they should cost what a
 * real sender's would: this takes about a quarter of the CPU per request that `fetch` does
 * (undici copies each body, `cloneAsUint8Array`, and runs its own stream machinery).
 */
export function httpSender(endpoint: string, sockets: number): SendBody {
  const url = new URL(endpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  return (body) =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
        },
        (res) => {
          res.resume();
          res.once('error', reject);
          res.once('end', () => {
            if (res.statusCode === 200) resolve();
            else reject(new Error(`collector answered ${res.statusCode}`));
          });
        },
      );
      req.once('error', reject);
      req.end(body);
    });
}

/** The benchmark's client before issue 18 part 3, kept to compare with (BENCH_CLIENT=fetch). */
export function fetchSender(endpoint: string): SendBody {
  return async (body) => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body,
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`collector answered ${response.status}`);
  };
}
