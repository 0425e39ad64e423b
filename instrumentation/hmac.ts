import { createHash, hash } from 'node:crypto';

/** SHA-256's block size in bytes: the HMAC key is padded (or first hashed) to this length. */
const BLOCK = 64;

/** A key's two HMAC pads, made once per key. */
interface PreparedKey {
  text: string;
  /** K ⊕ ipad as a string whose UTF-8 bytes are exactly those bytes, when that is possible. */
  innerAscii: string | undefined;
  /** K ⊕ ipad as bytes, for keys whose pad is not plain ASCII. */
  inner: Buffer;
  /** K ⊕ opad, followed by room for the inner hash: the outer hash's whole input. */
  outer: Buffer;
}

let prepared: PreparedKey | undefined;

function prepare(text: string): PreparedKey {
  let key = Buffer.from(text, 'utf8');
  if (key.length > BLOCK) key = createHash('sha256').update(key).digest();
  const inner = Buffer.alloc(BLOCK);
  const outer = Buffer.alloc(BLOCK + 32);
  let ascii = true;
  for (let i = 0; i < BLOCK; i++) {
    const byte = key[i] ?? 0;
    inner[i] = byte ^ 0x36;
    outer[i] = byte ^ 0x5c;
    if (inner[i]! >= 0x80) ascii = false;
  }
  return { text, innerAscii: ascii ? inner.toString('latin1') : undefined, inner, outer };
}

/**
 * Hex HMAC-SHA-256 (RFC 2104) of the UTF-8 bytes of `text` under the UTF-8 bytes of `key`:
 * exactly `createHmac('sha256', key).update(text).digest('hex')`, which the tests check on
 * arbitrary keys and text.
 *
 * Why not createHmac itself: building its Hmac object (key import, stream machinery) costs several
 * times the hashing of a short prompt, and this runs twice per instrumented call. Here the key's
 * pads are made once, and each digest is two one-shot SHA-256 calls, SHA-256(K⊕opad ‖
 * SHA-256(K⊕ipad ‖ text)), on node:crypto's native `hash`. For the usual key (ASCII, at most 64
 * bytes) the inner pad is ASCII too, so the inner input is one string concatenation.
 */
export function hmacSha256Hex(key: string, text: string): string {
  if (prepared?.text !== key) prepared = prepare(key);
  const { innerAscii, inner, outer } = prepared;
  // The inner hash as a 'binary' (latin1) string, one character per byte: the cheapest way to
  // carry its bytes into `outer` (cheaper than hex, or a Buffer result).
  const innerHash =
    innerAscii !== undefined
      ? hash('sha256', innerAscii + text, 'binary')
      : hash('sha256', Buffer.concat([inner, Buffer.from(text, 'utf8')]), 'binary');
  // Synchronous from here to the digest: nothing else can use `outer` in between.
  outer.write(innerHash, BLOCK, 'binary');
  return hash('sha256', outer, 'hex');
}
