// SHAP: exact Shapley values where they are known, KernelSHAP's sampling against them, the
// additivity it guarantees, its seeds, its stability on the demo model at the panel's sample
// count, its time budget inside explainAll, and the server taking it by derivation only.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { cachedPredict, EXPLAINERS, explainAll, PANEL_ORDER, shapExplainer, shapleyValues, textWithWords, WORD_SCORING_METHODS, type ExplainAllOptions, type ShapleyOptions } from '@/lib/explain';
import type { Explanation } from '@/lib/explain/types';
import { kernelShapPlan, planWeights } from '@/lib/explain/shap';
import { fitExplanation } from '@/lib/ingest/fit-explanation';
import type { IntentModel } from '@/lib/model/model';
import { loadModelFromDir } from '@/lib/model/node';
import { wordSpans } from '@/lib/model/spans';
import type { PredictFn } from '@/lib/model/types';
import { explanationSchema } from '@/lib/records/explanation';
import { readExplanation } from '@/lib/ui/explain/parse';
import { bundledFacts } from '../support/turns';
import { binary, delayed, inputFor, synthetic } from './support/synthetic';

type Game = (present: boolean[]) => number;
const NO_BUDGET: ShapleyOptions = { samples: 1000, seed: 1, exactUpTo: 10, timeBudgetMs: null, minSamples: 0, chunkSize: 64 };
const play = (game: Game) => async (coalitions: boolean[][]) => coalitions.map(game);
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** Shapley values by their definition: Σ over coalitions S ∌ i of |S|!(n−|S|−1)!/n! (v(S ∪ i) − v(S)). */
function shapleyByDefinition(n: number, game: Game): number[] {
  const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
  const phi = new Array<number>(n).fill(0);
  for (let s = 0; s < 1 << n; s++) {
    const present = Array.from({ length: n }, (_, i) => ((s >> i) & 1) === 1);
    const size = present.filter(Boolean).length;
    for (let i = 0; i < n; i++) {
      if (present[i]) continue;
      const withI = [...present];
      withI[i] = true;
      phi[i] += ((factorial(size) * factorial(n - size - 1)) / factorial(n)) * (game(withI) - game(present));
    }
  }
  return phi;
}

// p = 0.2·a + 0.3·b + 0.4·a·b (+ a constant and small linear words): the interaction is split
// equally, so φ_a = 0.2 + 0.2 and φ_b = 0.3 + 0.2; a word with weight c gets c.
const linear = (n: number, from: number) => Array.from({ length: n }, (_, i) => (i < from ? 0 : 0.01 * (i - n / 2)));
const interaction = (n: number): { game: Game; truth: number[] } => {
  const c = linear(n, 2);
  return {
    game: (m) => 0.05 + 0.2 * +m[0]! + 0.3 * +m[1]! + 0.4 * +(m[0]! && m[1]!) + sum(c.map((w, i) => (m[i] ? w : 0))),
    truth: c.map((w, i) => (i === 0 ? 0.4 : i === 1 ? 0.5 : w)),
  };
};
// 1 if any of a, b, c is present, plus 0.3·d: the OR's 1 is shared three ways.
const threeWayOr = (n: number): { game: Game; truth: number[] } => {
  const c = linear(n, 4);
  return {
    game: (m) => (m[0] || m[1] || m[2] ? 1 : 0) + 0.3 * +m[3]! + sum(c.map((w, i) => (m[i] ? w : 0))),
    truth: c.map((w, i) => (i < 3 ? 1 / 3 : i === 3 ? 0.3 : w)),
  };
};

