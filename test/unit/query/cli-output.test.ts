import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { formatUsd, renderTable, rowCounter } from '../../../query/cli/index.js';

async function count(format: 'csv' | 'jsonl', chunks: string[]) {
  const seen: number[] = [];
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks.map((c) => Buffer.from(c))),
    rowCounter(format, (rows, done) => done && seen.push(rows), 0),
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        out.push(chunk);
        callback();
      },
    }),
  );
  return { rows: seen.at(-1), text: Buffer.concat(out).toString() };
}

describe('export row counter', () => {
  it('counts CSV records, not newlines inside quoted fields, across chunk boundaries', async () => {
    const csv = 'a,b\n1,"x\ny"\n2,"say ""hi""\n"\n3,z\n';
    const { rows, text } = await count('csv', [csv.slice(0, 9), csv.slice(9, 15), csv.slice(15)]);
    expect(rows).toBe(3);
    expect(text).toBe(csv);
  });

  it('counts JSONL lines', async () => {
    expect((await count('jsonl', ['{"a":"\\n"}\n{"b":1}', '\n'])).rows).toBe(2);
    expect((await count('jsonl', [])).rows).toBe(0);
  });
});

describe('tables', () => {
  it('aligns text left and numbers right', () => {
    expect(
      renderTable(
        [{ header: 'model' }, { header: 'calls', right: true }],
        [
          ['gpt-4o', '1,234'],
          ['o3', '5'],
        ],
      ),
    ).toEqual(['model   calls', 'gpt-4o  1,234', 'o3          5']);
    expect(formatUsd(0.0012345678)).toBe('$0.001235');
    expect(formatUsd(12.5)).toBe('$12.5');
  });
});
