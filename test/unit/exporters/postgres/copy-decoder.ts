/**
 * A decoder for PostgreSQL COPY text format and array literals, written from the Postgres
 * documentation independently of copy-text.ts, so the property tests check the encoder against
 * what the server will read rather than against itself.
 */

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** One COPY text field: \N is NULL; backslash sequences as documented for COPY FROM. */
export function decodeCopyField(field: string): string | null {
  if (field === '\\N') return null;
  let out = '';
  for (let i = 0; i < field.length; i++) {
    const c = field[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = field[++i];
    if (next === undefined) throw new Error('dangling backslash');
    if (next in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[next];
    } else if (/[0-7]/.test(next)) {
      const digits = /^[0-7]{1,3}/.exec(field.slice(i))![0];
      out += String.fromCharCode(Number.parseInt(digits, 8));
      i += digits.length - 1;
    } else if (next === 'x' && /^[0-9a-fA-F]/.test(field.slice(i + 1))) {
      const digits = /^[0-9a-fA-F]{1,2}/.exec(field.slice(i + 1))![0];
      out += String.fromCharCode(Number.parseInt(digits, 16));
      i += digits.length;
    } else {
      // Any other escaped character stands for itself (\\ → \).
      out += next;
    }
  }
  return out;
}

/** One COPY text line (with its newline) into fields; raw tabs are always delimiters. */
export function decodeCopyLine(line: string): Array<string | null> {
  if (!line.endsWith('\n')) throw new Error('line does not end with a newline');
  const body = line.slice(0, -1);
  if (body.includes('\n') || body.includes('\r')) throw new Error('raw line break inside a row');
  return body.split('\t').map(decodeCopyField);
}

/** A one-dimensional text[] literal: {"a",b,NULL}. */
export function decodeArrayLiteral(literal: string): Array<string | null> {
  if (!literal.startsWith('{') || !literal.endsWith('}'))
    throw new Error(`not an array: ${literal}`);
  const body = literal.slice(1, -1);
  const out: Array<string | null> = [];
  if (body.length === 0) return out;
  let i = 0;
  while (i <= body.length) {
    if (body[i] === '"') {
      let value = '';
      i++;
      while (body[i] !== '"') {
        if (i >= body.length) throw new Error('unterminated quoted element');
        if (body[i] === '\\') i++;
        value += body[i];
        i++;
      }
      out.push(value);
      i++;
    } else {
      const end = body.indexOf(',', i);
      const raw = body.slice(i, end === -1 ? body.length : end);
      out.push(raw === 'NULL' ? null : raw);
      i += raw.length;
    }
    if (i < body.length && body[i] !== ',')
      throw new Error(`expected a comma at ${i} in ${literal}`);
    i++;
  }
  return out;
}
