import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

/** One archived partition, as manifest.json lists it. */
export interface ManifestPartition {
  table: string;
  partition: string;
  /** ISO timestamps: [from, to). */
  from: string;
  to: string;
  rows: number;
  /** File name, relative to the manifest's directory. */
  file: string;
  sha256: string;
}

/** DIR/manifest.json: what a retention run removed, where it went, and the ledger at the cut. */
export interface RetentionManifest {
  format: 'spanledger-retention-v1';
  cut_id: string;
  before: string;
  created_at: string;
  database: string;
  by_user: string;
  partitions: ManifestPartition[];
  /** The ledger chain heads (and latest checkpoint) when the cut was made. */
  ledger: {
    heads: Array<{ chain_id: string; seq: string; head: string }>;
    checkpoint: { id: string; hash: string } | null;
  };
}

/** The manifest's bytes (stable JSON) and their SHA-256 (hex). */
export function encodeManifest(manifest: RetentionManifest): { bytes: Buffer; sha256: string } {
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Writes `bytes` to `file` (which must not exist) and fsyncs the file and its directory. */
export async function writeDurably(file: string, bytes: Buffer, dir: string): Promise<void> {
  const handle = await open(file, 'wx', 0o600);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await syncDir(dir);
}

/** fsync a directory, so the names of the files just written survive a crash. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
