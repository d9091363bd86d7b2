// Similar questions: the nearest training utterances to the message's sentence embedding,
// from the index shipped with the model.
import { z } from 'zod';
import { count, labelName, mergeSettings, now, requireAnalysis, targetOf } from './common';
import type { Explainer, Explanation } from './types';

export interface SimilarSettings {
  k: number;
}

/** `extra` for method 'similar': neighbours, most similar first (score = cosine similarity). */
export interface SimilarExtra {
  neighbours: { text: string; label: string; score: number }[];
}

const MAX_NEIGHBOURS = 50;

/** What a stored similar-questions explanation's `settings` may hold. */
export const similarSettingsSchema = z.object({ k: count(MAX_NEIGHBOURS).optional() });

/**
 * What a stored similar-questions explanation's `extra` may hold. A neighbour's text is a
 * training question: on ingest it must be one of the bot's index, with that label.
 */
export const similarExtraSchema = z.object({
  neighbours: z
    .array(z.object({ text: z.string().min(1).max(1000), label: labelName, score: z.number().min(-1.001).max(1.001) }))
    .max(MAX_NEIGHBOURS)
    .optional(),
});

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
