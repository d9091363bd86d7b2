// LIME for text (Ribeiro et al. 2016), as marcotcr/lime's LimeTextExplainer does it:
// - features are the words the user typed (by position, so a repeated word gets a score per
//   occurrence); a perturbation removes words from the text;
// - sample 0 is the original text; for every other sample draw how many words to remove
//   uniformly from 1..n, then which ones uniformly without replacement;
// - distance = cosine distance between the sample's binary vector and all-ones, × 100;
// - kernel weight = sqrt(exp(−d² / width²)), width 25;
// - surrogate = ridge regression (alpha 1, with intercept) of p(target) on the binary
//   features, weighted by the kernel; its coefficients are the word scores, and its weighted
//   R² (sklearn's `score` with sample weights) tells how well it fits.
// What is ours: a seeded PRNG (mulberry32, not numpy's), a memoising batched predictor, and a
// time budget that stops sampling early (the samples actually used are reported).
import { z } from 'zod';
import { checkTarget, count, finiteOrNull, mergeSettings, now, targetOf } from './common';
import { defineExplainer, type ExplainInput } from './explainer';
import { cachedPredict, textWithWords } from './perturb';
import { createRng } from './rng';

export interface LimeSettings {
  samples: number;
  seed: number;
  kernelWidth: number;
  /** Stop drawing new samples once this many ms have passed (null: no budget). */
  timeBudgetMs: number | null;
  /**
   * Samples used however short the budget: fewer make the top words unstable across seeds
   * (bench/explain, mean top-3 overlap over 10 seeds: 0.96 at 1,000 samples, 0.94 at 500,
   * 0.93 at 400, 0.88 at 300; the goal is 0.9).
   */
  minSamples: number;
  batchSize: number;
  /** Ridge penalty. */
  alpha: number;
}

const MAX_LIME_SAMPLES = 1_000_000;

/** What a stored LIME explanation's `settings` may hold. */
export const limeSettingsSchema = z.object({
  samples: count(MAX_LIME_SAMPLES).optional(),
  seed: z.number().int().optional(),
  kernelWidth: finiteOrNull.optional(),
  timeBudgetMs: z.number().min(0).max(3_600_000).nullable().optional(),
  minSamples: count(MAX_LIME_SAMPLES).optional(),
  batchSize: count(100_000).optional(),
  alpha: finiteOrNull.optional(),
});

/** What a stored LIME explanation's `extra` may hold: the surrogate's fit and the samples it used. */
export const limeExtraSchema = z.object({
  intercept: finiteOrNull.optional(),
  /** Weighted R² of the surrogate on the samples (sklearn's convention when p(target) is constant: 1 if fitted exactly, else 0). */
  r2: finiteOrNull.optional(),
  /** Samples actually used (fewer than settings.samples if the time budget ran out). */
  samples: count(MAX_LIME_SAMPLES).optional(),
  /** Distinct perturbed texts among them (each evaluated once). */
  distinctTexts: count(MAX_LIME_SAMPLES).optional(),
  kernelWidth: finiteOrNull.optional(),
  /** The surrogate's prediction for the original text (intercept + Σ scores). */
  localPrediction: finiteOrNull.optional(),
  /** True when the time budget stopped sampling early. */
  stoppedByBudget: z.boolean().optional(),
});
export type LimeExtra = z.output<typeof limeExtraSchema>;

/** Solves the symmetric positive definite system A x = b (Cholesky); A is n × n, row-major. */
export function solveSpd(a: number[][], b: number[]): number[] {
  const n = b.length;
  const l: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      if (i === j) {
        if (!(s > 0)) throw new Error('matrix is not positive definite');
        l[i][i] = Math.sqrt(s);
      } else {
        l[i][j] = s / l[j][j];
      }
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * y[k];
    y[i] = s / l[i][i];
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k][i] * x[k];
    x[i] = s / l[i][i];
  }
  return x;
}

export interface RidgeFit {
  coef: number[];
  intercept: number;
  /** Weighted R² (as sklearn's r2_score with force_finite: 1 or 0 when y is constant). */
  r2: number;
}

