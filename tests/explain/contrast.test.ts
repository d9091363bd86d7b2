// "Why this, and not that?": the margin's Shapley values, the smallest change that makes the
// model choose the other intent, on a model where the answer is known and on the demo model, and
// the server taking it (its fit hook) with the change rebuilt from the stored message.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { redact } from '@/lib/bot/redact';
import { applicableMethods, contrastExplainer, EXPLAINERS, explainAll, removeWords, WORD_SCORING_METHODS } from '@/lib/explain';
import { fitExplanation } from '@/lib/ingest/fit-explanation';
import type { IntentModel } from '@/lib/model/model';
import { loadModelFromDir } from '@/lib/model/node';
import { wordSpans } from '@/lib/model/spans';
import { explanationSchema, type ExplanationRecord } from '@/lib/records/explanation';
import { readExplanation, withView } from '@/lib/ui/explain/parse';
import { bundledFacts } from '../support/turns';
import { inputFor, synthetic } from './support/synthetic';

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const argmax = (xs: readonly number[]) => xs.indexOf(Math.max(...xs));

// "refund" decides between the two intents: without it, "order" makes it a cancellation.
const model = () =>
  synthetic(['refund_request', 'cancel_order', 'other'], { refund: [3, 0, 0], order: [0.5, 1.5, 0], cancel: [0, 2, 0], please: [0.1, 0.1, 0] }, [0, 0, 0.5]);
const TEXT = 'please refund my order now';

