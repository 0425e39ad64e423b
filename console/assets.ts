import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The bundled assets (console.js, console.css) and their types. */
export const ASSET_TYPES: Readonly<Record<string, string>> = {
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};

/**
 * The directory `npm run build` (scripts/bundle-console-assets.ts) writes the bundle to, next to
 * this module: console/assets from source, dist/console/assets once compiled.
 */
export const ASSET_DIR = fileURLToPath(new URL('./assets/', import.meta.url));

/**
 * Reads the bundle once. A missing bundle is not fatal (the pages still work as plain HTML):
 * the file is answered 404 with what to run.
 */
export function loadAssets(dir = ASSET_DIR): Map<string, Buffer> {
  const assets = new Map<string, Buffer>();
  for (const name of Object.keys(ASSET_TYPES)) {
    try {
      assets.set(name, readFileSync(`${dir}${name}`));
    } catch {
      // left out: see above
    }
  }
  return assets;
}