/**
 * Weighted ridge regression with an unpenalised intercept, as sklearn's Ridge(alpha,
 * fit_intercept=True).fit(X, y, sample_weight=w): centre X and y on their weighted means,
 * solve (Xcᵀ W Xc + alpha I) β = Xcᵀ W yc, intercept = ȳ − x̄·β.
 */
export function weightedRidge(x: readonly (readonly number[])[], y: readonly number[], w: readonly number[], alpha = 1): RidgeFit {
  const m = y.length;
  const p = m ? x[0].length : 0;
  let sw = 0;
  for (let i = 0; i < m; i++) sw += w[i];
  if (!(sw > 0)) throw new Error('ridge: sample weights sum to zero');
  const xm = new Array<number>(p).fill(0);
  let ym = 0;
  for (let i = 0; i < m; i++) {
    ym += (w[i] * y[i]) / sw;
    for (let j = 0; j < p; j++) xm[j] += (w[i] * x[i][j]) / sw;
  }
  const a: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const b = new Array<number>(p).fill(0);
  const xc = new Array<number>(p);
  for (let i = 0; i < m; i++) {
    const wi = w[i];
    if (wi === 0) continue;
    for (let j = 0; j < p; j++) xc[j] = x[i][j] - xm[j];
    const yc = y[i] - ym;
    for (let j = 0; j < p; j++) {
      const v = wi * xc[j];
      b[j] += v * yc;
      const row = a[j];
      for (let k = 0; k <= j; k++) row[k] += v * xc[k];
    }
  }
  for (let j = 0; j < p; j++) {
    for (let k = 0; k < j; k++) a[k][j] = a[j][k];
    a[j][j] += alpha;
  }
  const coef = p ? solveSpd(a, b) : [];
  let intercept = ym;
  for (let j = 0; j < p; j++) intercept -= xm[j] * coef[j];
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < m; i++) {
    let pred = intercept;
    for (let j = 0; j < p; j++) pred += x[i][j] * coef[j];
    ssRes += w[i] * (y[i] - pred) ** 2;
    ssTot += w[i] * (y[i] - ym) ** 2;
  }
  const r2 = ssTot > 1e-24 * sw ? 1 - ssRes / ssTot : ssRes <= 1e-24 * sw ? 1 : 0;
  return { coef, intercept, r2 };
}

/** LIME's kernel on the cosine distance (× 100) between a sample with `kept` of `n` words and the original. */
export function limeWeight(kept: number, n: number, kernelWidth: number): number {
  const cos = kept > 0 && n > 0 ? Math.sqrt(kept / n) : 0;
  const d = (1 - cos) * 100;
  return Math.sqrt(Math.exp(-(d * d) / (kernelWidth * kernelWidth)));
}

/**
 * The perturbation masks for `samples` samples over `n` words (1 = word kept): row 0 is the
 * original; the first k rows never depend on `samples`, so a run cut short by the time
 * budget is reproduced by asking for exactly the samples it used.
 */
export function limeMasks(n: number, samples: number, seed: number): number[][] {
  const rng = createRng(seed);
  const out: number[][] = [new Array<number>(n).fill(1)];
  for (let i = 1; i < samples; i++) {
    const row = new Array<number>(n).fill(1);
    if (n > 0) for (const j of rng.choose(n, rng.int(1, n))) row[j] = 0;
    out.push(row);
  }
  return out;
}

/**
 * Tokens of each word, from the analysis pass when there is one (words are separated by
 * whitespace, so a text's tokens are the sum of its words' tokens plus the special ones);
 * else each word's characters, a proxy good enough to sort by.
 */
function tokensPerWord(input: ExplainInput): number[] {
  const analysis = input.analysis;
  if (!analysis || analysis.words.length !== input.words.length) return input.words.map((w) => w.end - w.start);
  const counts = input.words.map(() => 0);
  for (const token of analysis.tokens) if (token.word !== null && token.word < counts.length) counts[token.word]++;
  return counts;
}

const LIME_DEFAULTS: LimeSettings = { samples: 1000, seed: 42, kernelWidth: 25, timeBudgetMs: 2000, minSamples: 400, batchSize: 64, alpha: 1 };

