// The server fits posted explanations to the stored message: it cuts the stored (masked) text
// into word units in the bot's language, and what it stores is what the panel showed.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redact } from '@/lib/bot/redact';
import { explainAll } from '@/lib/explain';
import type { Explanation } from '@/lib/explain/types';
import { fitExplanation, storedWords } from '@/lib/ingest/fit-explanation';
import { IntentModel } from '@/lib/model/model';
import { loadModelFromDir, readSimilarIndex } from '@/lib/model/node';
import { wordSpans } from '@/lib/model/spans';
import type { WordSpan } from '@/lib/model/types';
import { bundledFacts } from '../support/turns';

const dir = path.resolve(import.meta.dirname, '..', '..', 'public', 'models', 'banking77');

let base: IntentModel;
beforeAll(async () => {
  base = await loadModelFromDir(dir);
});
afterAll(async () => {
  await base?.dispose();
});

/** What the browser's worker makes for `text` with the demo model read as a bot of `language`. */
async function shown(text: string, language: string): Promise<Explanation[]> {
  const model = new IntentModel(base.tokenizer, base.model, { ...base.card!, language });
  const analysis = await model.analyse(text);
  const similar = readSimilarIndex(dir, model.labels);
  return explainAll(
    { text, words: analysis.words, predict: model.predict, labels: model.labels, target: analysis.top, analysis, similar: similar ? (e, k) => similar.search(e, k) : undefined },
    { settings: { lime: { samples: 120, seed: 5 } } },
  );
}

const factsIn = (language: string) => ({ ...bundledFacts(), language });

/** Every explanation fitted to the stored text, or the first problem. */
function fitAll(explanations: readonly Explanation[], storedText: string, language: string): Explanation[] {
  return explanations.map((explanation) => {
    const fit = fitExplanation(explanation, storedText, factsIn(language));
    if (!fit.ok) throw new Error(`${explanation.method}: ${fit.problem}`);
    return fit.explanation;
  });
}

const spans = (words: readonly WordSpan[]) => words.map(({ start, end }) => [start, end]);

describe('stored explanations equal what the panel showed', () => {
  it.each([
    ['Chinese', '我的卡丢了，怎么办？', 'zh'],
    ['mixed', '我的visa卡被吞了', 'zh'],
    ['Japanese', 'カードをなくしました', 'ja'],
    ['Thai', 'บัตรของฉันหาย', 'th'],
    ['English', "My card still hasn't arrived, when will it come?", 'en'],
  ])('%s text', async (_, text, language) => {
    const explanations = await shown(text, language);
    expect(explanations[0]!.words.length).toBeGreaterThan(2);
    expect(fitAll(explanations, text, language)).toEqual(explanations);
  });

  it.each([
    ['a card number in Chinese text', '我的卡4111 1111 1111 1111被吞了', 'zh'],
    ['an e-mail address that mixes letters and digits around dots', 'please write to j.smith1975.x@mail.example.com about my card', 'en'],
    ['an IBAN and a phone number', 'send it to DE89 3704 0044 0532 0130 00 or call +44 20 7946 0958', 'en'],
  ])('text with %s: the same units at the same offsets, masked', async (_, text, language) => {
    const storedText = redact(text).text;
    expect(storedText).not.toBe(text);
    const explanations = await shown(text, language);
    const fitted = fitAll(explanations, storedText, language);
    fitted.forEach((stored, i) => {
      const posted = explanations[i]!;
      expect(spans(stored.words)).toEqual(spans(posted.words));
      expect(stored.words.map((w) => w.text)).toEqual(posted.words.map((w) => storedText.slice(w.start, w.end)));
      expect(stored.scores).toEqual(posted.scores);
      expect(stored.faithfulness).toEqual(posted.faithfulness);
    });
    // Nothing of the personal data is stored in any string (words, tokens, texts).
    const strings = JSON.stringify(fitted, (_, value: unknown) => (typeof value === 'number' ? 0 : value));
    for (const secret of ['4111', 'smith', '1975', '3704', '7946']) expect(strings).not.toContain(secret);
  });
});

