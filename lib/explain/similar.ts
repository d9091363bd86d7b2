// Similar questions: the nearest training utterances to the message's sentence embedding,
// from the index shipped with the model.
import { mergeSettings, now, requireAnalysis, targetOf } from './common';
import type { Explainer, Explanation } from './types';

export interface SimilarSettings {
  k: number;
}

/** `extra` for method 'similar': neighbours, most similar first (score = cosine similarity). */
export interface SimilarExtra {
  neighbours: { text: string; label: string; score: number }[];
}

export const similarExplainer: Explainer<SimilarSettings> = {
  method: 'similar',
  defaults: { k: 5 },
  async explain(input, settings) {
    const t0 = now();
    const s = mergeSettings(this.defaults, settings);
    const a = requireAnalysis(input, 'similar');
    if (!input.similar) throw new Error('similar: needs input.similar (the similar-questions index)');
    const neighbours = input.similar(a.embedding, s.k).map((e) => ({ text: e.text, label: e.label, score: Number(e.score) }));
    const extra: SimilarExtra = { neighbours };
    const out: Explanation = {
      method: 'similar',
      version: 1,
      target: targetOf(input, a.probabilities[input.target]),
      settings: { ...s },
      words: input.words,
      scores: null,
      extra: extra as unknown as Record<string, unknown>,
      timing: { ms: now() - t0, forwardPasses: 0 },
    };
    return out;
  },
};
