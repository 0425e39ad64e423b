import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The HMAC key for content digests: configured (hash_key / SPANLEDGER_HASH_KEY), else one
 * generated once and kept in `file` (mode 0600), so digests stay comparable across restarts
 * without the key ever reaching the database.
 */
export async function resolveHashKey(configured: string, file: string): Promise<string> {
  if (configured) return configured;
  const existing = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (existing) return existing;
  const key = randomBytes(32).toString('base64url');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' }).catch(async (err) => {
    // Another collector created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  });
  return (await readFile(file, 'utf8')).trim();
}
