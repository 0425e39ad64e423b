import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * `count` independent copies of a CommonJS package (its own classes and prototypes each), loaded
 * by clearing the package's entries from the require cache between loads. The instrumentation
 * benchmark patches one copy and leaves another untouched, so both run side by side in one process
 * and can be called alternately: no patch/unpatch between rounds, no deoptimisation from it.
 */
export function moduleCopies<T>(name: string, count: number): T[] {
  const marker = `/node_modules/${name}/`;
  const copies: T[] = [];
  for (let i = 0; i < count; i++) {
    for (const key of Object.keys(require.cache)) {
      if (key.includes(marker)) delete require.cache[key];
    }
    copies.push(require(name) as T);
  }
  return copies;
}
