import { Transform } from 'node:stream';

const QUOTE = 0x22;
const NEWLINE = 0x0a;

/**
 * Passes export bytes through unchanged while counting rows: lines, less CSV's header, with
 * newlines inside quoted CSV fields not counted. Reports on `onProgress` at most every
 * `intervalMs`, and once more at the end.
 */
export function rowCounter(
  format: 'csv' | 'jsonl',
  onProgress: (rows: number, done: boolean) => void,
  intervalMs = 250,
) {
  let lines = 0;
  let quoted = false;
  let last = 0;
  const rows = () => Math.max(0, format === 'csv' ? lines - 1 : lines);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i];
        if (byte === QUOTE && format === 'csv') quoted = !quoted;
        else if (byte === NEWLINE && !quoted) lines++;
      }
      const now = Date.now();
      if (now - last >= intervalMs) {
        last = now;
        onProgress(rows(), false);
      }
      callback(null, chunk);
    },
    flush(callback) {
      onProgress(rows(), true);
      callback();
    },
  });
}

/** A progress line on a terminal: "\r12,345 rows  4,567 rows/s", then a final line. */
export function terminalProgress(write: (text: string) => void, started = Date.now()) {
  const format = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  return (rows: number, done: boolean) => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    const rate = format.format(rows / seconds);
    write(
      done
        ? `\r${format.format(rows)} rows in ${seconds.toFixed(1)} s (${rate} rows/s)\n`
        : `\r${format.format(rows)} rows  ${rate} rows/s`,
    );
  };
}
