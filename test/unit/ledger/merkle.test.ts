import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { merkleRoot } from '../../../ledger/index.js';

const sha = (...parts: Buffer[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** RFC 6962 section 2.1, MTH, written as the RFC states it (recursive split). */
function rfc6962(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return sha(Buffer.from([0]), leaves[0]!);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha(Buffer.from([1]), rfc6962(leaves.slice(0, k)), rfc6962(leaves.slice(k)));
}

describe('merkleRoot', () => {
  it('is the RFC 6962 Merkle tree hash for every tree size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70 }), (n) => {
        const leaves = Array.from({ length: n }, () => randomBytes(32));
        expect(merkleRoot(leaves).equals(rfc6962(leaves))).toBe(true);
      }),
    );
  });

  it('changes with any leaf, and with the order of leaves', () => {
    const leaves = Array.from({ length: 9 }, () => randomBytes(32));
    const root = merkleRoot(leaves);
    const changed = [...leaves];
    changed[4] = randomBytes(32);
    expect(merkleRoot(changed).equals(root)).toBe(false);
    expect(merkleRoot([...leaves].reverse()).equals(root)).toBe(false);
    expect(merkleRoot(leaves.slice(0, 8)).equals(root)).toBe(false);
  });
});
