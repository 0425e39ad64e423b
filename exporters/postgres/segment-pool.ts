/**
 * Free COPY segments for the next batches. A batch's segments are held across several
 * young-generation collections while it waits and is written, so their Buffer objects reach the
 * old generation and their memory returns only with a full collection: a batch of 5,000 spans
 * left ~6 MB of such external memory behind, and V8 answered with a full collection every ~2
 * batches (8 instead of 1 over 20,000 spans; the batch path cost 13-14 us a span instead of ~9).
 * Reusing the segments of committed batches keeps that memory flat.
 *
 * Only segments of a batch whose every write committed come back (`EncodedRows.recycle`): then
 * Postgres has read every byte, so no socket still holds a view of them. After any failure the
 * segments are left to the garbage collector.
 */
export class SegmentPool {
  private readonly free: Buffer[] = [];

  constructor(
    readonly segmentBytes: number,
    private readonly maxFree: number,
  ) {}

  /** A segment of `segmentBytes` (reused when one is free; its old bytes are overwritten). */
  acquire(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(this.segmentBytes);
  }

  /** Takes back a segment no one reads any more; others (another size, pool full) are dropped. */
  release(segment: Buffer): void {
    if (segment.length === this.segmentBytes && this.free.length < this.maxFree) {
      this.free.push(segment);
    }
  }

  get freeSegments(): number {
    return this.free.length;
  }
}
