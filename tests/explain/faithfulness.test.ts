import { describe, expect, it } from 'vitest';

import { evaluateFaithfulness, faithfulnessLevels, rankWords } from '@/lib/explain/faithfulness';
import { MIN_LIME_BUDGET_MS, explainAll } from '@/lib/explain';
import { createRng } from '@/lib/explain/rng';
import type { ExplanationMethod, Faithfulness } from '@/lib/explain/types';
import { binary, delayed, inputFor, softmax } from './support/synthetic';

const WEIGHTS = { card: 1.6, arrived: 1.1, still: 0.6, my: 0.2, please: -0.3, fee: -0.8, exchange: -1.3, refund: -1.9 };
const TEXT = 'my card still has not arrived please check the fee exchange refund';

describe('faithfulness', () => {
  it('levels: k = 1, 2, 3 and 20 % of the words, capped at the word count', () => {
    expect(faithfulnessLevels(12).map((l) => [l.k, l.count])).toEqual([['1', 1], ['2', 2], ['3', 3], ['20%', 2]]);
    expect(faithfulnessLevels(2).map((l) => l.count)).toEqual([1, 2, 2, 1]);
    expect(rankWords([0.1, 0.5, -1, 0.5])).toEqual([1, 3, 0, 2]);
  });

  it('computes comprehensiveness, sufficiency and deletion AUC by their definitions', async () => {
    const model = binary({ a: 2, b: 1, c: -1 });
    const input = await inputFor(model, 'a b c', 1);
    const p = (t: string) => softmax(model.logits(t))[1];
    const f = await evaluateFaithfulness(input, [2, 1, -1]);
    const full = p('a b c');
    expect(f.comprehensiveness.map((x) => x.k)).toEqual(['1', '2', '3', '20%']);
    const comp = [full - p('b c'), full - p('c'), full - p(''), full - p('b c')];
    const suff = [full - p('a'), full - p('a b'), full - p('a b c'), full - p('a')];
    f.comprehensiveness.forEach((x, i) => expect(x.value).toBeCloseTo(comp[i], 12));
    f.sufficiency.forEach((x, i) => expect(x.value).toBeCloseTo(suff[i], 12));
    expect(f.meanComprehensiveness).toBeCloseTo(comp.reduce((s, x) => s + x) / 4, 12);
    expect(f.meanSufficiency).toBeCloseTo(suff.reduce((s, x) => s + x) / 4, 12);
    const ys = [full, p('b c'), p('c'), p('')];
    expect(f.deletionAuc).toBeCloseTo(((ys[0] + ys[1]) / 2 + (ys[1] + ys[2]) / 2 + (ys[2] + ys[3]) / 2) / 3, 12);
    // Everything in one batched call.
    expect(model.calls.batches).toBe(1);
  });

  it('rates the true weights as more faithful than random scores', async () => {
    const model = binary(WEIGHTS, 0.5);
    const input = await inputFor(model, TEXT, 1);
    const truth = input.words.map((w) => (WEIGHTS as Record<string, number>)[w.text] ?? 0);
    const perfect = await evaluateFaithfulness(input, truth);
    const rng = createRng(2024);
    const random: Faithfulness[] = [];
    for (let r = 0; r < 20; r++) random.push(await evaluateFaithfulness(input, truth.map(() => rng.next())));
    const mean = (k: 'meanComprehensiveness' | 'meanSufficiency' | 'deletionAuc') => random.reduce((s, f) => s + f[k], 0) / random.length;
    expect(perfect.meanComprehensiveness).toBeGreaterThan(mean('meanComprehensiveness') + 0.1);
    expect(perfect.meanSufficiency).toBeLessThan(mean('meanSufficiency') - 0.1);
    expect(perfect.deletionAuc).toBeLessThan(mean('deletionAuc'));
    for (const f of random) expect(perfect.meanComprehensiveness).toBeGreaterThanOrEqual(f.meanComprehensiveness);
  });
});

describe('explainAll without model internals', () => {
  it('runs the model-agnostic explainers in order, with faithfulness, progress and one shared cache', async () => {
    const model = binary(WEIGHTS, 0.5);
    const input = await inputFor(model, 'my card still has not arrived', 1);
    const progress: [number, number, ExplanationMethod][] = [];
    const all = await explainAll(input, { settings: { lime: { samples: 300, seed: 3 } } }, (d, t, m) => progress.push([d, t, m]));
    expect(all.map((e) => e.method)).toEqual(['occlusion', 'counterfactual', 'shap', 'lime']);
    expect(progress).toEqual([[1, 4, 'occlusion'], [2, 4, 'counterfactual'], [3, 4, 'shap'], [4, 4, 'lime']]);
    for (const e of all.filter((x) => x.method !== 'counterfactual')) {
      expect(e.scores).toHaveLength(6);
      expect(e.faithfulness!.comprehensiveness).toHaveLength(4);
    }
    expect(all[1].faithfulness).toBeUndefined();
    expect(all[3].settings).toMatchObject({ samples: 300, seed: 3, kernelWidth: 25, batchSize: 64 });
    expect(JSON.parse(JSON.stringify(all))).toEqual(all);
    // 6 words -> 64 subsets: no text is ever evaluated twice across all the explainers.
    expect(model.calls.texts).toBeLessThanOrEqual(64);
    const passes = all.reduce((s, e) => s + e.timing.forwardPasses, 0);
    expect(passes).toBeLessThanOrEqual(model.calls.batches);
  });

  it('gives LIME what is left of a run budget, unless its settings name one', async () => {
    const model = binary(WEIGHTS, 0.5);
    const slow = delayed(model.predict, 10);
    const input = { ...(await inputFor(model, 'my card still has not arrived and I want it now please', 1)), predict: slow };
    const budgeted = await explainAll(input, { budgetMs: 120, batchSize: 8, settings: { lime: { samples: 5000 } } });
    const lime = budgeted.at(-1)!;
    if (lime.method !== 'lime') throw new Error(`${lime.method} ran last`);
    const budget = (lime.settings as { timeBudgetMs: number }).timeBudgetMs;
    // Occlusion, counterfactual and their faithfulness took their share first.
    expect(budget).toBeLessThan(120);
    expect(budget).toBeGreaterThanOrEqual(MIN_LIME_BUDGET_MS);
    expect(lime.extra.stoppedByBudget).toBe(true);
    expect(lime.extra.samples).toBeLessThan(5000);
    const own = await explainAll(input, { budgetMs: 120, settings: { lime: { samples: 200, timeBudgetMs: null } } });
    expect(own.at(-1)!.settings).toMatchObject({ timeBudgetMs: null, samples: 200 });
    const ownLime = own.at(-1)!;
    expect(ownLime.method === 'lime' && ownLime.extra.samples).toBe(200);
  });

  it('can be cancelled between methods', async () => {
    const model = binary(WEIGHTS);
    const input = await inputFor(model, 'my card', 1);
    const controller = new AbortController();
    const run = explainAll(input, { signal: controller.signal }, () => controller.abort());
    await expect(run).rejects.toThrow();
  });
});
