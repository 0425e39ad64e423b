// Bundles the console's browser script and styles (with uPlot) into console.js and console.css:
// `npm run build` writes them to console/assets and dist/console/assets, and the test setup
// writes console/assets. Nothing is fetched at run time, so the console works air-gapped.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const CONSOLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'console');

/** Writes console.js and console.css into each directory. */
export async function bundleConsoleAssets(outDirs: readonly string[]): Promise<void> {
  for (const outdir of outDirs) {
    mkdirSync(outdir, { recursive: true });
    await build({
      entryPoints: { console: join(CONSOLE_DIR, 'client', 'console.ts') },
      bundle: true,
      minify: true,
      format: 'iife',
      target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
      outdir,
      legalComments: 'none',
      logLevel: 'warning',
    });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dirs = process.argv.slice(2);
  await bundleConsoleAssets(dirs.length > 0 ? dirs : [join(CONSOLE_DIR, 'assets')]);
}
