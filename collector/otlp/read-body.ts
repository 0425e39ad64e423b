import type { Readable } from 'node:stream';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import { OtlpHttpError } from './http-error.js';

export interface ReadBodyOptions {
  /** Maximum bytes, both on the wire and after decompression. */
  limit: number;
  /** The Content-Encoding header. */
  contentEncoding: string | undefined;
}

/** A request body, decompressed, and how many bytes it took on the wire. */
export interface RequestBody {
  body: Buffer;
  wireBytes: number;
}

function decoderFor(contentEncoding: string | undefined): Gunzip | Inflate | undefined {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return undefined;
  if (codings.length === 1 && (codings[0] === 'gzip' || codings[0] === 'x-gzip')) {
    return createGunzip();
  }
  if (codings.length === 1 && codings[0] === 'deflate') return createInflate();
  throw new OtlpHttpError(
    415,
    `Content-Encoding "${contentEncoding}" is not supported; send gzip or no encoding`,
  );
}

/**
 * Discards what the client is still sending (up to `cap` bytes) before the error is answered:
 * closing a socket with unread data resets it, and the client would see a broken connection
 * instead of the 413 or 415.
 */
function drain(stream: Readable, cap: number): Promise<void> {
  return new Promise((resolve) => {
    if (stream.readableEnded || stream.destroyed) return resolve();
    let seen = 0;
    const done = () => {
      stream.off('data', onData);
      stream.off('end', done);
      stream.off('error', done);
      stream.off('close', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > cap) done();
    };
    stream.on('data', onData);
    stream.once('end', done);
    stream.once('error', done);
    stream.once('close', done);
    stream.resume();
  });
}

function tooLarge(limit: number): OtlpHttpError {
  return new OtlpHttpError(
    413,
    `the request body exceeds ${limit} bytes (receivers.otlp.protocols.http.max_request_body_size), before or after decompression`,
  );
}

/**
 * Reads a request body, inflating gzip as it streams in. Both the bytes on the wire and the
 * inflated bytes are capped at `limit`, so a gzip bomb stops at `limit` bytes of memory and
 * gets 413; it never decompresses in full.
 */
export async function readBody(stream: Readable, options: ReadBodyOptions): Promise<RequestBody> {
  const { limit } = options;
  let decoder: Gunzip | Inflate | undefined;
  try {
    decoder = decoderFor(options.contentEncoding);
  } catch (err) {
    await drain(stream, limit);
    throw err;
  }
  let failure: OtlpHttpError | undefined;
  const result = await collect(stream, decoder, limit).catch((err: unknown) => {
    failure = err instanceof OtlpHttpError ? err : new OtlpHttpError(400, (err as Error).message);
    return undefined;
  });
  if (failure || !result) {
    decoder?.destroy();
    await drain(stream, limit);
    throw failure ?? new OtlpHttpError(400, 'the request body could not be read');
  }
  return result;
}

function collect(
  stream: Readable,
  decoder: Gunzip | Inflate | undefined,
  limit: number,
): Promise<RequestBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let wireBytes = 0;
    let bodyBytes = 0;
    let settled = false;
    const settle = (err?: Error) => {
      if (settled) return;
      settled = true;
      stream.off('data', onWire);
      stream.off('end', onWireEnd);
      stream.off('error', settle);
      decoder?.off('data', onBody);
      if (err) reject(err);
      else resolve({ body: Buffer.concat(chunks, bodyBytes), wireBytes });
    };
    const onBody = (chunk: Buffer) => {
      bodyBytes += chunk.length;
      if (bodyBytes > limit) return settle(tooLarge(limit));
      chunks.push(chunk);
    };
    const onWire = (chunk: Buffer) => {
      wireBytes += chunk.length;
      if (wireBytes > limit) return settle(tooLarge(limit));
      if (!decoder) return onBody(chunk);
      // Backpressure: stop reading the socket while the inflater catches up.
      if (!decoder.write(chunk)) {
        stream.pause();
        decoder.once('drain', () => stream.resume());
      }
    };
    const onWireEnd = () => (decoder ? decoder.end() : settle());
    stream.on('data', onWire);
    stream.once('end', onWireEnd);
    stream.once('error', settle);
    stream.once('close', () => {
      if (!stream.readableEnded) settle(new Error('the client closed the connection mid-body'));
    });
    if (decoder) {
      decoder.on('data', onBody);
      decoder.once('end', () => settle());
      decoder.once('error', (err) =>
        settle(new OtlpHttpError(400, `the gzip body is corrupt: ${err.message}`)),
      );
    }
  });
}
