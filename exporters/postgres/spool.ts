import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/** Options of the durable local spool that holds batches while Postgres is unreachable. */
export interface SpoolOptions {
  dir: string;
  /** Appends that would take the spool past this many bytes are refused ('full'). */
  maxBytes: number;
  /** A new segment file is started past this size, so a replayed segment is bounded. */
  segmentBytes?: number;
  /** Reported when a corrupt or truncated tail is found (a crash mid-append). */
  onCorruption?: (segment: string, lostBytes: number) => void;
}

const HEADER = 8; // uint32 length + uint32 crc32, little-endian
const SEGMENT = /^segment-(\d{12})\.spool$/;

/**
 * An append-only, fsync'd, size-bounded spool of records (JSON values), replayed oldest first.
 * Not thread-safe: the exporter calls it from its single write lane.
 */
export class Spool {
  private fd: number | undefined;
  private activeSegment: string | undefined;
  private activeBytes = 0;
  private constructor(
    private readonly options: Required<Omit<SpoolOptions, 'onCorruption'>> &
      Pick<SpoolOptions, 'onCorruption'>,
    private segments: string[],
    private bytes: number,
    private nextSeq: number,
  ) {}

  /** Opens (creating if needed) a spool directory and takes its lock file. */
  static async open(options: SpoolOptions): Promise<Spool> {
    await mkdir(options.dir, { recursive: true });
    await takeLock(options.dir);
    const names = (await readdir(options.dir)).filter((n) => SEGMENT.test(n)).sort();
    let bytes = 0;
    for (const n of names) bytes += (await stat(join(options.dir, n))).size;
    const last = names.at(-1);
    const nextSeq = last ? Number(SEGMENT.exec(last)![1]) + 1 : 1;
    const resolved = { segmentBytes: 16 * 1024 * 1024, ...options };
    return new Spool(resolved, names, bytes, nextSeq);
  }

  /** Bytes waiting to be replayed. */
  get pendingBytes(): number {
    return this.bytes;
  }

  get isEmpty(): boolean {
    return this.segments.length === 0;
  }

  /** True when an append of `bytes` more would be refused. */
  wouldOverflow(bytes: number): boolean {
    return this.bytes + bytes + HEADER > this.options.maxBytes;
  }

  /** Appends one record durably (written and fsync'd before this returns). */
  append(record: unknown): 'ok' | 'full' {
    const payload = Buffer.from(JSON.stringify(record));
    if (this.wouldOverflow(payload.length)) return 'full';
    if (this.fd === undefined || this.activeBytes >= this.options.segmentBytes) this.rotate();
    const header = Buffer.alloc(HEADER);
    header.writeUInt32LE(payload.length, 0);
    header.writeUInt32LE(crc32(payload), 4);
    writeSync(this.fd!, header);
    writeSync(this.fd!, payload);
    fsyncSync(this.fd!);
    this.activeBytes += HEADER + payload.length;
    this.bytes += HEADER + payload.length;
    return 'ok';
  }

  /**
   * Replays segments oldest first, record by record. A segment is deleted only after every
   * record in it was handled; if `handle` throws, replay stops and the segment stays (records
   * already handled are replayed again next time, which the idempotent writer makes harmless).
   */
  async replay(handle: (record: unknown) => Promise<void>): Promise<number> {
    let replayed = 0;
    while (this.segments.length > 0) {
      const name = this.segments[0]!;
      if (name === this.activeSegment) this.closeActive();
      const path = join(this.options.dir, name);
      const data = await readFile(path);
      for (const record of this.decode(name, data)) {
        await handle(record);
        replayed++;
      }
      await unlink(path);
      this.segments.shift();
      this.bytes -= data.length;
    }
    this.bytes = Math.max(0, this.bytes);
    return replayed;
  }

  /** Closes the active segment (records stay on disk for the next open). */
  close(): void {
    this.closeActive();
  }

  private *decode(name: string, data: Buffer): Generator<unknown> {
    let offset = 0;
    while (offset < data.length) {
      const length = offset + HEADER <= data.length ? data.readUInt32LE(offset) : -1;
      const end = offset + HEADER + length;
      if (length < 0 || end > data.length) break;
      const payload = data.subarray(offset + HEADER, end);
      if (crc32(payload) !== data.readUInt32LE(offset + 4)) break;
      yield JSON.parse(payload.toString());
      offset = end;
    }
    if (offset < data.length) this.options.onCorruption?.(name, data.length - offset);
  }

  private rotate() {
    this.closeActive();
    const name = `segment-${String(this.nextSeq++).padStart(12, '0')}.spool`;
    this.fd = openSync(join(this.options.dir, name), 'a', 0o600);
    this.activeSegment = name;
    this.activeBytes = 0;
    this.segments.push(name);
  }

  private closeActive() {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.activeSegment = undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Two processes appending to one spool would interleave records; a pid lock file prevents it
// and is taken over when its process is gone (a crash leaves it behind).
const openInThisProcess = new Set<string>();

async function takeLock(dir: string) {
  if (openInThisProcess.has(dir)) {
    throw new Error(
      `spool directory ${dir} is already open in this process; give each exporter its own spool dir`,
    );
  }
  const lock = join(dir, 'LOCK');
  const holder = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
  if (holder && holder !== process.pid && isAlive(holder)) {
    throw new Error(
      `spool directory ${dir} is in use by process ${holder}; give each collector or exporter its own spool dir`,
    );
  }
  await writeFile(lock, `${process.pid}\n`);
  openInThisProcess.add(dir);
}

/** Releases the lock file if this process holds it. */
export async function releaseSpoolLock(dir: string): Promise<void> {
  openInThisProcess.delete(dir);
  const lock = join(dir, 'LOCK');
  const holder = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
  if (holder === process.pid) await unlink(lock).catch(() => {});
}
