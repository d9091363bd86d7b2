import { describe, expect, it } from 'vitest';

import { limeExplainer, limeMasks, limeWeight, solveSpd, weightedRidge } from '@/lib/explain/lime';
import { binary, delayed, inputFor, spearman, synthetic } from './support/synthetic';

const WEIGHTS = { card: 1.6, arrived: 1.1, still: 0.6, my: 0.2, the: 0.0, please: -0.3, fee: -0.8, exchange: -1.3, refund: -1.9 };
const TEXT = 'my card still has not arrived please check the fee exchange refund';

describe('weighted ridge', () => {
  it('solves a symmetric positive definite system', () => {
    const x = solveSpd([[4, 2], [2, 3]], [2, 1]);
    expect(x[0]).toBeCloseTo(0.5, 12);
    expect(x[1]).toBeCloseTo(0, 12);
  });

  it('recovers an exact linear relation when the penalty is tiny, with R² = 1', () => {
    const xs = [[0, 0], [1, 0], [0, 1], [1, 1], [1, 1], [0, 1]];
    const y = xs.map((r) => 0.3 + 2 * r[0] - 0.5 * r[1]);
    const fit = weightedRidge(xs, y, [1, 2, 3, 1, 0.5, 2], 1e-9);
    expect(fit.coef[0]).toBeCloseTo(2, 6);
    expect(fit.coef[1]).toBeCloseTo(-0.5, 6);
    expect(fit.intercept).toBeCloseTo(0.3, 6);
    expect(fit.r2).toBeCloseTo(1, 9);
  });

  it('matches sklearn Ridge(alpha=1).fit(X, y, sample_weight) on a case worked by hand', () => {
    // X = [0,1,1,0], y = [1,3,2,0], w = [1,1,2,1]: x̄ = 3/5, ȳ = 8/5; Σw·xc·yc = 2.2,
    // Σw·xc² = 1.2 -> β = 2.2 / (1.2 + 1) = 1, intercept = ȳ − x̄β = 1.
    // Weighted R²: residuals [0, 1, 0, −1] -> 1 − 2 / Σw·yc² = 1 − 2 / 5.2.
    const fit = weightedRidge([[0], [1], [1], [0]], [1, 3, 2, 0], [1, 1, 2, 1], 1);
    expect(fit.coef[0]).toBeCloseTo(1, 12);
    expect(fit.intercept).toBeCloseTo(1, 12);
    expect(fit.r2).toBeCloseTo(1 - 2 / 5.2, 12);
    expect(weightedRidge([[0], [1]], [0.5, 0.5], [1, 1], 1).r2).toBe(1);
  });
});

