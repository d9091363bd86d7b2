// Percentile bootstrap confidence intervals that resample messages (clusters), not the variants
// made from them: every variant of a message rises and falls with it, so an interval that
// counted variants as independent would be too narrow. Seeded: the same inputs give the same
// interval.
import { createRng } from '@/lib/explain/rng';
import type { Interval } from './report';

export interface BootstrapOptions {
  seed: number;
  /** Resamples drawn (default 1000). */
  resamples?: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
}

/** Fewer clusters than this give no interval: a resample of one message says nothing of the spread. */
export const MIN_CLUSTERS = 2;

/** The q-quantile of sorted values, interpolated linearly between order statistics (R's type 7). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/**
 * `statistic` on all `clusters` and its percentile bootstrap interval. The statistic gets each
 * cluster's weight: how many times it was drawn (all ones for the figure itself), so a figure
 * that is a ratio of sums over clusters is computed without copying data. Resamples whose
 * statistic is not a number (every drawn cluster empty) are left out.
 */
export function bootstrapInterval(clusters: number, statistic: (weights: Int32Array) => number, options: BootstrapOptions): Interval {
  const ones = new Int32Array(clusters).fill(1);
  const value = statistic(ones);
  if (clusters < MIN_CLUSTERS || !Number.isFinite(value)) return { value: Number.isFinite(value) ? value : 0, low: null, high: null };
  const rng = createRng(options.seed);
  const resamples = options.resamples ?? 1000;
  const level = options.level ?? 0.95;
  const weights = new Int32Array(clusters);
  const values: number[] = [];
  for (let b = 0; b < resamples; b++) {
    weights.fill(0);
    for (let i = 0; i < clusters; i++) weights[Math.floor(rng.next() * clusters)] += 1;
    const resampled = statistic(weights);
    if (Number.isFinite(resampled)) values.push(resampled);
  }
  if (values.length === 0) return { value, low: null, high: null };
  values.sort((a, b) => a - b);
  return { value, low: quantile(values, (1 - level) / 2), high: quantile(values, 1 - (1 - level) / 2) };
}

/** A share as a ratio of sums over clusters (events / cases), with its interval. */
export function shareInterval(events: readonly number[], cases: readonly number[], options: BootstrapOptions): Interval {
  return bootstrapInterval(
    cases.length,
    (weights) => {
      let numerator = 0;
      let denominator = 0;
      for (let i = 0; i < weights.length; i++) {
        if (weights[i] === 0) continue;
        numerator += weights[i] * events[i]!;
        denominator += weights[i] * cases[i]!;
      }
      return denominator > 0 ? numerator / denominator : Number.NaN;
    },
    options,
  );
}

/** A mean over clusters' values, with its interval (each cluster one value). */
export function meanInterval(values: readonly number[], options: BootstrapOptions): Interval {
  return shareInterval(values, values.map(() => 1), options);
}