describe('the words the server takes', () => {
  const text = 'card 4111 1111 1111 1111 was eaten';
  const storedText = redact(text).text;
  const words = wordSpans(text, 'en');

  it('derives them from the stored text in the bot language, and refuses others far from masked characters', () => {
    expect(storedWords(words, storedText, 'en')).toEqual({ ok: true, words: words.map((w) => ({ ...w, text: storedText.slice(w.start, w.end) })) });
    const whitespaceWords = [...text.matchAll(/\S+/g)].map((m) => ({ text: m[0], start: m.index, end: m.index + m[0].length }));
    const chinese = '我的卡丢了怎么办';
    // Split on whitespace, Chinese is one word: not the message's units.
    expect(storedWords([{ text: chinese, start: 0, end: 8 }], chinese, 'zh')).toMatchObject({ ok: false, problem: expect.stringContaining('1 words posted, but the message has 6') });
    // Without punctuation, whitespace words are the units; leaving out words far from the masked ones is refused.
    expect(storedWords(whitespaceWords, storedText, 'en').ok).toBe(true);
    expect(storedWords(whitespaceWords.slice(0, 5), storedText, 'en')).toMatchObject({ ok: false, problem: expect.stringContaining('5 words posted, but the message has 7') });
    const eaten = words.findIndex((w) => w.text === 'eaten');
    expect(storedWords(words.map((w, i) => (i === eaten ? { ...w, start: w.start + 1, text: 'aten' } : w)), storedText, 'en')).toMatchObject({ ok: false });
  });

  it('near masked characters takes the posted cut, but never one that leaves a unit out, spans whitespace or runs backwards', () => {
    // Left out: the masked first group.
    expect(storedWords(words.filter((w) => w.start !== 5), storedText, 'en')).toMatchObject({ ok: false, problem: expect.stringContaining('lies in no posted word') });
    // One "word" over two groups and the space between them.
    const joined = [words[0]!, { text: '4111 1111', start: 5, end: 14 }, ...words.slice(3)];
    expect(storedWords(joined, storedText, 'en')).toMatchObject({ ok: false, problem: expect.stringContaining('holds whitespace') });
    const backwards = [words[0]!, words[2]!, words[1]!, ...words.slice(3)];
    expect(storedWords(backwards, storedText, 'en')).toMatchObject({ ok: false, problem: expect.stringContaining('not a word after the one before it') });
    // Cut differently inside a masked group: taken, with the stored text.
    const split = [words[0]!, { text: '41', start: 5, end: 7 }, { text: '11', start: 7, end: 9 }, ...words.slice(2)];
    expect(storedWords(split, storedText, 'en')).toMatchObject({ ok: true, words: expect.arrayContaining([{ text: '••', start: 5, end: 7 }]) });
  });

  it('stays fast on hostile input: masked characters and words everywhere', () => {
    const hostile = 'a@b.de '.repeat(285);
    const masked = redact(hostile).text;
    expect(masked).toContain('•');
    const posted = wordSpans(hostile, 'en');
    const t0 = performance.now();
    const fit = storedWords(posted, masked, 'en');
    const ms = performance.now() - t0;
    expect(fit.ok).toBe(true);
    expect(ms).toBeLessThan(500);
    // Alternating one-character units glued by '.', every other one masked.
    const glued = Array.from({ length: 1000 }, (_, i) => (i % 2 ? '•' : 'x')).join('.').slice(0, 2000);
    const units = Array.from(glued.matchAll(/[^.]/g), (m) => ({ text: m[0], start: m.index, end: m.index + 1 }));
    const t1 = performance.now();
    storedWords(units, glued, 'en');
    expect(performance.now() - t1).toBeLessThan(500);
  });
});
