// The explainers on unspaced and mixed scripts: word units from the bot's language, whole
// units removed by every perturbation, scores per unit, offsets that cut the units out of the
// text. Once through the real demo model (it reads English, so its answers on these texts mean
// little, but its tokens, attentions and predictions are the real ones), once through a known
// bag-of-units model whose true weights the scores must follow.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { explainAll } from '@/lib/explain';
import { counterfactualExplainer, type CounterfactualExtra } from '@/lib/explain/counterfactual';
import { evaluateFaithfulness } from '@/lib/explain/faithfulness';
import { limeExplainer } from '@/lib/explain/lime';
import { occlusionExplainer } from '@/lib/explain/occlusion';
import { removeWords } from '@/lib/explain/perturb';
import type { Explanation } from '@/lib/explain/types';
import { explanationSummary, topWordsByMethod } from '@/lib/ingest/explanation-summary';
import { IntentModel } from '@/lib/model/model';
import { loadModelFromDir } from '@/lib/model/node';
import { wordSpans } from '@/lib/model/spans';
import type { WordSpan } from '@/lib/model/types';
import { topWords } from '@/lib/ui/explain/format';
import { synthetic } from './support/synthetic';

const dir = path.resolve(import.meta.dirname, '..', '..', 'public', 'models', 'banking77');

const SCRIPTS = [
  { name: 'Chinese', locale: 'zh', text: '我的卡丢了怎么办', units: ['我的', '卡', '丢', '了', '怎么', '办'] },
  { name: 'Japanese', locale: 'ja', text: 'カードをなくしました', units: ['カード', 'を', 'なく', 'しま', 'した'] },
  { name: 'Thai', locale: 'th', text: 'บัตรของฉันหาย', units: ['บัตร', 'ของ', 'ฉัน', 'หาย'] },
  { name: 'mixed', locale: 'zh', text: '我的visa卡被吞了', units: ['我的', 'visa', '卡', '被', '吞了'] },
] as const;

/**
 * Whether `perturbed` is `text` with some of its units removed and nothing else changed (these
 * texts have no characters between units): a concatenation of a subsequence of the units.
 */
function removesWholeUnits(perturbed: string, text: string, words: readonly WordSpan[]): boolean {
  const from = (i: number, at: number): boolean => {
    if (at === perturbed.length) return true;
    if (i === words.length) return false;
    const unit = text.slice(words[i]!.start, words[i]!.end);
    return (perturbed.startsWith(unit, at) && from(i + 1, at + unit.length)) || from(i + 1, at);
  };
  return from(0, 0);
}

