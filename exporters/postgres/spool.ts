import { closeSync, fsyncSync, ftruncateSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
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

  /**
   * Appends one record durably (written and fsync'd before this returns). Throws
   * {@link SpoolWriteError} when the disk refuses (full, read-only, permissions); the segment is
   * then cut back to its last whole record and closed, so a later append starts a new one and
   * every record acknowledged before stays readable.
   */
  append(record: unknown): 'ok' | 'full' {
    const payload = Buffer.from(JSON.stringify(record));
    if (this.wouldOverflow(payload.length)) return 'full';
    const frame = Buffer.allocUnsafe(HEADER + payload.length);
    frame.writeUInt32LE(payload.length, 0);
    frame.writeUInt32LE(crc32(payload), 4);
    payload.copy(frame, HEADER);
    try {
      if (this.fd === undefined || this.activeBytes >= this.options.segmentBytes) this.rotate();
      for (let written = 0; written < frame.length; ) {
        written += writeSync(this.fd!, frame, written);
      }
      fsyncSync(this.fd!);
    } catch (err) {
      this.abandonActive();
      throw new SpoolWriteError(this.options.dir, err);
    }
    this.activeBytes += frame.length;
    this.bytes += frame.length;
    return 'ok';
  }

  /**
   * Replays segments oldest first, one segment's records per call of `handle` (a segment is
   * bounded by `segmentBytes`). A segment is deleted only after `handle` returned for it; if
   * `handle` throws, replay stops and the segment stays (records already written are replayed
   * again next time, which the idempotent writer makes harmless). Returns the records replayed.
   * `maxSegments` bounds one call, so a caller can serve other work between segments.
   */
  async replay(
    handle: (records: unknown[]) => Promise<void>,
    maxSegments = Number.POSITIVE_INFINITY,
  ): Promise<number> {
    let replayed = 0;
    for (let n = 0; n < maxSegments && this.segments.length > 0; n++) {
      const name = this.segments[0]!;
      if (name === this.activeSegment) this.closeActive();
      const path = join(this.options.dir, name);
      const data = await readFile(path);
      const records = [...this.decode(name, data)];
      if (records.length > 0) await handle(records);
      replayed += records.length;
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

  // After a failed write: drop the partial record if the disk lets us, and never append to this
  // segment again (a record after a torn one could not be read back).
  private abandonActive() {
    const fd = this.fd;
    const name = this.activeSegment;
    if (fd === undefined || name === undefined) return;
    if (this.activeBytes > 0) {
      try {
        ftruncateSync(fd, this.activeBytes);
      } catch {
        // The torn tail stays; decode() stops there and reports it, losing only this record.
      }
      this.closeActive();
      return;
    }
    // Nothing acknowledged lives in it: forget the segment whatever the disk says.
    this.closeActive();
    this.segments = this.segments.filter((s) => s !== name);
    try {
      unlinkSync(join(this.options.dir, name));
    } catch {
      // Left behind, it is replayed as whatever whole records it holds: none.
    }
  }

  private closeActive() {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // Already failed or closed: nothing more to release.
      }
    }
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

/** The spool could not write a record (disk full, read-only, permissions). */
export class SpoolWriteError extends Error {
  override name = 'SpoolWriteError';
  readonly code: string | undefined;
  constructor(dir: string, cause: unknown) {
    const e = cause as NodeJS.ErrnoException;
    super(`spool directory ${dir} cannot be written (${e?.code ?? e?.message ?? String(cause)})`);
    this.code = e?.code;
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
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createExclusively(lock)) {
      openInThisProcess.add(dir);
      return;
    }
    const holder = await readHolder(lock);
    if (holder !== undefined && holder !== process.pid && isAlive(holder)) {
      throw new Error(
        `spool directory ${dir} is in use by process ${holder}; give each collector or exporter its own spool dir`,
      );
    }
    await removeStaleLock(lock, holder);
  }
  throw new Error(
    `spool directory ${dir}: could not take ${lock}; remove it if no process uses it`,
  );
}

/**
 * Creates the lock file holding our pid in one step: the pid is written to a file of our own,
 * which is then hard-linked as LOCK (link fails with EEXIST if LOCK exists). Of two processes
 * exactly one succeeds, and no one ever reads a lock that exists but is still empty.
 */
async function createExclusively(lock: string): Promise<boolean> {
  const mine = `${lock}.${process.pid}`;
  const handle = await open(mine, 'w', 0o600);
  try {
    await handle.writeFile(`${process.pid}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(mine, lock);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(mine).catch(() => {});
  }
}

async function readHolder(lock: string): Promise<number | undefined> {
  const text = await readFile(lock, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Moves a dead process's lock aside with rename (atomic), then checks that what was moved is
 * still that lock: if another process took the lock over in between, its lock is put back.
 */
async function removeStaleLock(lock: string, stalePid: number | undefined) {
  const aside = `${lock}.stale-${process.pid}`;
  try {
    await rename(lock, aside);
  } catch {
    return; // Gone already: someone else cleaned it; retry creating.
  }
  if ((await readHolder(aside)) === stalePid) {
    await unlink(aside).catch(() => {});
    return;
  }
  await link(aside, lock).catch(() => {});
  await unlink(aside).catch(() => {});
}

/** Releases the lock file if this process holds it. */
export async function releaseSpoolLock(dir: string): Promise<void> {
  openInThisProcess.delete(dir);
  const lock = join(dir, 'LOCK');
  if ((await readHolder(lock)) === process.pid) await unlink(lock).catch(() => {});
}