describe('Shapley values of games with known answers', () => {
  it('are exact by enumeration: the a·b interaction splits equally, a three-way OR shares its 1', async () => {
    const ab = interaction(3);
    const exactAb = await shapleyValues(3, play(ab.game), NO_BUDGET);
    expect(exactAb.exact).toBe(true);
    expect(exactAb.samples).toBe(6);
    exactAb.values.forEach((v, i) => expect(v).toBeCloseTo(ab.truth[i]!, 12));
    expect(exactAb.values[0]).toBeCloseTo(0.4, 12);
    expect(exactAb.values[1]).toBeCloseTo(0.5, 12);

    const or = threeWayOr(4);
    const exactOr = await shapleyValues(4, play(or.game), NO_BUDGET);
    expect(exactOr.values).toHaveLength(4);
    exactOr.values.forEach((v, i) => expect(v).toBeCloseTo(or.truth[i]!, 12));
    expect(exactOr.baseValue).toBe(0);
    expect(exactOr.fullValue).toBeCloseTo(1.3, 12);
  });

  it('equal the definition on a game with a different value for every coalition (8 players, all 2^8 coalitions)', async () => {
    const values = Array.from({ length: 256 }, (_, s) => Math.sin(s * 12.9898) * 0.5 + ((s * 7) % 13) / 13);
    const game: Game = (m) => values[m.reduce((s, x, i) => s + (x ? 1 << i : 0), 0)]!;
    const truth = shapleyByDefinition(8, game);
    const r = await shapleyValues(8, play(game), NO_BUDGET);
    expect(r.exact).toBe(true);
    r.values.forEach((v, i) => expect(v).toBeCloseTo(truth[i]!, 10));
    // Two words and one word: the closed forms.
    const two = await shapleyValues(2, play((m) => [0, 0.3, 0.5, 1.1][+m[0]! + 2 * +m[1]!]!), NO_BUDGET);
    expect(two.values[0]).toBeCloseTo((0.3 - 0 + (1.1 - 0.5)) / 2, 12);
    expect(two.values[1]).toBeCloseTo((0.5 - 0 + (1.1 - 0.3)) / 2, 12);
    const one = await shapleyValues(1, play((m) => (m[0] ? 0.9 : 0.2)), NO_BUDGET);
    expect(one.values).toEqual([0.9 - 0.2]);
    expect((await shapleyValues(0, play(() => 0.5), NO_BUDGET)).values).toEqual([]);
  });

  it('are estimated by sampling, close to the truth, at 4,000 of the 16,382 coalitions of 14 words', async () => {
    // KernelSHAP's error falls as 1/√samples; at 4,000 samples the worst error of any word over
    // 30 seeds was 0.003 for the a·b game and 0.013 for the three-way OR: 0.03 leaves room for
    // other seeds and still fails a wrongly weighted or unpaired sample (tested by hand).
    for (const { game, truth } of [interaction(14), threeWayOr(14)]) {
      for (const seed of [3, 4]) {
        const r = await shapleyValues(14, play(game), { ...NO_BUDGET, samples: 4000, seed, exactUpTo: 0 });
        expect(r.exact).toBe(false);
        expect(r.samples).toBeGreaterThanOrEqual(4000);
        expect(r.samples).toBeLessThanOrEqual(4001);
        r.values.forEach((v, i) => expect(Math.abs(v - truth[i]!)).toBeLessThan(0.03));
        expect(r.additivityGap).toBeLessThan(1e-9);
      }
    }
  });

  it('ends on any game: values that are not finite give no solution, too few samples for the words still solve', async () => {
    const broken = await shapleyValues(12, play((m) => (m[3] ? Number.NaN : 0.5)), { ...NO_BUDGET, samples: 200, exactUpTo: 0 });
    expect(broken.values).toHaveLength(12);
    expect(broken.values.every((v) => Number.isNaN(v))).toBe(true);
    // 11 coalitions for 12 words: the least ridge that solves it; the values still add up.
    const few = await shapleyValues(12, play(interaction(12).game), { ...NO_BUDGET, samples: 10, exactUpTo: 0 });
    expect(few.samples).toBeLessThanOrEqual(11);
    expect(few.values.every(Number.isFinite)).toBe(true);
    expect(few.additivityGap).toBeLessThan(1e-9);
  });

  it('samples like slundberg/shap: sizes enumerated while they fit, every drawn coalition with its complement', () => {
    // 15 words, 1,000 samples. Size weights 2·14/(s(15−s)) for s = 1…7, normalised: 0.330,
    // 0.177, 0.128, … Size 1 with 14: 1,000 × 0.330 = 330 ≥ its 30 coalitions, enumerated;
    // size 2 with 13: 970 × 0.265 (its share of what is left) = 257 ≥ 210, enumerated; size 3
    // with 12: 760 × 0.260 = 197 < 910, so the remaining 760 are drawn from sizes 3 to 7.
    const plan = kernelShapPlan(15, 1000, 7);
    expect(plan.enumerated).toEqual([
      { size: 1, start: 0, end: 15 },
      { size: 2, start: 15, end: 120 },
    ]);
    expect(plan.exact).toBe(false);
    const masks = plan.groups.flatMap((g) => g.masks);
    expect(masks).toHaveLength(1000);
    expect(new Set(masks.map((m) => m.join(''))).size).toBe(1000);
    for (const group of plan.groups) {
      expect(group.masks).toHaveLength(2);
      const [a, b] = group.masks;
      expect([...a!].map((x, i) => x + b![i]!)).toEqual(new Array(15).fill(1));
    }
    const drawnSizes = plan.groups.slice(plan.drawnFrom).map((g) => Math.min(sum([...g.masks[0]!]), 15 - sum([...g.masks[0]!])));
    expect(Math.min(...drawnSizes)).toBe(3);
    expect(Math.max(...drawnSizes)).toBe(7);
    // The kernel weights of what was evaluated sum to 1, whole or cut short.
    expect(sum(planWeights(plan, plan.groups.length).map((w) => w.weight))).toBeCloseTo(1, 12);
    expect(sum(planWeights(plan, 200).map((w) => w.weight))).toBeCloseTo(1, 12);
    expect(sum(planWeights(plan, 7).map((w) => w.weight))).toBeCloseTo(1, 12);
    // The same seed, the same plan; another seed draws others.
    expect(kernelShapPlan(15, 1000, 7).groups).toEqual(plan.groups);
    expect(kernelShapPlan(15, 1000, 8).groups).not.toEqual(plan.groups);
  });
});

