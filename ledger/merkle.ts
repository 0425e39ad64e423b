import { createHash } from 'node:crypto';

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

const sha256 = (...parts: Buffer[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/**
 * The RFC 6962 Merkle tree hash of `leaves` (row hashes, in ledger order), as
 * spanledger.merkle_root_v1 computes it in the database: leaf nodes SHA-256(0x00 || leaf),
 * interior nodes SHA-256(0x01 || left || right), an odd node carried up a level unchanged
 * (which yields RFC 6962's root, whose split is at the largest power of two). The empty tree is
 * SHA-256 of nothing.
 */
export function merkleRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  let level: Buffer[] = leaves.map((l) => sha256(LEAF, l));
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? sha256(NODE, level[i]!, level[i + 1]!) : level[i]!);
    }
    level = next;
  }
  return level[0]!;
}

/** The batch hash spanledger.batch_hash_v1 stores: it links a batch to its predecessor. */
export function batchHash(batch: {
  chainId: string;
  seq: bigint | number | string;
  prevHash: Buffer;
  merkleRoot: Buffer;
  auditRows: number;
  usageRows: number;
}): Buffer {
  return sha256(
    Buffer.from(
      `${batch.chainId}|${batch.seq}|${batch.prevHash.toString('hex')}|${batch.merkleRoot.toString('hex')}|${batch.auditRows}|${batch.usageRows}`,
    ),
  );
}

/** 32 zero bytes: the previous hash of a chain's first batch and of the first checkpoint. */
export const GENESIS = Buffer.alloc(32);