describe('the contrast between the answer and another intent', () => {
  it('ranks the deciding word first, and the smallest change is removing it', async () => {
    const m = model();
    const input = { ...(await inputFor(m, TEXT, 0)), versus: 1 };
    const e = await contrastExplainer.explain(input, { timeBudgetMs: null });
    const words = input.words.map((w) => w.text);
    const ranked = e.scores!.map((s, i) => [s, words[i]] as const).sort((a, b) => b[0] - a[0]);
    expect(ranked[0]![1]).toBe('refund');
    // "order" favours the cancellation: it counts against the answer in this contrast.
    expect(e.scores![words.indexOf('order')]).toBeLessThan(0);
    expect(e.extra.change).toMatchObject({ removedWords: [words.indexOf('refund')], newTop: 'cancel_order' });
    expect(e.extra.change!.marginAfter).toBeLessThan(0);
    expect(e.extra.smallest).toBe(true);
    expect(e.extra).toMatchObject({ versus: 'cancel_order', versusIndex: 1, exact: true });
    const [changed] = await m.predict([removeWords(TEXT, input.words, e.extra.change!.removedWords)]);
    expect(argmax(changed!)).toBe(1);
    expect(e.extra.change!.newTopProbability).toBeCloseTo(changed![1]!, 12);
    expect(e.target).toMatchObject({ index: 0, label: 'refund_request' });
  });

  it('adds up: the scores sum to the margin on the message minus the margin with no word, exact and sampled', async () => {
    const m = synthetic(['a', 'b', 'c'], { card: [1.2, 0.1, 0], lost: [0.4, 1.5, 0], fee: [-0.5, 0.3, 0.2], please: [0.1, 0, 0], stolen: [0.2, 1.1, 0] });
    const text = 'please my card was lost or stolen and there is a fee for it';
    const input = { ...(await inputFor(m, text, 0)), versus: 1 };
    expect(input.words.length).toBe(14);
    const [p] = await m.predict([text]);
    const [none] = await m.predict([removeWords(text, input.words, input.words.map((_, i) => i))]);
    for (const settings of [{ exactUpTo: 14 }, { samples: 800, exactUpTo: 0 }]) {
      const e = await contrastExplainer.explain(input, { ...settings, timeBudgetMs: null });
      expect(e.extra.exact).toBe(settings.exactUpTo === 14);
      expect(e.extra.margin).toBeCloseTo(p![0]! - p![1]!, 12);
      expect(e.extra.baseMargin).toBeCloseTo(none![0]! - none![1]!, 12);
      expect(Math.abs(sum(e.scores!) - (e.extra.margin! - e.extra.baseMargin!))).toBeLessThan(1e-6);
      expect(e.extra.additivityGap).toBeLessThan(1e-6);
    }
  });

  it('says when no change was found within its tries, and refuses a versus that is the answer or no class', async () => {
    // Nothing but "lost" speaks for b, and it is not in the message: no removal makes it the answer.
    const m = synthetic(['a', 'b', 'c'], { card: [2, 0, 0], fee: [0, 0, 1.5], lost: [0, 3, 0] }, [0, -1, 0]);
    const input = { ...(await inputFor(m, 'my card has a fee', 0)), versus: 1 };
    const e = await contrastExplainer.explain(input, { timeBudgetMs: null });
    expect(e.extra.change).toBeNull();
    expect(e.extra.smallest).toBe(false);
    expect(e.extra.exhaustiveUpTo).toBe(3);
    // 5 words: 5 + 10 + 10 sets of up to 3 words, and the greedy path's sets of 4 and 5 words.
    expect(input.words).toHaveLength(5);
    expect(e.extra.tried).toBe(27);
    await expect(contrastExplainer.explain({ ...input, versus: 0 })).rejects.toThrow(/versus is the target/);
    await expect(contrastExplainer.explain({ ...input, versus: 7 })).rejects.toThrow(/not a class index/);
  });

  it('runs only when asked for with a versus; it is not word-scoring, so it gets no faithfulness', async () => {
    const m = model();
    const input = await inputFor(m, TEXT, 0);
    expect(applicableMethods(input)).not.toContain('contrast');
    expect(applicableMethods({ ...input, versus: 1 })).toContain('contrast');
    expect(WORD_SCORING_METHODS).not.toContain('contrast');
    expect(EXPLAINERS.find((d) => d.method === 'contrast')!.view).toBe('contrast');
    expect((await explainAll(input)).map((e) => e.method)).not.toContain('contrast');
    const [contrast] = await explainAll({ ...input, versus: 1 }, { methods: ['contrast'], budgetMs: 2000 });
    expect(contrast!.method).toBe('contrast');
    expect(contrast!.faithfulness).toBeUndefined();
    expect(contrast!.scores).toHaveLength(input.words.length);
    expect((contrast!.settings as { timeBudgetMs: number }).timeBudgetMs).toBeLessThanOrEqual(2000);
    const read = readExplanation(JSON.parse(JSON.stringify(contrast)));
    if (!read.ok) throw new Error(read.reason);
    expect(withView([read.value.explanation], 'contrast')?.extra.versus).toBe('cancel_order');
  });
});

