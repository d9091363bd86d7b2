// Attention from [CLS], per layer and head, on the words the user typed.
import { z } from 'zod';
import { count, MAX_ATTENTION_HEADS, MAX_ATTENTION_LAYERS, MAX_TOKENS, MAX_WORDS, mergeSettings, now, requireAnalysis, share, targetOf, tokensToWords, tokenText } from './common';
import { memberLayers } from './rollout';
import type { Explainer, Explanation } from './types';

export interface AttentionSettings {
  /**
   * Ensemble members whose layers are stacked in `analysis.attentions` (config.json
   * `ensemble_members`): "the last layer" is then each member's last layer, averaged.
   */
  members: number;
}

/**
 * `extra` for method 'attention'.
 * - `matrices` is the model's attention: [layer][head][query][key] over tokens, rounded to 6
 *   decimals (the model computes in float32; this halves the stored JSON, rows still sum to 1 ± 1e-4).
 * - `wordCls[l][h][w]`: attention of [CLS] (query 0) in layer l, head h, summed over word
 *   w's WordPiece tokens, renormalised over the words (special tokens dropped).
 * `scores` is the last layer's `wordCls` averaged over heads (still sums to 1); for an
 * ensemble, each member's last layer averaged over heads and members. `layers` counts every
 * stacked layer; member m owns layers m·layersPerMember … (m+1)·layersPerMember − 1.
 */
export interface AttentionExtra {
  layers: number;
  members: number;
  layersPerMember: number;
  heads: number;
  tokens: string[];
  tokenWords: (number | null)[];
  matrices: number[][][][];
  wordCls: number[][][];
}

/** What a stored attention explanation's `settings` may hold. */
export const attentionSettingsSchema = z.object({
  members: count(MAX_ATTENTION_LAYERS).optional(),
  layer: z.enum(['last']).optional(),
  headAggregation: z.enum(['mean']).optional(),
  tokenAggregation: z.enum(['sum']).optional(),
});

/**
 * What a stored attention explanation's `extra` may hold. Its arrays must also agree with one
 * another and with the message's words and tokens; the server checks that on ingest.
 */
export const attentionExtraSchema = z.object({
  layers: count(MAX_ATTENTION_LAYERS).optional(),
  members: count(MAX_ATTENTION_LAYERS).optional(),
  layersPerMember: count(MAX_ATTENTION_LAYERS).optional(),
  heads: count(MAX_ATTENTION_HEADS).optional(),
  tokens: z.array(tokenText).max(MAX_TOKENS).optional(),
  tokenWords: z.array(count(MAX_WORDS).nullable()).max(MAX_TOKENS).optional(),
  matrices: z.array(z.array(z.array(z.array(share).max(MAX_TOKENS)).max(MAX_TOKENS)).max(MAX_ATTENTION_HEADS)).max(MAX_ATTENTION_LAYERS).optional(),
  wordCls: z.array(z.array(z.array(share).max(MAX_WORDS)).max(MAX_ATTENTION_HEADS)).max(MAX_ATTENTION_LAYERS).optional(),
});

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export const attentionExplainer: Explainer<AttentionSettings> = {
  method: 'attention',
  defaults: { members: 1 },
  async explain(input, settings) {
    const t0 = now();
    const s = mergeSettings<AttentionSettings>(this.defaults, settings);
    const a = requireAnalysis(input, 'attention');
    const n = input.words.length;
    const layers = a.attentions.length;
    const heads = layers ? a.attentions[0].length : 0;
    const wordCls = a.attentions.map((layer) => layer.map((head) => tokensToWords(head[0] ?? [], a.tokens, n)));
    const groups = memberLayers(wordCls, s.members);
    const lastLayers = groups.map((g) => g[g.length - 1]).filter((l) => l && l.length);
    const scores = new Array<number>(n).fill(0);
    for (const layer of lastLayers) for (const head of layer) for (let w = 0; w < n; w++) scores[w] += head[w] / layer.length / lastLayers.length;
    const extra: AttentionExtra = {
      layers,
      members: groups.length,
      layersPerMember: layers / groups.length,
      heads,
      tokens: a.tokens.map((t) => t.token),
      tokenWords: a.tokens.map((t) => t.word),
      matrices: a.attentions.map((layer) => layer.map((head) => head.map((row) => row.map(round6)))),
      wordCls,
    };
    const out: Explanation = {
      method: 'attention',
      version: 1,
      target: targetOf(input, a.probabilities[input.target]),
      settings: { ...s, layer: 'last', headAggregation: 'mean', tokenAggregation: 'sum' },
      words: input.words,
      scores,
      extra: extra as unknown as Record<string, unknown>,
      timing: { ms: now() - t0, forwardPasses: 0 },
    };
    return out;
  },
};
