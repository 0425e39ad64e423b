import { createHmac, hash } from 'node:crypto';

/** What a version 2 digest starts with; a version 1 digest (bare hex HMAC-SHA-256) has no prefix. */
export const DIGEST_VERSION_PREFIX = 'v2:';

/** Derives the digest subkey from the hash key (domain-separated, so it is used for nothing else). */
const SUBKEY_LABEL = 'spanledger digest v2';

/** The subkey of the last key used: a process uses one key. */
let last: { key: string; subkey: string } | undefined;

/** The subkey of `key`: hex HMAC-SHA-256 of the label under the UTF-8 bytes of `key`. */
export function digestSubkey(key: string): string {
  return createHmac('sha256', key).update(SUBKEY_LABEL).digest('hex');
}

/**
 * The content digest, version 2: `v2:` + hex SHA-512/256 of the UTF-8 bytes of (subkey ‖ text),
 * where the subkey is the 64 hex characters of {@link digestSubkey}. A keyed hash: SHA-512/256
 * (FIPS 180-4, SHA-512 truncated) is not open to length extension, so a hash of a secret prefix
 * and the text is a pseudorandom function of the text (the construction KMAC makes with SHA-3).
 *
 * Why not HMAC-SHA-256 (version 1): HMAC is two hash calls and a copy between them, and each
 * call into node:crypto costs more than hashing a prompt-sized text; this is one call. Measured
 * in `npm run bench:instrumentation`, the two digests of a span are most of spanledger's work at
 * export time (docs/benchmarks.md).
 */
export function keyedDigestHex(key: string, text: string): string {
  if (last?.key !== key) last = { key, subkey: digestSubkey(key) };
  return DIGEST_VERSION_PREFIX + hash('sha512-256', last.subkey + text, 'hex');
}
