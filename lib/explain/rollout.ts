// Attention rollout (Abnar & Zuidema 2020, "Quantifying Attention Flow in Transformers").
import type { Analysis } from '@/lib/model/types';

import { z } from 'zod';
import { count, finiteOrNull, MAX_ATTENTION_LAYERS, MAX_TOKENS, mergeSettings, misfit, now, requireAnalysis, share, targetOf, sharesOfTokens, tokensToWords } from './common';
import { defineExplainer } from './explainer';

export interface RolloutSettings {
  /**
   * Ensemble members whose layers are stacked in `analysis.attentions` (member 1's layers,
   * then member 2's…; config.json `ensemble_members`). Each member is rolled out through its
   * own layers only, and the members' rolled-out matrices are averaged.
   */
  members: number;
  /**
   * Weight of the residual connection: each layer's head-averaged attention W becomes
   * Â = (1 − r)·W + r·I, rows renormalised. r = 0.5 is the paper's choice (A = 0.5 W + 0.5 I).
   */
  residual: number;
}

/** What a stored rollout explanation's `settings` may hold. */
export const rolloutSettingsSchema = z.object({ members: count(MAX_ATTENTION_LAYERS).optional(), residual: share.optional() });

/** What a stored rollout explanation's `extra` may hold: the [CLS] row of the rolled-out matrix over tokens, and the residual weight used. */
export const rolloutExtraSchema = z.object({ tokenRollout: z.array(finiteOrNull).max(MAX_TOKENS).optional(), residual: share.optional() });
export type RolloutExtra = z.output<typeof rolloutExtraSchema>;

function matmul(a: number[][], b: number[][]): number[][] {
  const n = a.length;
  const m = b[0]?.length ?? 0;
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(m).fill(0);
    for (let k = 0; k < b.length; k++) {
      const x = a[i][k];
      if (x === 0) continue;
      const bk = b[k];
      for (let j = 0; j < m; j++) row[j] += x * bk[j];
    }
    out.push(row);
  }
  return out;
}

/** Splits stacked layers into `members` equal groups (one per ensemble member). */
export function memberLayers<T>(layers: readonly T[], members: number): T[][] {
  const m = Math.max(1, Math.floor(members));
  if (layers.length % m !== 0) throw new Error(`${layers.length} attention layers cannot be split into ${m} ensemble members`);
  const per = layers.length / m;
  return Array.from({ length: m }, (_, i) => layers.slice(i * per, (i + 1) * per));
}

/**
 * The rolled-out attention matrix R = Â_L · … · Â_1 (tokens × tokens), where Â_l is layer l's
 * attention averaged over heads, mixed with the identity by `residual` and renormalised per row.
 * With `members` > 1 the layers are split per ensemble member, rolled out separately, and the
 * members' matrices averaged (rows still sum to 1).
 */
export function rolloutMatrix(attentions: Analysis['attentions'], residual = 0.5, members = 1): number[][] {
  const groups = memberLayers(attentions, members);
  if (groups.length > 1) {
    const rolled = groups.map((g) => rolloutMatrix(g, residual, 1));
    return rolled[0].map((row, i) => row.map((_, j) => rolled.reduce((s, r) => s + r[i][j], 0) / rolled.length));
  }
  let r: number[][] | null = null;
  for (const layer of attentions) {
    const t = layer[0].length;
    const a: number[][] = [];
    for (let i = 0; i < t; i++) {
      const row = new Array<number>(t).fill(0);
      for (const head of layer) for (let j = 0; j < t; j++) row[j] += head[i][j] / layer.length;
      for (let j = 0; j < t; j++) row[j] *= 1 - residual;
      row[i] += residual;
      const sum = row.reduce((s, x) => s + x, 0);
      a.push(sum > 0 ? row.map((x) => x / sum) : row);
    }
    r = r ? matmul(a, r) : a;
  }
  return r ?? [];
}

const ROLLOUT_DEFAULTS: RolloutSettings = { residual: 0.5, members: 1 };

export const rolloutExplainer = defineExplainer({
  method: 'rollout',
  label: 'Attention rollout',
  shortLabel: 'Rollout',
  needs: ['analysis'],
  scoresWords: true,
  description: 'Attention followed through all layers, counting the skip connections (Abnar & Zuidema 2020).',
  view: 'rollout',
  settingsSchema: rolloutSettingsSchema,
  extraSchema: rolloutExtraSchema,
  stringFields: {},
  fitExtra(extra, { bot }) {
    const rolled = extra.tokenRollout?.length ?? 0;
    if (rolled > bot.maxTokens) return misfit(`extra.tokenRollout has ${rolled} entries; the model reads at most ${bot.maxTokens} tokens`);
    return { ok: true, extra };
  },
  defaults: ROLLOUT_DEFAULTS,
  async explain(input, settings?: Partial<RolloutSettings>) {
    const t0 = now();
    const s = mergeSettings(ROLLOUT_DEFAULTS, settings);
    const a = requireAnalysis(input, 'rollout');
    const rolled = rolloutMatrix(a.attentions, s.residual, s.members);
    const tokenRollout = rolled[0] ?? [];
    return {
      method: 'rollout',
      version: 1,
      target: targetOf(input, a.probabilities[input.target]),
      settings: { ...s },
      words: input.words,
      scores: tokensToWords(tokenRollout, sharesOfTokens(a.tokens), input.words.length),
      extra: { tokenRollout, residual: s.residual },
      timing: { ms: now() - t0, forwardPasses: 0 },
    };
  },
});
