// Similar questions: the nearest training utterances to the message's sentence embedding,
// from the index shipped with the model.
import { z } from 'zod';
import { count, labelName, mergeSettings, misfit, now, requireAnalysis, targetOf } from './common';
import { defineExplainer } from './explainer';

export interface SimilarSettings {
  k: number;
}

const MAX_NEIGHBOURS = 50;

/** What a stored similar-questions explanation's `settings` may hold. */
export const similarSettingsSchema = z.object({ k: count(MAX_NEIGHBOURS).optional() });

/**
 * What a stored similar-questions explanation's `extra` may hold: the neighbours, most similar
 * first (score = cosine similarity). A neighbour's text is a training question, not the
 * visitor's: on ingest it must be one of the bot's index, with that label.
 */
export const similarExtraSchema = z.object({
  neighbours: z
    .array(z.object({ text: z.string().min(1).max(1000), label: labelName, score: z.number().min(-1.001).max(1.001) }))
    .max(MAX_NEIGHBOURS)
    .optional(),
});
export type SimilarExtra = z.output<typeof similarExtraSchema>;

const SIMILAR_DEFAULTS: SimilarSettings = { k: 5 };

export const similarExplainer = defineExplainer({
  method: 'similar',
  label: 'Similar questions',
  shortLabel: 'Similar',
  needs: ['analysis', 'similar'],
  scoresWords: false,
  description: 'The questions the model learned from that are closest in meaning to the message, and the answer each was taught.',
  view: 'neighbours',
  settingsSchema: similarSettingsSchema,
  extraSchema: similarExtraSchema,
  stringFields: { 'extra.neighbours[].text': 'checked', 'extra.neighbours[].label': 'label' },
  fitExtra(extra, { bot }) {
    const neighbours = extra.neighbours ?? [];
    if (neighbours.length === 0) return { ok: true, extra };
    const index = bot.similarQuestions;
    if (!index) return misfit(`the ${bot.botId} model has no similar-questions index`);
    const stranger = neighbours.findIndex((neighbour) => !index.get(neighbour.text)?.has(neighbour.label));
    if (stranger >= 0) return misfit(`extra.neighbours[${stranger}] is not a question of the ${bot.botId} model's similar-questions index with that label`);
    return { ok: true, extra };
  },
  defaults: SIMILAR_DEFAULTS,
  async explain(input, settings?: Partial<SimilarSettings>) {
    const t0 = now();
    const s = mergeSettings(SIMILAR_DEFAULTS, settings);
    const a = requireAnalysis(input, 'similar');
    if (!input.similar) throw new Error('similar: needs input.similar (the similar-questions index)');
    const neighbours = input.similar(a.embedding, s.k).map((e) => ({ text: e.text, label: e.label, score: Number(e.score) }));
    return {
      method: 'similar',
      version: 1,
      target: targetOf(input, a.probabilities[input.target]),
      settings: { ...s },
      words: input.words,
      scores: null,
      extra: { neighbours },
      timing: { ms: now() - t0, forwardPasses: 0 },
    };
  },
});
