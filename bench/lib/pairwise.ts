/** One comparison: the baseline's call times, µs, and the other contestant's minus it, pair by pair. */
export interface Comparison {
  other: number;
  base: number[];
  diffs: number[];
}

/** How many calls, in how many interleaved slices, after how many warm-up calls per contestant. */
export interface PairwisePlan {
  calls: number;
  warmup: number;
  slices: number;
}

/**
 * Compares each of `others` (indexes into `calls`) with `calls[0]`, the baseline. The comparisons
 * run in `slices` interleaved slices, so a slow or fast spell of the machine falls on all of them
 * alike. Within a slice only the two contestants compared run, taking turns call by call
 * (alternating which goes first), each call timed on its own: only their code fills the caches
 * meanwhile, as in an app with one client. `afterWarmup` runs once every contestant is warm.
 */
export async function measurePairwise(
  calls: ReadonlyArray<() => Promise<void>>,
  others: readonly number[],
  plan: PairwisePlan,
  afterWarmup: () => Promise<void>,
): Promise<Comparison[]> {
  for (const k of [0, ...others]) {
    for (let i = 0; i < plan.warmup; i++) await calls[k]!();
  }
  await afterWarmup();
  const comparisons: Comparison[] = others.map((other) => ({ other, base: [], diffs: [] }));
  const perSlice = Math.ceil(plan.calls / plan.slices);
  for (let slice = 0; slice < plan.slices; slice++) {
    for (const comparison of comparisons) {
      const pair = [calls[0]!, calls[comparison.other]!];
      for (let i = 0; i < perSlice; i++) {
        const took = [0, 0];
        for (let j = 0; j < 2; j++) {
          const k = (i + j) % 2;
          const start = performance.now();
          await pair[k]!();
          took[k] = (performance.now() - start) * 1000;
        }
        comparison.base.push(took[0]!);
        comparison.diffs.push(took[1]! - took[0]!);
      }
    }
  }
  return comparisons;
}

/**
 * The median and its 95% confidence interval from order statistics (no assumption about the
 * distribution's shape): ranks n/2 ± 1.96·√n/2.
 */
export function medianWithInterval(values: number[]): [number, number, number] {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const half = Math.ceil((1.96 * Math.sqrt(n)) / 2);
  const at = (rank: number) => sorted[Math.min(n - 1, Math.max(0, rank))]!;
  return [at(n >> 1), at((n >> 1) - half), at((n >> 1) + half)];
}
