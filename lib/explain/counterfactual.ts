// Counterfactual: a smallest set of words whose removal changes the predicted intent, found
// greedily. Each round tries removing every remaining word (one batched call). If some
// removal changes the prediction, the search stops there — taking, among those, the one that
// leaves the target least probable; otherwise the word whose removal lowers p(target) most is
// removed and the next round starts. Checking every candidate for a flip each round means a
// single word that changes the answer is always found; larger sets are greedy, not exhaustive.
import { z } from 'zod';
import { argmax, checkTarget, count, finiteOrNull, labelName, MAX_MESSAGE_CHARS, MAX_WORDS, mergeSettings, misfit, now, targetOf } from './common';
import { defineExplainer, type FitContext, type FitOutcome } from './explainer';
import { cachedPredict, removeWords } from './perturb';

export interface CounterfactualSettings {
  /** Largest set of words to remove. */
  maxRemovals: number;
  batchSize: number;
}

/** What a stored counterfactual's `settings` may hold. */
export const counterfactualSettingsSchema = z.object({ maxRemovals: count(MAX_WORDS).optional(), batchSize: count(100_000).optional() });

/**
 * What a stored counterfactual's `extra` may hold: whether a change of answer was `found`, the
 * words `removed` (indices, sorted) and their text, the text without them, the answer then
 * (`new*`) and p(target) on that text. When `found` is false they describe the last state of
 * the search, or the original text when the target is not the predicted class.
 * `removedWords` and `text` are the visitor's words: the fit hook replaces whatever was posted
 * with what it derives from the stored message and `removed`.
 */
export const counterfactualExtraSchema = z.object({
  found: z.boolean().optional(),
  removed: z.array(count(MAX_WORDS)).max(MAX_WORDS).optional(),
  removedWords: z.array(z.string().max(MAX_MESSAGE_CHARS)).max(MAX_WORDS).optional(),
  text: z.string().max(MAX_MESSAGE_CHARS).optional(),
  newIndex: count(10_000).optional(),
  newLabel: labelName.optional(),
  newProbability: finiteOrNull.optional(),
  targetProbability: finiteOrNull.optional(),
});
export type CounterfactualExtra = z.output<typeof counterfactualExtraSchema>;

const COUNTERFACTUAL_DEFAULTS: CounterfactualSettings = { maxRemovals: 5, batchSize: 64 };

export const counterfactualExplainer = defineExplainer({
  method: 'counterfactual',
  label: 'Counterfactual',
  shortLabel: 'Counterfactual',
  needs: [],
  scoresWords: false,
  description: 'The fewest words whose removal changes the answer, and the answer then.',
  view: 'counterfactual',
  settingsSchema: counterfactualSettingsSchema,
  extraSchema: counterfactualExtraSchema,
  stringFields: { 'extra.removedWords[]': 'derived', 'extra.text': 'derived', 'extra.newLabel': 'label' },
  fitExtra: fitCounterfactual,
  defaults: COUNTERFACTUAL_DEFAULTS,
  async explain(input, settings?: Partial<CounterfactualSettings>) {
    const t0 = now();
    const s = mergeSettings(COUNTERFACTUAL_DEFAULTS, settings);
    const cp = cachedPredict(input.predict, s.batchSize);
    const { text, words, target } = input;
    const [base] = await cp.predict([text]);
    checkTarget(input, base);
    const removed: number[] = [];
    let current = { text, probs: base };
    let found = false;
    // Only a predicted target can be "changed"; for another class the search does not start.
    const limit = argmax(base) === target ? Math.min(Math.max(0, Math.floor(s.maxRemovals)), words.length) : 0;
    while (!found && removed.length < limit) {
      const candidates = words.map((_, i) => i).filter((i) => !removed.includes(i));
      const texts = candidates.map((i) => removeWords(text, words, [...removed, i]));
      const probs = await cp.predict(texts);
      let best = -1;
      let bestFlips = false;
      for (let c = 0; c < candidates.length; c++) {
        const flips = argmax(probs[c]) !== target;
        const better = best < 0 || (flips && !bestFlips) || (flips === bestFlips && probs[c][target] < probs[best][target]);
        if (better) {
          best = c;
          bestFlips = flips;
        }
      }
      removed.push(candidates[best]);
      current = { text: texts[best], probs: probs[best] };
      found = bestFlips;
    }
    const newIndex = argmax(current.probs);
    const sorted = [...removed].sort((a, b) => a - b);
    const extra = {
      found,
      removed: sorted,
      removedWords: sorted.map((i) => words[i].text),
      text: current.text,
      newIndex,
      newLabel: input.labels[newIndex] ?? String(newIndex),
      newProbability: current.probs[newIndex],
      targetProbability: current.probs[target],
    };
    return {
      method: 'counterfactual',
      version: 1,
      target: targetOf(input, base[target]),
      settings: { ...s },
      words,
      scores: null,
      extra,
      timing: { ms: now() - t0, forwardPasses: cp.stats.forwardPasses },
    };
  },
});

/** The removed words and the text without them are rebuilt from the stored message; the new label must be the model's, its index derived from it. */
function fitCounterfactual(posted: CounterfactualExtra, { storedText, words, bot }: FitContext): FitOutcome<CounterfactualExtra> {
  const removed = posted.removed ?? [];
  if (new Set(removed).size !== removed.length) return misfit('extra.removed names a word twice');
  const outside = removed.find((i) => i >= words.length);
  if (outside !== undefined) return misfit(`extra.removed names word ${outside}, but the message has ${words.length} words`);
  const derived = { ...posted, removedWords: removed.map((i) => words[i]!.text), text: removeWords(storedText, words, removed) };
  if (posted.newLabel !== undefined) {
    const index = bot.labelIndex.get(posted.newLabel);
    if (index === undefined) return misfit(`extra.newLabel "${posted.newLabel}" is not a label of the ${bot.botId} model`);
    return { ok: true, extra: { ...derived, newIndex: index } };
  }
  if (posted.newIndex !== undefined) {
    const label = bot.labels[posted.newIndex];
    if (label === undefined) return misfit(`extra.newIndex ${posted.newIndex} is not a class of the ${bot.botId} model`);
    return { ok: true, extra: { ...derived, newLabel: label } };
  }
  return { ok: true, extra: derived };
}
