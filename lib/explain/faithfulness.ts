// ERASER faithfulness (DeYoung et al. 2020) of one word-scoring explanation, plus deletion AUC.
// Words are ranked by score, highest first (most in favour of the target; ties by position).
import type { PredictFn } from '@/lib/model/types';

import { checkTarget } from './common';
import { cachedPredict, keepOnlyWords, removeWords } from './perturb';
import type { ExplainInput, Faithfulness } from './explainer';

/** The k levels: 1, 2, 3 words and 20 % of the words (at least 1), each capped at the word count. */
export function faithfulnessLevels(wordCount: number): { k: string; count: number }[] {
  const cap = (k: number) => Math.min(k, wordCount);
  return [
    { k: '1', count: cap(1) },
    { k: '2', count: cap(2) },
    { k: '3', count: cap(3) },
    { k: '20%', count: cap(Math.max(1, Math.round(0.2 * wordCount))) },
  ];
}

/** Word indices, most important first. */
export function rankWords(scores: readonly number[]): number[] {
  return scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
}

/**
 * Comprehensiveness p(t|x) − p(t|x without the top k), sufficiency p(t|x) − p(t|only the top
 * k), and the deletion AUC: the trapezoid area under p(t) against the share of words removed
 * (most important first, 0 … n words, x in [0, 1]). All texts go through one batched call.
 */
export async function evaluateFaithfulness(input: ExplainInput, scores: readonly number[], predict: PredictFn = input.predict): Promise<Faithfulness> {
  const { text, words, target } = input;
  const n = words.length;
  if (scores.length !== n) throw new Error(`faithfulness: ${scores.length} scores for ${n} words`);
  const order = rankWords(scores);
  const levels = faithfulnessLevels(n);
  const deletion = Array.from({ length: n + 1 }, (_, j) => removeWords(text, words, order.slice(0, j)));
  const only = levels.map((l) => keepOnlyWords(text, words, order.slice(0, l.count)));
  const cp = cachedPredict(predict);
  const probs = await cp.predict([...deletion, ...only]);
  checkTarget(input, probs[0]);
  const p = probs.map((row) => row[target]);
  const full = p[0];
  const comprehensiveness = levels.map((l) => ({ k: l.k, value: full - p[l.count] }));
  const sufficiency = levels.map((l, i) => ({ k: l.k, value: full - p[n + 1 + i] }));
  let deletionAuc = full;
  if (n > 0) {
    deletionAuc = 0;
    for (let j = 0; j < n; j++) deletionAuc += (p[j] + p[j + 1]) / 2 / n;
  }
  const mean = (xs: { value: number }[]) => xs.reduce((s, x) => s + x.value, 0) / xs.length;
  return {
    comprehensiveness,
    sufficiency,
    meanComprehensiveness: mean(comprehensiveness),
    meanSufficiency: mean(sufficiency),
    deletionAuc,
  };
}