const TEXT = 'my card still has not arrived please check the fee exchange refund';
const WEIGHTS = { card: 1.6, arrived: 1.1, still: 0.6, my: 0.2, please: -0.3, fee: -0.8, exchange: -1.3, refund: -1.9 };

/** A two-class model of word presence: p(target) = 0.2·[card] + 0.3·[lost] + 0.4·[card and lost] + 0.05. */
const cardLost: PredictFn = async (texts) =>
  texts.map((text) => {
    const words = new Set(wordSpans(text, 'en').map((w) => w.text));
    const p = 0.05 + 0.2 * +words.has('card') + 0.3 * +words.has('lost') + 0.4 * +(words.has('card') && words.has('lost'));
    return [1 - p, p];
  });

describe('SHAP on the words of a message', () => {
  it('gives each word its Shapley value of p(target), removing words as LIME does', async () => {
    const text = 'I lost my card, help';
    const words = wordSpans(text, 'en');
    const e = await shapExplainer.explain({ text, words, predict: cardLost, labels: ['other', 'lost_card'], target: 1 }, { seed: 1 });
    const score = (w: string) => e.scores![words.findIndex((x) => x.text === w)]!;
    expect(score('card')).toBeCloseTo(0.4, 12);
    expect(score('lost')).toBeCloseTo(0.5, 12);
    for (const w of ['I', 'my', 'help']) expect(score(w)).toBeCloseTo(0, 12);
    expect(e.extra).toMatchObject({ exact: true, samples: 30, stoppedByBudget: false });
    expect(e.extra.fx).toBeCloseTo(0.95, 12);
    expect(e.extra.baseValue).toBeCloseTo(0.05, 12);
    expect(e.target).toEqual({ index: 1, label: 'lost_card', probability: e.extra.fx });
    // 2^5 coalitions, each its own text.
    expect(e.extra.distinctTexts).toBe(32);
  });

  it('adds up: Σφ = f(x) − f(∅) within 1e-6, exact and sampled; the same seed gives the same output, another seed other values', async () => {
    const model = binary(WEIGHTS, 0.2);
    const input = await inputFor(model, TEXT, 1);
    expect(input.words.length).toBe(12);
    const exact = await shapExplainer.explain(input, { exactUpTo: 12, timeBudgetMs: null });
    const sampled = await shapExplainer.explain(input, { samples: 600, seed: 5, timeBudgetMs: null });
    expect(exact.extra.exact).toBe(true);
    expect(sampled.extra.exact).toBe(false);
    for (const e of [exact, sampled]) {
      expect(Math.abs(sum(e.scores!) - (e.extra.fx! - e.extra.baseValue!))).toBeLessThan(1e-6);
      expect(e.extra.additivityGap).toBeLessThan(1e-6);
      const [[full], [none]] = [await model.predict([TEXT]), await model.predict([textWithWords(TEXT, input.words, input.words.map(() => false))])];
      expect(e.extra.fx).toBeCloseTo(full![1]!, 12);
      expect(e.extra.baseValue).toBeCloseTo(none![1]!, 12);
    }
    // The linear model's words in order: the strongest for the target first, the most against last.
    const byScore = input.words.map((w, i) => [exact.scores![i]!, w.text] as const).sort((a, b) => b[0] - a[0]);
    expect(byScore[0]![1]).toBe('card');
    expect(byScore.at(-1)![1]).toBe('refund');

    const again = await shapExplainer.explain(input, { samples: 600, seed: 5, timeBudgetMs: null });
    expect({ ...again, timing: null }).toEqual({ ...sampled, timing: null });
    const other = await shapExplainer.explain(input, { samples: 600, seed: 6, timeBudgetMs: null });
    expect(other.scores).not.toEqual(sampled.scores);
  });

  it('under a time budget: an enumeration that does not fit becomes sampling, says so, and still adds up', async () => {
    const model = binary(WEIGHTS, 0.2);
    const base = await inputFor(model, 'my card still has not arrived please check the fee', 1);
    expect(base.words.length).toBe(10);
    const input = { ...base, predict: delayed(model.predict, 10) };
    const cut = await shapExplainer.explain(input, { timeBudgetMs: 150, minSamples: 60, batchSize: 16 });
    expect(cut.extra.exact).toBe(false);
    expect(cut.extra.stoppedByBudget).toBe(true);
    expect(cut.extra.samples).toBeGreaterThanOrEqual(60);
    expect(cut.extra.samples).toBeLessThan(1022);
    expect(cut.extra.additivityGap).toBeLessThan(1e-9);
    expect(cut.settings).toMatchObject({ timeBudgetMs: 150, minSamples: 60 });
    // However short the budget, the floor is kept.
    const floor = await shapExplainer.explain(input, { samples: 2000, exactUpTo: 0, timeBudgetMs: 1, minSamples: 120, batchSize: 16 });
    expect(floor.extra.samples).toBeGreaterThanOrEqual(120);
    expect(floor.extra.samples).toBeLessThan(2000);
    expect(floor.extra.stoppedByBudget).toBe(true);
  });
});

