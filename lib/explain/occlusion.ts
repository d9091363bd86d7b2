// Occlusion: leave one word out. score_i = p(target | text) − p(target | text without word i).
import { z } from 'zod';
import { checkTarget, count, finiteOrNull, MAX_WORDS, mergeSettings, misfit, now, targetOf } from './common';
import { defineExplainer } from './explainer';
import { cachedPredict, removeWords } from './perturb';

export interface OcclusionSettings {
  batchSize: number;
}

/** What a stored occlusion explanation's `settings` may hold. */
export const occlusionSettingsSchema = z.object({ batchSize: count(100_000).optional() });

/** What a stored occlusion explanation's `extra` may hold: p(target | text) as `baseline`, and p(target | text without word i) per word as `without`. */
export const occlusionExtraSchema = z.object({ baseline: finiteOrNull.optional(), without: z.array(finiteOrNull).max(MAX_WORDS).optional() });
export type OcclusionExtra = z.output<typeof occlusionExtraSchema>;

const OCCLUSION_DEFAULTS: OcclusionSettings = { batchSize: 64 };

export const occlusionExplainer = defineExplainer({
  method: 'occlusion',
  label: 'Occlusion',
  shortLabel: 'Occlusion',
  needs: [],
  scoresWords: true,
  description: 'How much my confidence in this answer drops when each word alone is left out. A negative drop means the answer got more likely without the word.',
  customerRank: 1,
  view: undefined,
  settingsSchema: occlusionSettingsSchema,
  extraSchema: occlusionExtraSchema,
  stringFields: {},
  fitExtra(extra, { words }) {
    const without = extra.without;
    if (without && without.length !== words.length) return misfit(`extra.without has ${without.length} entries for ${words.length} words`);
    return { ok: true, extra };
  },
  defaults: OCCLUSION_DEFAULTS,
  async explain(input, settings?: Partial<OcclusionSettings>) {
    const t0 = now();
    const s = mergeSettings(OCCLUSION_DEFAULTS, settings);
    const cp = cachedPredict(input.predict, s.batchSize);
    const texts = [input.text, ...input.words.map((_, i) => removeWords(input.text, input.words, [i]))];
    const probs = await cp.predict(texts);
    checkTarget(input, probs[0]);
    const baseline = probs[0][input.target];
    const without = probs.slice(1).map((p) => p[input.target]);
    return {
      method: 'occlusion',
      version: 1,
      target: targetOf(input, baseline),
      settings: { ...s },
      words: input.words,
      scores: without.map((p) => baseline - p),
      extra: { baseline, without },
      timing: { ms: now() - t0, forwardPasses: cp.stats.forwardPasses },
    };
  },
});
