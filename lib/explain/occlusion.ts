// Occlusion: leave one word out. score_i = p(target | text) − p(target | text without word i).
import { z } from 'zod';
import { checkTarget, count, finiteOrNull, MAX_WORDS, mergeSettings, now, targetOf } from './common';
import { cachedPredict, removeWords } from './perturb';
import type { Explainer, Explanation } from './types';

export interface OcclusionSettings {
  batchSize: number;
}

/** `extra` for method 'occlusion'. */
export interface OcclusionExtra {
  /** p(target | text). */
  baseline: number;
  /** p(target | text without word i), per word. */
  without: number[];
}

/** What a stored occlusion explanation's `settings` may hold. */
export const occlusionSettingsSchema = z.object({ batchSize: count(100_000).optional() });

/** What a stored occlusion explanation's `extra` may hold (`without` has one entry per word, checked on ingest). */
export const occlusionExtraSchema = z.object({ baseline: finiteOrNull.optional(), without: z.array(finiteOrNull).max(MAX_WORDS).optional() });

export const occlusionExplainer: Explainer<OcclusionSettings> = {
  method: 'occlusion',
  defaults: { batchSize: 64 },
  async explain(input, settings) {
    const t0 = now();
    const s = mergeSettings(this.defaults, settings);
    const cp = cachedPredict(input.predict, s.batchSize);
    const texts = [input.text, ...input.words.map((_, i) => removeWords(input.text, input.words, [i]))];
    const probs = await cp.predict(texts);
    checkTarget(input, probs[0]);
    const baseline = probs[0][input.target];
    const without = probs.slice(1).map((p) => p[input.target]);
    const extra: OcclusionExtra = { baseline, without };
    const out: Explanation = {
      method: 'occlusion',
      version: 1,
      target: targetOf(input, baseline),
      settings: { ...s },
      words: input.words,
      scores: without.map((p) => baseline - p),
      extra: extra as unknown as Record<string, unknown>,
      timing: { ms: now() - t0, forwardPasses: cp.stats.forwardPasses },
    };
    return out;
  },
};
