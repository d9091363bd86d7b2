// Counterfactual: a smallest set of words whose removal changes the predicted intent, found
// greedily. Each round tries removing every remaining word (one batched call). If some
// removal changes the prediction, the search stops there — taking, among those, the one that
// leaves the target least probable; otherwise the word whose removal lowers p(target) most is
// removed and the next round starts. Checking every candidate for a flip each round means a
// single word that changes the answer is always found; larger sets are greedy, not exhaustive.
import { z } from 'zod';
import { argmax, checkTarget, count, finiteOrNull, labelName, MAX_MESSAGE_CHARS, MAX_WORDS, mergeSettings, now, targetOf } from './common';
import { cachedPredict, removeWords } from './perturb';
import type { Explainer, Explanation } from './types';

export interface CounterfactualSettings {
  /** Largest set of words to remove. */
  maxRemovals: number;
  batchSize: number;
}

/**
 * `extra` for method 'counterfactual'. When `found` is false, `removed`/`text`/`new*` describe
 * the last state of the search (the prediction did not change), or the original text when the
 * target is not the predicted class.
 */
export interface CounterfactualExtra {
  found: boolean;
  removed: number[];
  removedWords: string[];
  text: string;
  newIndex: number;
  newLabel: string;
  newProbability: number;
  /** p(target) on `text`. */
  targetProbability: number;
}

/** What a stored counterfactual's `settings` may hold. */
export const counterfactualSettingsSchema = z.object({ maxRemovals: count(MAX_WORDS).optional(), batchSize: count(100_000).optional() });

/**
 * What a stored counterfactual's `extra` may hold. `removedWords` and `text` are the visitor's
 * words: the server replaces whatever was posted with what it derives from the stored message
 * and `removed`.
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

export const counterfactualExplainer: Explainer<CounterfactualSettings> = {
  method: 'counterfactual',
  defaults: { maxRemovals: 5, batchSize: 64 },
  async explain(input, settings) {
    const t0 = now();
    const s = mergeSettings(this.defaults, settings);
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
    const extra: CounterfactualExtra = {
      found,
      removed: sorted,
      removedWords: sorted.map((i) => words[i].text),
      text: current.text,
      newIndex,
      newLabel: input.labels[newIndex] ?? String(newIndex),
      newProbability: current.probs[newIndex],
      targetProbability: current.probs[target],
    };
    const out: Explanation = {
      method: 'counterfactual',
      version: 1,
      target: targetOf(input, base[target]),
      settings: { ...s },
      words,
      scores: null,
      extra: extra as unknown as Record<string, unknown>,
      timing: { ms: now() - t0, forwardPasses: cp.stats.forwardPasses },
    };
    return out;
  },
};