describe('LIME sampling', () => {
  it('starts from the original and removes 1..n words per sample', () => {
    const masks = limeMasks(6, 500, 3);
    expect(masks[0]).toEqual([1, 1, 1, 1, 1, 1]);
    const removedCounts = new Set<number>();
    for (const m of masks.slice(1)) {
      const removed = m.filter((x) => x === 0).length;
      expect(removed).toBeGreaterThanOrEqual(1);
      removedCounts.add(removed);
    }
    expect([...removedCounts].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    // A prefix does not depend on how many samples were asked for.
    expect(limeMasks(6, 40, 3)).toEqual(masks.slice(0, 40));
  });

  it('weights samples with lime’s exponential kernel on cosine distance × 100', () => {
    expect(limeWeight(4, 4, 25)).toBe(1);
    expect(limeWeight(0, 4, 25)).toBeCloseTo(Math.exp(-8), 12);
    const d = (1 - Math.sqrt(1 / 4)) * 100;
    expect(limeWeight(1, 4, 25)).toBeCloseTo(Math.sqrt(Math.exp(-(d * d) / 625)), 12);
  });
});

describe('LIME on a linear bag-of-words classifier', () => {
  it('recovers the true word weights (Spearman ≥ 0.95) with a good surrogate fit', async () => {
    const model = binary(WEIGHTS, 0.2);
    const input = await inputFor(model, TEXT, 1);
    const e = await limeExplainer.explain(input, { seed: 11 });
    const present = input.words.map((w, i) => ({ i, truth: (WEIGHTS as Record<string, number>)[w.text] })).filter((x) => x.truth !== undefined);
    expect(present).toHaveLength(9);
    const rho = spearman(present.map((x) => e.scores![x.i]), present.map((x) => x.truth));
    expect(rho).toBeGreaterThanOrEqual(0.95);
    // Words the model ignores get (almost) nothing.
    for (const w of ['has', 'not', 'check']) expect(Math.abs(e.scores![input.words.findIndex((x) => x.text === w)])).toBeLessThan(0.02);
    const extra = e.extra as Record<string, number>;
    expect(extra.samples).toBe(1000);
    expect(extra.r2).toBeGreaterThan(0.8);
    expect(Math.abs(extra.localPrediction - e.target.probability)).toBeLessThan(0.1);
    expect(e.settings).toMatchObject({ samples: 1000, seed: 11, kernelWidth: 25 });
    expect(e.timing.forwardPasses).toBe(model.calls.batches);
    expect(extra.distinctTexts).toBe(model.calls.texts);
  });

  it('recovers the weights of the target class in a three-class model too', async () => {
    const model = synthetic(['a', 'b', 'c'], {
      card: [0, 1.5, 0],
      arrived: [0, 1.0, -0.5],
      still: [0.4, 0.5, 0],
      fee: [0, -0.6, 1.0],
      refund: [1.0, -1.2, 0],
    });
    const text = 'card fee still arrived refund';
    const input = await inputFor(model, text, 1);
    const e = await limeExplainer.explain(input, { seed: 5, samples: 2000 });
    expect(spearman(e.scores!, [1.5, -0.6, 0.5, 1.0, -1.2])).toBeGreaterThanOrEqual(0.95);
  });

  it('gives identical output for the same seed and different samples for another', async () => {
    const model = binary(WEIGHTS);
    const input = await inputFor(model, TEXT, 1);
    const a = await limeExplainer.explain(input, { seed: 99, samples: 600 });
    const b = await limeExplainer.explain(input, { seed: 99, samples: 600 });
    const c = await limeExplainer.explain(input, { seed: 100, samples: 600 });
    const strip = (e: typeof a) => ({ ...e, timing: { ...e.timing, ms: 0 } });
    expect(strip(b)).toEqual(strip(a));
    expect(limeMasks(input.words.length, 600, 100)).not.toEqual(limeMasks(input.words.length, 600, 99));
    expect(c.scores).not.toEqual(a.scores);
    expect(c.extra.intercept).not.toBe(a.extra.intercept);
  });

  it('evaluates each distinct perturbation once, in batches no larger than batchSize', async () => {
    const model = binary({ card: 1, lost: 2 });
    const input = await inputFor(model, 'lost my card', 1);
    const e = await limeExplainer.explain(input, { samples: 1000, batchSize: 4 });
    // 3 words: the original plus 7 removal subsets (the empty text included).
    expect(model.calls.texts).toBe(8);
    expect(Math.max(...model.calls.sizes)).toBeLessThanOrEqual(4);
    expect(e.extra.distinctTexts).toBe(8);
    expect(e.timing.forwardPasses).toBe(model.calls.batches);
  });

  it('stops sampling when the time budget runs out, and the samples it used reproduce the result', async () => {
    const model = binary(WEIGHTS);
    const slow = delayed(model.predict, 15);
    const input = { ...(await inputFor(model, TEXT, 1)), predict: slow };
    const cut = await limeExplainer.explain(input, { seed: 4, samples: 5000, batchSize: 8, timeBudgetMs: 40 });
    const used = cut.extra.samples as number;
    expect(cut.extra.stoppedByBudget).toBe(true);
    expect(used).toBeLessThan(5000);
    expect(used).toBeGreaterThan(1);
    const again = await limeExplainer.explain({ ...input, predict: model.predict }, { seed: 4, samples: used, timeBudgetMs: null });
    expect(again.scores).toEqual(cut.scores);
  });

  it('uses at least minSamples however short the budget', async () => {
    const model = binary(WEIGHTS);
    const slow = delayed(model.predict, 5);
    const input = { ...(await inputFor(model, TEXT, 1)), predict: slow };
    const cut = await limeExplainer.explain(input, { seed: 4, samples: 1000, batchSize: 8, timeBudgetMs: 1, minSamples: 120 });
    expect(cut.extra.samples).toBeGreaterThanOrEqual(120);
    expect(cut.extra.samples).toBeLessThan(1000);
    expect(cut.extra.stoppedByBudget).toBe(true);
    const all = await limeExplainer.explain(input, { seed: 4, samples: 80, batchSize: 8, timeBudgetMs: 1, minSamples: 120 });
    expect(all.extra.samples).toBe(80);
  });

  it('handles one word and no words', async () => {
    const model = binary({ card: 1 });
    const one = await limeExplainer.explain(await inputFor(model, 'card', 1), { samples: 50 });
    expect(one.scores).toHaveLength(1);
    expect(one.scores![0]).toBeGreaterThan(0);
    const none = await limeExplainer.explain(await inputFor(model, '   ', 1), { samples: 50 });
    expect(none.scores).toEqual([]);
    expect(JSON.parse(JSON.stringify(none))).toEqual(none);
  });
});