describe.each(SCRIPTS)('every explainer on $name text, through the demo model', ({ locale, text, units }) => {
  let base: IntentModel;
  let model: IntentModel;
  beforeAll(async () => {
    base = await loadModelFromDir(dir);
    // The same model, read as a bot of this language (its card says so).
    model = new IntentModel(base.tokenizer, base.model, { ...base.card!, language: locale });
  });
  afterAll(async () => {
    await base?.dispose();
  });

  it('scores each word unit, removes whole units, and keeps the offsets on the text', async () => {
    const analysis = await model.analyse(text);
    expect(analysis.words).toEqual(wordSpans(text, locale));
    expect(analysis.words.map((w) => w.text)).toEqual(units);
    for (const w of analysis.words) expect(text.slice(w.start, w.end)).toBe(w.text);

    const seen: string[] = [];
    const predict = async (texts: string[]) => {
      seen.push(...texts);
      return model.predict(texts);
    };
    const all: Explanation[] = await explainAll(
      { text, words: analysis.words, predict, labels: model.labels, target: analysis.top, analysis },
      { settings: { lime: { samples: 200, seed: 3 } } },
    );
    expect(all.map((e) => e.method)).toEqual(['attention', 'rollout', 'occlusion', 'counterfactual', 'shap', 'lime']);
    for (const e of all) {
      expect(e.words).toEqual(analysis.words);
      if (e.scores) {
        expect(e.scores).toHaveLength(units.length);
        for (const s of e.scores) expect(Number.isFinite(s)).toBe(true);
        expect(e.faithfulness?.comprehensiveness.map((c) => c.k)).toEqual(['1', '2', '3', '20%']);
        expect(Number.isFinite(e.faithfulness!.deletionAuc)).toBe(true);
      }
    }
    // Every text the model was asked about is the message with whole units taken out.
    expect(seen.length).toBeGreaterThan(units.length);
    for (const perturbed of seen) expect(removesWholeUnits(perturbed, text, analysis.words), perturbed).toBe(true);

    // Occlusion's figures are the model's on the text without each unit.
    const occlusion = all.find((e) => e.method === 'occlusion')!;
    const without = await model.predict(analysis.words.map((_, i) => removeWords(text, analysis.words, [i])));
    const extra = occlusion.extra as { without: number[] };
    extra.without.forEach((p, i) => expect(p).toBeCloseTo(without[i]![analysis.top]!, 5));

    // Attention is summed into units by character overlap: every token's weight lands in the units.
    const attention = all.find((e) => e.method === 'attention')!;
    expect(attention.scores!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    const counterfactual = all.find((e) => e.method === 'counterfactual')!.extra as CounterfactualExtra;
    expect(counterfactual.text).toBe(removeWords(text, analysis.words, counterfactual.removed ?? []));
    expect(counterfactual.removedWords).toEqual((counterfactual.removed ?? []).map((i) => units[i]));
  });

  it('splits the attention on an [UNK] that stands for a whole run among its units by their characters', async () => {
    const analysis = await model.analyse(text);
    const inner = analysis.tokens.filter((t) => !t.special || t.token === '[UNK]').filter((t) => t.span);
    const whole = inner.find((t) => t.span!.start === 0 && t.span!.end === text.length);
    if (!whole) {
      // Chinese and mixed text: one token (or more) per Han character and per Latin piece, each in one unit.
      for (const t of inner) expect(t.wordShares).toHaveLength(1);
      return;
    }
    // Japanese and Thai: the English model reads the run as a single [UNK].
    const [attention] = await explainAll({ text, words: analysis.words, predict: model.predict, labels: model.labels, target: analysis.top, analysis }, { methods: ['attention'], faithfulness: false });
    const lengths = analysis.words.map((w) => w.end - w.start);
    const total = lengths.reduce((a, b) => a + b, 0);
    attention!.scores!.forEach((s, i) => expect(s).toBeCloseTo(lengths[i]! / total, 6));
  });
});

describe('the explainers against a known bag-of-units model', () => {
  // Weights per unit (as the Chinese segmenter cuts the text); the target is class 1.
  const weights: Record<string, number[]> = { 卡: [0, 2.0], 吞了: [0, 1.2], 被: [0, 0.3], visa: [0, -0.6] };
  const text = '我的visa卡被吞了';

  async function inputOf() {
    const model = synthetic(['other', 'card_swallowed'], weights, [0, -1], 'zh');
    const words = wordSpans(text, 'zh');
    return { model, input: { text, words, predict: model.predict, labels: model.labels, target: 1 } };
  }

  it('LIME, occlusion and faithfulness follow the true weights of the units', async () => {
    const { input } = await inputOf();
    const truth = input.words.map((w) => weights[w.text]?.[1] ?? 0);
    const occlusion = await occlusionExplainer.explain(input);
    const lime = await limeExplainer.explain(input, { samples: 500, seed: 1 });
    for (const e of [occlusion, lime]) {
      expect(e.scores).toHaveLength(5);
      const order = e.scores!.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]).map(([, i]) => input.words[i]!.text);
      expect(order[0]).toBe('卡');
      expect(order[1]).toBe('吞了');
      expect(order.at(-1)).toBe('visa');
      truth.forEach((t, i) => {
        if (t !== 0) expect(Math.sign(e.scores![i]!)).toBe(Math.sign(t));
      });
    }
    const faithfulness = await evaluateFaithfulness(input, occlusion.scores!);
    // Taking out 卡 (the strongest unit) lowers p(target) by what the weights say.
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    const full = sig(-1 + 2.0 + 1.2 + 0.3 - 0.6);
    expect(faithfulness.comprehensiveness[0]).toEqual({ k: '1', value: expect.closeTo(full - sig(-1 + 1.2 + 0.3 - 0.6), 12) });
    // Only 卡: every other unit's weight is gone.
    expect(faithfulness.sufficiency[0]).toEqual({ k: '1', value: expect.closeTo(full - sig(-1 + 2.0), 12) });
  });

  it('the counterfactual removes whole units and the summary names them', async () => {
    const { input } = await inputOf();
    const e = await counterfactualExplainer.explain(input);
    const extra = e.extra as CounterfactualExtra;
    expect(extra.found).toBe(true);
    expect(extra.removedWords).toEqual(['卡']);
    expect(extra.text).toBe('我的visa被吞了');

    const all = await explainAll(input, { methods: ['occlusion', 'lime'], settings: { lime: { samples: 500, seed: 1 } } });
    expect(topWords(all.find((x) => x.method === 'lime'), 2).map((w) => w.word)).toEqual(['卡', '吞了']);
    const index = input.words.findIndex((w) => w.text === '卡');
    expect([...topWordsByMethod(all as never).values()]).toEqual([index, index]);
    expect(explanationSummary(all as never)).toEqual({ minFaithfulness: expect.any(Number), methodsDisagree: false });
  });
});
