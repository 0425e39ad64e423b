import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PriceEntry } from '../../../../exporters/pricing/index.js';
import { computeCost, formatCost, parsePrice } from '../../../../exporters/pricing/index.js';

const entry = (prices: Partial<PriceEntry>): PriceEntry => ({
  provider: 'p',
  model: 'm',
  input: 0,
  output: 0,
  effective_from: '2025-01-01',
  ...prices,
});
const usage = (
  u: Partial<
    Record<
      | 'input_tokens'
      | 'output_tokens'
      | 'cache_read_tokens'
      | 'cache_write_tokens'
      | 'reasoning_tokens',
      number | null
    >
  >,
) => ({
  input_tokens: null,
  output_tokens: null,
  cache_read_tokens: null,
  cache_write_tokens: null,
  reasoning_tokens: null,
  ...u,
});

describe('computeCost', () => {
  it('prices uncached input, cache reads, cache writes, output and reasoning separately', () => {
    const e = entry({ input: 3, output: 15, cache_read: 0.3, cache_write: 3.75, reasoning: 20 });
    const cost = computeCost(
      usage({
        input_tokens: 10_000,
        cache_read_tokens: 6_000,
        cache_write_tokens: 1_000,
        output_tokens: 2_000,
        reasoning_tokens: 500,
      }),
      e,
    );
    // 3000×3 + 6000×0.3 + 1000×3.75 + 1500×15 + 500×20 = 9000 + 1800 + 3750 + 22500 + 10000 per million.
    expect(cost).toBe('0.0470500000');
  });

  it('defaults cache prices to the input price and reasoning to the output price', () => {
    const e = entry({ input: 2, output: 8 });
    expect(
      computeCost(
        usage({
          input_tokens: 1000,
          cache_read_tokens: 400,
          output_tokens: 100,
          reasoning_tokens: 60,
        }),
        e,
      ),
    ).toBe(computeCost(usage({ input_tokens: 1000, output_tokens: 100 }), e));
  });

  it('is exact where floating point is not', () => {
    // 0.1 + 0.2 style traps: 3 tokens at $0.1/M and 3 at $0.2/M.
    expect(
      computeCost(usage({ input_tokens: 3, output_tokens: 3 }), entry({ input: 0.1, output: 0.2 })),
    ).toBe('0.0000009000');
    expect(
      computeCost(usage({ input_tokens: 1, output_tokens: 0 }), entry({ input: 0.075, output: 0 })),
    ).toBe('0.0000000750');
    // 1 token at $0.01875/M is 1.875e-8: rounded half up at the 10th decimal.
    expect(computeCost(usage({ input_tokens: 1 }), entry({ input: '0.01875', output: 0 }))).toBe(
      '0.0000000188',
    );
  });

  it('handles counts far beyond 2^53 / 1e6 without losing a digit', () => {
    const big = Number.MAX_SAFE_INTEGER;
    expect(computeCost(usage({ input_tokens: big }), entry({ input: 1, output: 0 }))).toBe(
      '9007199254.7409910000',
    );
  });

  it('never goes negative when parts exceed their total', () => {
    const e = entry({ input: 1, output: 1, cache_read: 1 });
    // Uncached input and plain output count as 0: 50 cache reads + 9 reasoning tokens at $1/M.
    expect(
      computeCost(
        usage({ input_tokens: 10, cache_read_tokens: 50, output_tokens: 1, reasoning_tokens: 9 }),
        e,
      ),
    ).toBe('0.0000590000');
  });

  it('matches a reference computed with BigInt for any usage', () => {
    fc.assert(
      fc.property(
        fc.record({
          input: fc.integer({ min: 0, max: 10_000_000 }),
          cache: fc.integer({ min: 0, max: 10_000_000 }),
          output: fc.integer({ min: 0, max: 10_000_000 }),
        }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        ({ input, cache, output }, inCents, outCents) => {
          const cacheRead = Math.min(cache, input);
          const e = entry({
            input: inCents / 100,
            output: outCents / 100,
            cache_read: inCents / 1000,
          });
          // Prices have at most 3 decimals, so the cost in 1e-9 USD is an exact integer.
          const nanoUsd =
            BigInt(input - cacheRead) * BigInt(inCents) * 10n +
            BigInt(cacheRead) * BigInt(inCents) +
            BigInt(output) * BigInt(outCents) * 10n;
          expect(
            computeCost(
              usage({ input_tokens: input, cache_read_tokens: cacheRead, output_tokens: output }),
              e,
            ),
          ).toBe(formatCost(nanoUsd * 10n));
        },
      ),
    );
  });
});

describe('parsePrice', () => {
  it('reads numbers and decimal strings exactly to 12 places', () => {
    expect(parsePrice(1.25)).toBe(1_250_000_000_000n);
    expect(parsePrice('0.000000000001')).toBe(1n);
    expect(parsePrice(0.15)).toBe(150_000_000_000n);
    expect(parsePrice(1e-7)).toBe(100_000n);
  });

  it('refuses negative, non-finite, malformed and over-precise prices', () => {
    for (const bad of [
      -1,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      'abc',
      '1.0000000000001',
      '-2',
      '1e3',
    ]) {
      expect(parsePrice(bad)).toBeUndefined();
    }
  });
});
