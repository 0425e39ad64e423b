#!/usr/bin/env node
// Builds dist/ only when a source file is newer than the last build, so `npm start` reaches
// ready in seconds instead of paying a full `tsc` (24–40 s) on every start, and a clone works
// right after `npm ci` (the `prepare` script runs this).
//
//   node scripts/build-if-stale.mjs          build when stale (prepare, prestart)
//   node scripts/build-if-stale.mjs --stamp  record that dist/ is current (end of `npm run build`)
//
// A production install (`npm ci --omit=dev`) has no TypeScript: there, a present dist/ is used
// as it is, and a missing one is an error that says what to do.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stampPath = join(root, 'dist', '.build-stamp');
// The roots tsconfig.build.json compiles (its plain-JSON `include`), plus what the build copies.
const SOURCE_DIRS = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')).include;
const SOURCE_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newestSourceMtime() {
  let newest = 0;
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        // console/assets is the build's own output (the bundled browser script), not a source.
        if (entry.name !== 'node_modules' && entry.name !== 'assets') visit(path);
      } else if (/\.(ts|js|json|proto)$/.test(entry.name)) {
        newest = Math.max(newest, statSync(path).mtimeMs);
      }
    }
  };
  for (const dir of SOURCE_DIRS) if (existsSync(join(root, dir))) visit(join(root, dir));
  for (const file of SOURCE_FILES) newest = Math.max(newest, statSync(join(root, file)).mtimeMs);
  return newest;
}

function isCurrent() {
  return existsSync(stampPath) && statSync(stampPath).mtimeMs >= newestSourceMtime();
}

function hasTypeScript() {
  try {
    createRequire(join(root, 'package.json')).resolve('typescript');
    return true;
  } catch {
    return false;
  }
}

if (process.argv.includes('--stamp')) {
  writeFileSync(stampPath, `${new Date().toISOString()}\n`);
  process.exit(0);
}
if (isCurrent()) process.exit(0);
if (!hasTypeScript()) {
  if (existsSync(join(root, 'dist', 'cli', 'main.js'))) process.exit(0);
  console.error(
    'spanledger: dist/ is missing and TypeScript is not installed (a production-only install).\n' +
      'Install the dev dependencies and build: npm ci && npm run build',
  );
  process.exit(1);
}
const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
