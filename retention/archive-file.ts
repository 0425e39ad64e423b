import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/** A written (or re-read) archive file: its rows and the SHA-256 of its bytes (hex). */
export interface ArchiveDigest {
  rows: number;
  sha256: string;
}

/**
 * COPY text output of one JSON column, one line per row. The JSON holds no raw control
 * characters (JSON escapes them), so COPY's only escape in it is a doubled backslash.
 */
function copyTextToJsonl(): Transform & { rows(): number } {
  let rest = '';
  let rows = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, done) {
      const text = rest + chunk.toString('utf8');
      const end = text.lastIndexOf('\n');
      rest = text.slice(end + 1);
      if (end < 0) return done();
      const lines = text.slice(0, end).split('\n');
      rows += lines.length;
      done(null, `${lines.map((l) => l.replaceAll('\\\\', '\\')).join('\n')}\n`);
    },
    flush(done) {
      if (rest) {
        rows++;
        done(null, `${rest.replaceAll('\\\\', '\\')}\n`);
      } else done();
    },
  });
  return Object.assign(t, { rows: () => rows });
}

function sha256Tap(): Transform & { hex(): string } {
  const hash = createHash('sha256');
  const t = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  return Object.assign(t, { hex: () => hash.digest('hex') });
}

/**
 * Streams every row of `partition` (one JSON object per line: every column, row_hash included)
 * into a gzip file at `file`, then fsyncs it. Nothing is held in memory beyond a chunk.
 */
export async function writePartitionArchive(
  client: PoolClient,
  partition: string,
  file: string,
): Promise<ArchiveDigest> {
  const sql = `COPY (SELECT row_to_json(t) FROM spanledger.${quoteIdent(partition)} t
                      ORDER BY t.started_at, t.trace_id, t.span_id) TO STDOUT`;
  const lines = copyTextToJsonl();
  const tap = sha256Tap();
  await pipeline(
    client.query(copyTo(sql)),
    lines,
    createGzip(),
    tap,
    createWriteStream(file, { flags: 'wx', mode: 0o600 }),
  );
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { rows: lines.rows(), sha256: tap.hex() };
}

/** Re-reads an archive file from disk: its SHA-256 and the JSON rows it decompresses to. */
export async function readArchiveDigest(file: string): Promise<ArchiveDigest> {
  const tap = sha256Tap();
  let rows = 0;
  let rest = '';
  await pipeline(
    createReadStream(file),
    tap,
    createGunzip(),
    new Writable({
      write(chunk: Buffer, _enc, done) {
        const text = rest + chunk.toString('utf8');
        const parts = text.split('\n');
        rest = parts.pop() ?? '';
        try {
          for (const line of parts) {
            JSON.parse(line);
            rows++;
          }
          done();
        } catch (err) {
          done(err as Error);
        }
      },
    }),
  );
  if (rest) throw new Error(`${file}: the last line is not terminated`);
  return { rows, sha256: tap.hex() };
}

/** A partition name as an SQL identifier (ours, from pg_class, quoted anyway). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
