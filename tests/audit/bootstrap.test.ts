// The audit's intervals: on simulated populations with a known rate, the bootstrap 95 % interval
// covers the truth about 95 times in 100; seeded, so the same draw gives the same interval.
import { describe, expect, it } from 'vitest';
import { bootstrapInterval, quantile, shareInterval } from '@/lib/audit/bootstrap';
import { createRng } from '@/lib/explain/rng';

/** `n` Bernoulli(p) draws from a seeded stream. */
function population(n: number, p: number, seed: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => (rng.next() < p ? 1 : 0));
}

describe('bootstrap intervals', () => {
  it('cover a known rate in about 95 of 100 simulated samples', () => {
    for (const p of [0.1, 0.3, 0.5]) {
      let covered = 0;
      let width = 0;
      for (let trial = 0; trial < 100; trial++) {
        const draws = population(200, p, 1000 + trial);
        const interval = shareInterval(draws, draws.map(() => 1), { seed: trial, resamples: 500 });
        if (interval.low! <= p && p <= interval.high!) covered++;
        width += (interval.high! - interval.low!) / 100;
      }
      // 95 % coverage, less three binomial standard deviations (sqrt(100 · 0.95 · 0.05) ≈ 2.2) and
      // the percentile bootstrap's small-sample shortfall.
      expect(covered, `p = ${p}`).toBeGreaterThanOrEqual(85);
      // And not by being wide: about the normal approximation's 2 · 1.96 · sqrt(p(1 − p) / n).
      expect(width / (2 * 1.96 * Math.sqrt((p * (1 - p)) / 200)), `p = ${p}`).toBeGreaterThan(0.85);
      expect(width / (2 * 1.96 * Math.sqrt((p * (1 - p)) / 200)), `p = ${p}`).toBeLessThan(1.15);
    }
  });

  it('resamples clusters: messages whose variants all flip together give a wider interval than independent variants', () => {
    // 100 messages with 10 variants each; each message's variants either all flip or none do.
    const rng = createRng(5);
    const flips = Array.from({ length: 100 }, () => (rng.next() < 0.3 ? 10 : 0));
    const clustered = shareInterval(flips, flips.map(() => 10), { seed: 1 });
    const flat = flips.flatMap((f) => Array<number>(10).fill(f / 10));
    const independent = shareInterval(flat, flat.map(() => 1), { seed: 1 });
    expect(clustered.value).toBeCloseTo(independent.value, 12);
    expect(clustered.high! - clustered.low!).toBeGreaterThan(2 * (independent.high! - independent.low!));
  });

  it('is the same for the same seed and differs for another', () => {
    const draws = population(80, 0.4, 9);
    const a = shareInterval(draws, draws.map(() => 1), { seed: 3 });
    expect(shareInterval(draws, draws.map(() => 1), { seed: 3 })).toEqual(a);
    expect(shareInterval(draws, draws.map(() => 1), { seed: 4 })).not.toEqual(a);
    expect(a.value).toBeCloseTo(draws.reduce((x, y) => x + y, 0) / 80, 12);
  });

  it('gives no bounds for fewer than two clusters', () => {
    expect(shareInterval([1], [1], { seed: 1 })).toEqual({ value: 1, low: null, high: null });
    expect(bootstrapInterval(0, () => Number.NaN, { seed: 1 })).toEqual({ value: 0, low: null, high: null });
  });

  it('takes quantiles between order statistics', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0)).toBe(1);
    expect(quantile([1, 2, 3, 4], 1)).toBe(4);
  });
});
