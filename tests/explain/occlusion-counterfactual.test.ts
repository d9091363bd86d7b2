import { describe, expect, it } from 'vitest';

import { counterfactualExplainer, type CounterfactualExtra } from '@/lib/explain/counterfactual';
import { occlusionExplainer } from '@/lib/explain/occlusion';
import { removeWords } from '@/lib/explain/perturb';
import { binary, inputFor, softmax, spearman, synthetic } from './support/synthetic';

describe('occlusion', () => {
  it('scores p(target) − p(target without the word): signs and order follow the true weights', async () => {
    const weights = { card: 1.6, arrived: 1.1, still: 0.6, please: -0.3, fee: -0.8 };
    const model = binary(weights, 0.1);
    const input = await inputFor(model, 'please my card still fee arrived', 1);
    const e = await occlusionExplainer.explain(input);
    const truth = input.words.map((w) => (weights as Record<string, number>)[w.text] ?? 0);
    const scores = e.scores!;
    truth.forEach((t, i) => expect(Math.sign(scores[i])).toBe(Math.sign(t)));
    expect(spearman(scores, truth)).toBeCloseTo(1, 12);
    const extra = e.extra as { baseline: number; without: number[] };
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    expect(extra.baseline).toBeCloseTo(sig(0.1 + 1.6 + 1.1 + 0.6 - 0.3 - 0.8), 12);
    expect(extra.without[2]).toBeCloseTo(sig(0.1 + 1.1 + 0.6 - 0.3 - 0.8), 12);
    expect(e.target.probability).toBe(extra.baseline);
    expect(model.calls.texts).toBe(7);
    expect(e.timing.forwardPasses).toBe(1);
  });
});

describe('counterfactual', () => {
  const labels = ['card_arrival', 'card_delivery_estimate', 'other'];

  it('finds the one word whose removal changes the answer, even when another lowers p(target) more', async () => {
    // With both words: A = 1.0, B = 0.95 -> card_arrival. Without "please": A = 1, B = C = .9:
    // still card_arrival but p(A) falls to .36. Without "arrived": A = 0, B = .05 -> the answer
    // changes (p(A) ≈ .49). Removing by lowest p(target) alone would need both words.
    const model = synthetic(labels, { arrived: [1.0, 0.9, 0.9], please: [0, 0.05, -10] });
    const input = await inputFor(model, 'arrived please');
    expect(input.target).toBe(0);
    const e = await counterfactualExplainer.explain(input);
    const extra = e.extra as unknown as CounterfactualExtra;
    expect(extra.found).toBe(true);
    expect(extra.removed).toEqual([0]);
    expect(extra.removedWords).toEqual(['arrived']);
    expect(extra.text).toBe('please');
    expect(extra.newLabel).toBe('card_delivery_estimate');
    expect(extra.newIndex).toBe(1);
    expect(extra.newProbability).toBeCloseTo(softmax(model.logits('please'))[1], 12);
    expect(e.scores).toBeNull();
  });

  it('removes the minimal set when one word is not enough', async () => {
    // Target A = arrived 1.05 + card 1.0 + still 0.9 + my 0.1 = 3.05; B = when 1.5.
    // No single removal flips; {arrived, card} (A = 1.0) and {arrived, still} (1.1) do.
    const model = synthetic(labels, { arrived: [1.05, 0, 0], card: [1.0, 0, 0], still: [0.9, 0, 0], my: [0.1, 0, 0], when: [0, 1.5, 0] });
    const text = 'when my card still arrived';
    const input = await inputFor(model, text);
    const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));
    for (let i = 0; i < input.words.length; i++) expect(argmax(model.logits(removeWords(text, input.words, [i])))).toBe(0);
    const e = await counterfactualExplainer.explain(input);
    const extra = e.extra as unknown as CounterfactualExtra;
    expect(extra.found).toBe(true);
    expect(extra.removedWords).toEqual(['card', 'arrived']);
    expect(extra.removed).toEqual([2, 4]);
    expect(extra.text).toBe('when my still');
    expect(extra.newLabel).toBe('card_delivery_estimate');
    // Two rounds: 5 candidates, then 4 (the original was the first text).
    expect(model.calls.texts).toBe(1 + 5 + 4);
  });

  it('does not search when the target is not the predicted class', async () => {
    const model = synthetic(labels, { arrived: [1, 0, 0], when: [0, 0.5, 0] });
    const input = await inputFor(model, 'when arrived', 1);
    const e = await counterfactualExplainer.explain(input);
    const extra = e.extra as unknown as CounterfactualExtra;
    expect(extra).toMatchObject({ found: false, removed: [], text: 'when arrived', newIndex: 0 });
  });

  it('reports not found when the prediction survives the allowed removals', async () => {
    const model = synthetic(labels, { arrived: [3, 0, 0], card: [3, 0, 0], still: [3, 0, 0] });
    const input = await inputFor(model, 'arrived card still');
    const e = await counterfactualExplainer.explain(input, { maxRemovals: 2 });
    const extra = e.extra as unknown as CounterfactualExtra;
    expect(extra.found).toBe(false);
    expect(extra.removed).toHaveLength(2);
    expect(extra.newIndex).toBe(0);
    expect(e.settings).toMatchObject({ maxRemovals: 2 });
  });
});