export const limeExplainer = defineExplainer({
  method: 'lime',
  label: 'LIME',
  shortLabel: 'LIME',
  needs: [],
  scoresWords: true,
  description: 'A simple model fitted to how my answer changes when words are removed at random. Blue words pushed me towards this answer, orange words away from it.',
  customerRank: 2,
  view: undefined,
  settingsSchema: limeSettingsSchema,
  extraSchema: limeExtraSchema,
  stringFields: {},
  // Numbers only: nothing of the visitor's to fit.
  fitExtra: (extra) => ({ ok: true, extra }),
  defaults: LIME_DEFAULTS,
  async explain(input, settings?: Partial<LimeSettings>) {
    const t0 = now();
    const s = mergeSettings(LIME_DEFAULTS, settings);
    const samples = Math.max(1, Math.floor(s.samples));
    const n = input.words.length;
    const masks = limeMasks(n, samples, s.seed);
    const texts = masks.map((m) => textWithWords(input.text, input.words, m.map((x) => x === 1)));
    // Batches are padded to their longest text: sorting by length in tokens wastes little.
    const perWord = tokensPerWord(input);
    const lengths = new Map<string, number>();
    masks.forEach((m, i) => lengths.set(texts[i], m.reduce((sum, kept, j) => sum + kept * perWord[j], 0)));
    const cp = cachedPredict(input.predict, s.batchSize, (text) => lengths.get(text) ?? text.length);

    // Samples are evaluated in order, in chunks, so a run stopped by the time budget used
    // exactly its first `used` samples. Without a budget one chunk holds every sample (sorted
    // all together). With one, the first chunk is `minSamples` (or one batch of new texts if
    // that is more) and measures the pace in ms per new text (repeats and cached texts cost
    // nothing); each next chunk holds the samples whose new texts should fit in the time
    // left, so the run ends near the budget instead of overrunning it by a fixed-size chunk.
    let used = 0;
    let stoppedByBudget = false;
    let predictMs = 0;
    let newTexts = 0;
    const newTextsIn = (from: number, limit: number) => {
      const fresh = new Set<string>();
      let end = from;
      for (; end < samples; end++) {
        if (!cp.has(texts[end]) && !fresh.has(texts[end])) {
          if (fresh.size === limit) break;
          fresh.add(texts[end]);
        }
      }
      return end;
    };
    while (used < samples) {
      let end = samples;
      if (s.timeBudgetMs !== null) {
        const left = s.timeBudgetMs - (now() - t0);
        if (used === 0) {
          end = Math.max(newTextsIn(0, cp.batchSize), Math.min(samples, Math.floor(s.minSamples)));
        } else {
          // Too little time for a quarter of a batch: stop here.
          const affordable = Math.floor(left / (predictMs / Math.max(1, newTexts)));
          if (affordable < Math.max(1, cp.batchSize / 4)) {
            stoppedByBudget = true;
            break;
          }
          end = newTextsIn(used, affordable);
        }
      }
      const before = cp.stats.textsEvaluated;
      const chunkStarted = now();
      await cp.predict(texts.slice(used, end));
      newTexts += cp.stats.textsEvaluated - before;
      predictMs += now() - chunkStarted;
      used = end;
    }
    const usedTexts = texts.slice(0, used);
    const probs = await cp.predict(usedTexts);
    checkTarget(input, probs[0]);
    const y = probs.map((p) => p[input.target]);
    const x = masks.slice(0, used);
    const w = x.map((m) => limeWeight(m.reduce((a, b) => a + b, 0), n, s.kernelWidth));
    const fit = weightedRidge(x, y, w, s.alpha);
    const extra = {
      intercept: fit.intercept,
      r2: fit.r2,
      samples: used,
      distinctTexts: new Set(usedTexts).size,
      kernelWidth: s.kernelWidth,
      localPrediction: fit.intercept + fit.coef.reduce((a, b) => a + b, 0),
      stoppedByBudget,
    };
    return {
      method: 'lime',
      version: 1,
      target: targetOf(input, y[0]),
      settings: { ...s, samples },
      words: input.words,
      scores: fit.coef,
      extra,
      timing: { ms: now() - t0, forwardPasses: cp.stats.forwardPasses },
    };
  },
});
