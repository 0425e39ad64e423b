#!/usr/bin/env node
// The `spanledger` command. Installed from the registry or a tarball, dist/ is there and this
// only loads it. In a clone right after `npm ci`, dist/ is not built yet: build it once (the
// same step `npm start` runs), so `npx spanledger …` works without a separate build command.
// A published package carries no install script for this (npm asks users to approve those).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
const builder = fileURLToPath(new URL('../scripts/build-if-stale.mjs', import.meta.url));
if (existsSync(builder)) {
  // A clone: rebuild when a source file changed since the last build (~0.3 s when current).
  const built = spawnSync(process.execPath, [builder], { stdio: ['ignore', 2, 2] });
  if (built.status !== 0) process.exit(built.status ?? 1);
} else if (!existsSync(fileURLToPath(main))) {
  process.stderr.write(
    'spanledger: dist/cli/main.js is missing from this installation; reinstall the package\n',
  );
  process.exit(1);
}
await import(main.href);
