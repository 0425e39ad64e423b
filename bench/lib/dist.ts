import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Imports a folder of the compiled package (dist/, what users run; the bench's npm script builds
 * it first) rather than the TypeScript sources through tsx, whose transform adds per-closure
 * work and its own memory to what a benchmark measures. `T` is the source module's type.
 */
export async function importDist<T>(folder: 'exporters' | 'instrumentation'): Promise<T> {
  const url = pathToFileURL(resolve(import.meta.dirname, '../../dist', folder, 'index.js')).href;
  return (await import(url)) as T;
}
