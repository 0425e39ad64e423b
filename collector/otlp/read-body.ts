import type { Readable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { echoHeader } from './content-type.js';
import { OtlpHttpError } from './http-error.js';

/** Default receivers.otlp.protocols.http.read_timeout. */
export const DEFAULT_READ_TIMEOUT_MS = 30_000;

export interface ReadBodyOptions {
  /** Maximum bytes, both on the wire and after decompression. */
  limit: number;
  /** The Content-Encoding header. */
  contentEncoding: string | undefined;
  /** How long the whole body may take to arrive (read_timeout); 408 after that. */
  timeoutMs?: number;
}

/** A request body, decompressed, and how many bytes it took on the wire. */
export interface RequestBody {
  body: Buffer;
  wireBytes: number;
}

/** The Content-Encoding values accepted, as the 415 names them. */
const ACCEPTED_ENCODINGS = 'gzip, identity';

function decoderFor(contentEncoding: string | undefined): Gunzip | undefined {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return undefined;
  if (codings.length === 1 && (codings[0] === 'gzip' || codings[0] === 'x-gzip')) {
    return createGunzip();
  }
  throw new OtlpHttpError(
    415,
    `Content-Encoding ${echoHeader(contentEncoding)} is not supported; accepted: ${ACCEPTED_ENCODINGS}`,
  );
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function timedOut(timeoutMs: number): OtlpHttpError {
  return new OtlpHttpError(
    408,
    `the request body did not arrive within ${seconds(timeoutMs)} (receivers.otlp.protocols.http.read_timeout)`,
    undefined,
    true,
  );
}

/**
 * Discards what the client is still sending (up to `cap` bytes, until `deadline`) before the
 * error is answered: closing a socket with unread data resets it, and the client would see a
 * broken connection instead of the 413 or 415.
 */
function drain(stream: Readable, cap: number, deadline: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (stream.readableEnded || stream.destroyed || deadline.aborted) return resolve();
    let seen = 0;
    const done = () => {
      stream.off('data', onData);
      stream.off('end', done);
      stream.off('error', done);
      stream.off('close', done);
      deadline.removeEventListener('abort', done);
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
    deadline.addEventListener('abort', done, { once: true });
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
 * gets 413; it never decompresses in full. The body must arrive within `timeoutMs` (draining
 * what follows a refusal included): a client that stalls gets 408 and the connection closes,
 * so it holds its in-flight slot no longer than that.
 */
export async function readBody(stream: Readable, options: ReadBodyOptions): Promise<RequestBody> {
  const { limit } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  try {
    return await collect(stream, decoderFor(options.contentEncoding), limit, deadline.signal);
  } catch (err) {
    if (deadline.signal.aborted) throw timedOut(timeoutMs);
    const failure =
      err instanceof OtlpHttpError ? err : new OtlpHttpError(400, (err as Error).message);
    await drain(stream, limit, deadline.signal);
    // A refusal whose body did not drain in time leaves the connection mid-request.
    throw deadline.signal.aborted ? failure.closingConnection() : failure;
  } finally {
    clearTimeout(timer);
  }
}

function collect(
  stream: Readable,
  decoder: Gunzip | undefined,
  limit: number,
  deadline: AbortSignal,
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
      deadline.removeEventListener('abort', onDeadline);
      decoder?.off('data', onBody);
      if (err) {
        decoder?.destroy();
        reject(err);
      } else resolve({ body: Buffer.concat(chunks, bodyBytes), wireBytes });
    };
    const onDeadline = () => settle(new Error('read_timeout'));
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
    deadline.addEventListener('abort', onDeadline, { once: true });
    if (decoder) {
      decoder.on('data', onBody);
      decoder.once('end', () => settle());
      decoder.once('error', (err) =>
        settle(new OtlpHttpError(400, `the gzip body is corrupt: ${err.message}`)),
      );
    }
  });
}
