import { PassThrough, Readable } from 'node:stream';
import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { OtlpHttpError, readBody } from '../../../../collector/otlp/index.js';

const MiB = 1024 * 1024;

function chunked(buffer: Buffer, size = 64 * 1024): Readable {
  const parts: Buffer[] = [];
  for (let at = 0; at < buffer.length; at += size) parts.push(buffer.subarray(at, at + size));
  return Readable.from(parts);
}

async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (err) {
    expect(err).toBeInstanceOf(OtlpHttpError);
    return (err as OtlpHttpError).statusCode;
  }
}

describe('readBody', () => {
  it('returns the body and its wire size, inflating gzip', async () => {
    const text = Buffer.from('x'.repeat(100_000));
    const plain = await readBody(chunked(text), { limit: MiB, contentEncoding: undefined });
    expect(plain.body.equals(text)).toBe(true);
    const zipped = gzipSync(text);
    const inflated = await readBody(chunked(zipped), { limit: MiB, contentEncoding: 'GZIP' });
    expect(inflated.body.equals(text)).toBe(true);
    expect(inflated.wireBytes).toBe(zipped.length);
  });

  it('413 when the wire bytes or the inflated bytes pass the limit', async () => {
    expect(
      await statusOf(
        readBody(chunked(Buffer.alloc(2 * MiB)), { limit: MiB, contentEncoding: 'identity' }),
      ),
    ).toBe(413);
    const bomb = gzipSync(Buffer.alloc(64 * MiB));
    expect(bomb.length).toBeLessThan(MiB);
    expect(await statusOf(readBody(chunked(bomb), { limit: MiB, contentEncoding: 'gzip' }))).toBe(
      413,
    );
  });

  it('400 for corrupt gzip and 415 for encodings it does not speak', async () => {
    expect(
      await statusOf(
        readBody(chunked(Buffer.from('not gzip')), { limit: MiB, contentEncoding: 'gzip' }),
      ),
    ).toBe(400);
    expect(
      await statusOf(readBody(chunked(Buffer.from('x')), { limit: MiB, contentEncoding: 'br' })),
    ).toBe(415);
    expect(
      await statusOf(
        readBody(chunked(Buffer.from('x')), { limit: MiB, contentEncoding: 'gzip, br' }),
      ),
    ).toBe(415);
  });

  it('415 for deflate, naming the encodings it accepts', async () => {
    const failure = await readBody(chunked(deflateSync(Buffer.from('{}'))), {
      limit: MiB,
      contentEncoding: 'deflate',
    }).catch((err: OtlpHttpError) => err);
    expect(failure).toBeInstanceOf(OtlpHttpError);
    expect((failure as OtlpHttpError).statusCode).toBe(415);
    expect((failure as OtlpHttpError).message).toContain('accepted: gzip, identity');
  });

  it('408 when the body stops arriving, and the connection is to close', async () => {
    const stalled = new PassThrough();
    stalled.write('{"resourceSpans":[');
    const failure = await readBody(stalled, {
      limit: MiB,
      contentEncoding: undefined,
      timeoutMs: 50,
    }).catch((err: OtlpHttpError) => err);
    expect((failure as OtlpHttpError).statusCode).toBe(408);
    expect((failure as OtlpHttpError).grpcCode).toBe(4); // DEADLINE_EXCEEDED
    expect((failure as OtlpHttpError).closeConnection).toBe(true);
    expect((failure as OtlpHttpError).message).toContain('read_timeout');
  });

  it('stops draining a refused body at the deadline and closes the connection', async () => {
    const stalled = new PassThrough();
    stalled.write('x');
    const failure = await readBody(stalled, {
      limit: MiB,
      contentEncoding: 'br',
      timeoutMs: 50,
    }).catch((err: OtlpHttpError) => err);
    expect((failure as OtlpHttpError).statusCode).toBe(415);
    expect((failure as OtlpHttpError).closeConnection).toBe(true);
    const drained = await readBody(chunked(Buffer.from('x')), {
      limit: MiB,
      contentEncoding: 'br',
    }).catch((err: OtlpHttpError) => err);
    expect((drained as OtlpHttpError).closeConnection).toBe(false);
  });
});