describe('a stored contrast (the fit hook)', () => {
  const bot = bundledFacts();
  const CARD = '4111 1111 1111 1111';
  const text = `my card ${CARD} still has not arrived`;
  const stored = redact(text).text;
  const words = wordSpans(text, 'en');
  const posted = (extra: Record<string, unknown>): ExplanationRecord =>
    explanationSchema.parse({
      method: 'contrast',
      version: 1,
      target: { index: 0, label: 'card_arrival', probability: 0.9 },
      settings: { samples: 1000, seed: 42 },
      words,
      scores: words.map((_, i) => i / 10),
      extra,
      timing: { ms: 1, forwardPasses: 1 },
    });
  const fit = (extra: Record<string, unknown>) => fitExplanation(posted(extra), stored, bot);

  it('rebuilds the change from the stored words: the indices name stored words, sorted; the versus index is its label’s', () => {
    const result = fit({ versus: 'card_delivery_estimate', versusIndex: 0, margin: 0.5, change: { removedWords: [7, 1], marginAfter: -0.1, newTop: 'card_delivery_estimate' } });
    if (!result.ok) throw new Error(result.problem);
    const e = result.explanation;
    if (e.method !== 'contrast') throw new Error('not a contrast');
    expect(e.extra.versusIndex).toBe(bot.labelIndex.get('card_delivery_estimate'));
    expect(e.extra.change!.removedWords).toEqual([1, 7]);
    // The changed message, from the stored (masked) text and the stored words.
    expect(e.words.map((w) => w.text)).toEqual(['my', 'card', '••••', '••••', '••••', '1111', 'still', 'has', 'not', 'arrived']);
    expect(removeWords(stored, e.words, e.extra.change!.removedWords)).toBe('my •••• •••• •••• 1111 still not arrived');
    expect(e.scores).toHaveLength(words.length);
  });

  it('rejects a versus or a new answer that is not a label of the model, and words the message does not have', () => {
    expect(fit({ versus: 'DE89370400440532013000' })).toMatchObject({ ok: false, problem: expect.stringMatching(/extra\.versus .* is not a label/) });
    expect(fit({ versus: 'card_arrival' })).toMatchObject({ ok: false, problem: expect.stringMatching(/is the explained answer itself/) });
    expect(fit({ versus: 'card_delivery_estimate', change: { removedWords: [1], marginAfter: 0, newTop: 'john_smith' } })).toMatchObject({ ok: false, problem: expect.stringMatching(/newTop .* is not a label/) });
    expect(fit({ versus: 'card_delivery_estimate', change: { removedWords: [10], marginAfter: 0, newTop: 'card_delivery_estimate' } })).toMatchObject({ ok: false, problem: expect.stringMatching(/word 10, but the message has 10 words/) });
    expect(fit({ versus: 'card_delivery_estimate', change: { removedWords: [2, 2], marginAfter: 0, newTop: 'card_delivery_estimate' } })).toMatchObject({ ok: false, problem: expect.stringMatching(/twice/) });
    // Free text cannot ride in the change: the schema keeps indices, numbers and labels only.
    const parsed = posted({ versus: 'card_delivery_estimate', change: { removedWords: [1], marginAfter: 0, newTop: 'card_delivery_estimate', text: CARD } });
    expect(JSON.stringify(parsed.extra)).not.toContain('4111');
  });
});

describe('the contrast on the demo model (public/models/banking77)', () => {
  let intent: IntentModel;
  beforeAll(async () => {
    intent = await loadModelFromDir(path.resolve(import.meta.dirname, '..', '..', 'public', 'models', 'banking77'));
  });
  afterAll(async () => {
    await intent?.dispose();
  });

  it('finds a change that, applied, really makes the model choose the other intent', async () => {
    const text = "My card still hasn't arrived, when will it come?";
    const [p] = await intent.predict([text]);
    const ranked = p!.map((x, i) => [x, i] as const).sort((a, b) => b[0] - a[0]);
    const [target, versus] = [ranked[0]![1], ranked[1]![1]];
    expect(intent.labels[target]).toBe('card_arrival');
    const words = wordSpans(text, intent.locale);
    const e = await contrastExplainer.explain({ text, words, predict: intent.predict, labels: intent.labels, target, versus }, { timeBudgetMs: null });
    expect(e.extra.exact).toBe(true);
    expect(Math.abs(sum(e.scores!) - (e.extra.margin! - e.extra.baseMargin!))).toBeLessThan(1e-6);
    const change = e.extra.change;
    if (!change) throw new Error(`no change found for ${intent.labels[versus]}`);
    expect(change.newTop).toBe(intent.labels[versus]);
    const [after] = await intent.predict([removeWords(text, words, change.removedWords)]);
    expect(argmax(after!)).toBe(versus);
    expect(change.marginAfter).toBeCloseTo(after![target]! - after![versus]!, 6);
    // Every smaller set was tried: none of them would do.
    expect(e.extra.smallest).toBe(true);
    expect(e.extra.exhaustiveUpTo).toBeGreaterThanOrEqual(change.removedWords.length - 1);
  });
});