describe('SHAP in the panel', () => {
  it('is a word-scoring method that runs before LIME, and the server and the panel take it by derivation', async () => {
    expect(EXPLAINERS.map((d) => d.method).slice(-2)).toEqual(['shap', 'lime']);
    expect(WORD_SCORING_METHODS).toContain('shap');
    expect(PANEL_ORDER.indexOf('shap')).toBeLessThan(PANEL_ORDER.indexOf('counterfactual'));
    const model = synthetic(['card_arrival', 'card_delivery_estimate'], { card: [1.5, 0], arrived: [1, -0.5], when: [0, 0.8] });
    const text = 'my card 4111 1111 1111 1111 never arrived, when?';
    const input = await inputFor(model, text, 0);
    const [shap] = await explainAll(input, { methods: ['shap'] });
    expect(shap!.method).toBe('shap');
    expect(shap!.faithfulness?.comprehensiveness).toHaveLength(4);
    const posted = explanationSchema.parse(JSON.parse(JSON.stringify(shap)));
    const fit = fitExplanation(posted, 'my card •••• •••• •••• •••• never arrived, when?', bundledFacts());
    if (!fit.ok) throw new Error(fit.problem);
    expect(fit.explanation.words[2]!.text).toBe('••••');
    expect(fit.explanation.scores).toEqual(shap!.scores);
    const read = readExplanation(fit.explanation);
    expect(read.ok && read.value.explanation.method === 'shap' && read.value.explanation.extra.exact).toBe(true);
  });

  it('shares the run budget with LIME, says what it dropped, and the run ends within the budget plus one batch', async () => {
    const model = binary(WEIGHTS, 0.5);
    const batchMs = 10;
    const calls: number[] = [];
    const slow: PredictFn = async (texts) => {
      const t = performance.now();
      const out = await delayed(model.predict, batchMs)(texts);
      calls.push(performance.now() - t);
      return out;
    };
    const input = { ...(await inputFor(model, TEXT, 1)), predict: slow };
    const timed = async (budgetMs: number, settings: ExplainAllOptions['settings']) => {
      const skipped: string[] = [];
      const progress: string[] = [];
      calls.length = 0;
      const t = performance.now();
      const out = await explainAll(input, { budgetMs, batchSize: 8, settings, onSkip: (s) => skipped.push(`${s.method}: ${s.reason}`) }, (done, total, method) => progress.push(`${done}/${total} ${method}`));
      return { out, skipped, progress, ms: performance.now() - t, slowestBatch: Math.max(...calls) };
    };

    // Enough for both: each gets its share, stops when it is spent, and says how far it got.
    const both = await timed(600, { shap: { samples: 5000, minSamples: 40 }, lime: { samples: 5000, minSamples: 40 } });
    expect(both.skipped).toEqual([]);
    const byMethod = Object.fromEntries(both.out.map((e) => [e.method, e])) as Record<string, Explanation>;
    const shap = byMethod.shap!;
    const lime = byMethod.lime!;
    if (shap.method !== 'shap' || lime.method !== 'lime') throw new Error('SHAP and LIME should both have run');
    expect(shap.extra.stoppedByBudget).toBe(true);
    expect(shap.extra.samples).toBeLessThan(5000);
    expect(lime.extra.stoppedByBudget).toBe(true);
    expect(lime.extra.samples).toBeLessThan(5000);
    const shapBudget = (shap.settings as { timeBudgetMs: number }).timeBudgetMs;
    const limeBudget = (lime.settings as { timeBudgetMs: number }).timeBudgetMs;
    // SHAP got half of what was left; LIME what SHAP left.
    expect(shapBudget).toBeLessThan(300);
    expect(limeBudget).toBeGreaterThan(0);
    expect(both.ms).toBeLessThanOrEqual(600 + both.slowestBatch);

    // Too little left for SHAP's floor: it is dropped and said so; LIME still runs.
    const tight = await timed(90, { shap: { minSamples: 400 } });
    expect(tight.skipped).toEqual(['shap: time budget']);
    expect(tight.out.map((e) => e.method)).toEqual(['occlusion', 'counterfactual', 'lime']);
    expect(tight.progress).toEqual(['1/4 occlusion', '2/4 counterfactual', '3/4 shap', '4/4 lime']);
  });
});

// Messages of more than 10 words, so SHAP samples rather than enumerating, written for this test.
const LONG_MESSAGES = [
  'I was charged twice for the same coffee this morning, please refund one',
  'Why is there an extra fee for the transfer I made last week?',
  'My top up with my credit card keeps getting declined, what is wrong?',
  'How long does a transfer from another country take to reach my account?',
  'Someone I do not know made purchases with my card, please block it',
  'What exchange rate do you use when I pay in euros abroad?',
  'I forgot my passcode and now I cannot get into the app at all',
  'The cash machine kept my card after I typed my pin this morning',
  'I would like to close my account and move the money to another bank',
  'My salary should have arrived yesterday but it is still not in my balance',
];

const topThree = (scores: readonly number[]) =>
  scores
    .map((s, i) => [s, i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, 3)
    .map(([, i]) => i);

describe('SHAP on the demo model (public/models/banking77)', () => {
  let model: IntentModel;
  beforeAll(async () => {
    model = await loadModelFromDir(path.resolve(import.meta.dirname, '..', '..', 'public', 'models', 'banking77'));
  });
  afterAll(async () => {
    await model?.dispose();
  });

  const inputOf = async (text: string) => {
    const [p] = await model.predict([text]);
    return { text, words: wordSpans(text, model.locale), predict: model.predict, labels: model.labels, target: p!.indexOf(Math.max(...p!)) };
  };

  it('adds up on a short message (exact) and a long one (sampled), and sampling is close to the exact values', async () => {
    const short = await shapExplainer.explain(await inputOf("My card still hasn't arrived, when will it come?"), { timeBudgetMs: null });
    expect(short.extra.exact).toBe(true);
    const text = 'I was charged twice for the same coffee this morning, please refund one';
    const input = await inputOf(text);
    expect(input.words.length).toBe(13);
    const sampled = await shapExplainer.explain(input, { timeBudgetMs: null });
    expect(sampled.extra.exact).toBe(false);
    expect(sampled.extra.samples).toBe(shapExplainer.defaults.samples);
    for (const e of [short, sampled]) {
      expect(Math.abs(sum(e.scores!) - (e.extra.fx! - e.extra.baseValue!))).toBeLessThan(1e-6);
      expect(e.extra.fx).toBeCloseTo(e.target.probability, 12);
    }
    // All 8,190 coalitions of the 13 words: the exact values the sample estimates.
    const exact = await shapExplainer.explain(input, { exactUpTo: 13, timeBudgetMs: null });
    expect(exact.extra.exact).toBe(true);
    const rmse = Math.sqrt(sum(exact.scores!.map((v, i) => (v - sampled.scores![i]!) ** 2)) / input.words.length);
    // Measured: about 0.007 at 1,000 samples on messages of 13–15 words.
    expect(rmse).toBeLessThan(0.02);
  });

  it(
    'keeps its top three words over 10 seeds (mean overlap ≥ 0.95) at the sample count the panel uses',
    async () => {
      // The panel runs SHAP with its defaults: 1,000 samples are the fewest that reach 0.95 on
      // these messages (0.953; 0.919 at 400). More do not help much: what moves between seeds
      // then are words whose values tie within 0.005 (bench/explain, stability).
      const perMessage: number[] = [];
      for (const text of LONG_MESSAGES) {
        // The model is deterministic: one cache per message across the seeds changes no result.
        const input = { ...(await inputOf(text)), predict: cachedPredict(model.predict).predict };
        expect(input.words.length).toBeGreaterThan(10);
        const tops: number[][] = [];
        for (let seed = 0; seed < 10; seed++) {
          const e = await shapExplainer.explain(input, { seed, timeBudgetMs: null });
          expect(e.extra.exact).toBe(false);
          tops.push(topThree(e.scores!));
        }
        const overlaps: number[] = [];
        for (let a = 0; a < 10; a++) for (let b = a + 1; b < 10; b++) overlaps.push(tops[a]!.filter((i) => tops[b]!.includes(i)).length / 3);
        perMessage.push(sum(overlaps) / overlaps.length);
      }
      expect(sum(perMessage) / perMessage.length).toBeGreaterThanOrEqual(0.95);
    },
    240_000,
  );
});
