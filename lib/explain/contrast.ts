// "Why this, and not that?": the words that favour the answer (the target) over another intent
// (`versus`), and the smallest change found that makes the model choose that intent.
// - Word scores: the Shapley values of the margin game v(S) = p(target) − p(versus) of the text
//   with only the words in S (shap.ts `shapleyValues`: exact for at most 10 words, else
//   KernelSHAP with paired sampling), so they sum to the margin on the message minus the margin
//   with no word. Positive: the word favours the answer over `versus`.
// - The change: sets of words to remove, tried in two ways. Greedy by margin attribution: the
//   top 1, 2, … `maxRemovals` words by score (one batch). Exhaustive: every set of 1, 2, …
//   `exactRemovals` words while they fit in `maxTries` texts, each size only while it could give
//   a smaller change than the one found. The smallest set after which the model's top class is
//   `versus` wins (the lowest margin among sets of that size). Words are only removed: the
//   counterfactual explainer has no substitution candidates to borrow.
// The change is stored as removed word indices only: the text after it is the stored message
// without those words (perturb.ts `removeWords`), so no visitor text travels in `extra`.
import { z } from 'zod';
import { argmax, checkTarget, count, finiteOrNull, labelName, MAX_WORDS, mergeSettings, misfit, now, targetOf } from './common';
import { defineExplainer, type ExplainInput, type FitContext, type FitOutcome } from './explainer';
import { cachedPredict, removeWords, textWithWords } from './perturb';
import { binomial, combinations, MAX_EXACT_WORDS, MAX_SHAP_SAMPLES, shapleyValues, type CoalitionValue } from './shap';

export interface ContrastSettings {
  /** Coalitions sampled for the margin's Shapley values on a message of more than `exactUpTo` words. */
  samples: number;
  seed: number;
  exactUpTo: number;
  /** Stop evaluating new coalitions once this many ms have passed (null: no budget); the change search is bounded by `maxTries`. */
  timeBudgetMs: number | null;
  minSamples: number;
  batchSize: number;
  /** Largest set of words the greedy search removes. */
  maxRemovals: number;
  /** Sets of up to this many words are tried exhaustively… */
  exactRemovals: number;
  /** …while all the sets of a size fit in this many texts (with those of the smaller sizes). */
  maxTries: number;
}

const MAX_TRIES = 100_000;

/** What a stored contrast's `settings` may hold. */
export const contrastSettingsSchema = z.object({
  samples: count(MAX_SHAP_SAMPLES).optional(),
  seed: z.number().int().optional(),
  exactUpTo: count(MAX_EXACT_WORDS).optional(),
  timeBudgetMs: z.number().min(0).max(3_600_000).nullable().optional(),
  minSamples: count(MAX_SHAP_SAMPLES).optional(),
  batchSize: count(100_000).optional(),
  maxRemovals: count(MAX_WORDS).optional(),
  exactRemovals: count(MAX_WORDS).optional(),
  maxTries: count(MAX_TRIES).optional(),
});

/** The smallest change found: the words removed (indices into the explanation's words, sorted) and what the model says then. */
export const contrastChangeSchema = z.object({
  removedWords: z.array(count(MAX_WORDS)).max(MAX_WORDS),
  /** p(target) − p(versus) on the message without those words (negative: versus is preferred). */
  marginAfter: finiteOrNull,
  /** The model's answer then: `versus`, by construction. */
  newTop: labelName,
  /** Its probability then. */
  newTopProbability: finiteOrNull.optional(),
});

/**
 * What a stored contrast's `extra` may hold. The scores are the margin's Shapley values; these
 * say what the margin is of and how the change was searched.
 */
export const contrastExtraSchema = z.object({
  /** The intent the answer is contrasted with (a model label; the fit hook derives `versusIndex` from it). */
  versus: labelName,
  versusIndex: count(10_000).optional(),
  /** p(target) − p(versus) on the message. */
  margin: finiteOrNull.optional(),
  /** The margin with no word (the scores sum to margin − baseMargin). */
  baseMargin: finiteOrNull.optional(),
  /** The smallest change found, or null: none within `tried` texts. */
  change: contrastChangeSchema.nullable().optional(),
  /** No set of fewer words makes the model choose `versus`: every smaller set was tried. */
  smallest: z.boolean().optional(),
  /** Every set of up to this many words was tried (0: none exhaustively). */
  exhaustiveUpTo: count(MAX_WORDS).optional(),
  /** Distinct texts the change search tried. */
  tried: count(MAX_TRIES + MAX_WORDS).optional(),
  /** Every coalition was evaluated: the scores are the exact Shapley values of the margin. */
  exact: z.boolean().optional(),
  samples: count(MAX_SHAP_SAMPLES).optional(),
  stoppedByBudget: z.boolean().optional(),
  /** |Σ scores − (margin − baseMargin)|. */
  additivityGap: finiteOrNull.optional(),
});
export type ContrastExtra = z.output<typeof contrastExtraSchema>;
export type ContrastChange = z.output<typeof contrastChangeSchema>;

const CONTRAST_DEFAULTS: ContrastSettings = {
  samples: 1000,
  seed: 42,
  exactUpTo: 10,
  timeBudgetMs: 2000,
  minSamples: 400,
  batchSize: 64,
  maxRemovals: 5,
  exactRemovals: 3,
  maxTries: 600,
};

/** The class to contrast with, checked against the target and the classes. */
function versusOf(input: ExplainInput, classes: number): number {
  const versus = input.versus;
  if (versus === undefined || !Number.isInteger(versus) || versus < 0 || versus >= classes) {
    throw new Error(`contrast: versus ${versus} is not a class index (predict returns ${classes} classes)`);
  }
  if (versus === input.target) throw new Error('contrast: versus is the target itself');
  return versus;
}

interface Tried {
  removed: number[];
  probabilities: number[];
}

/**
 * The smallest set of words whose removal makes `versus` the model's answer: greedy by `scores`
 * (highest first), then every set of up to `exactRemovals` words while they fit in `maxTries`.
 */
async function smallestChange(
  input: ExplainInput,
  versus: number,
  scores: readonly number[],
  predict: (texts: string[]) => Promise<number[][]>,
  s: ContrastSettings,
): Promise<{ best: Tried | null; exhaustiveUpTo: number; tried: number }> {
  const { text, words, target } = input;
  const n = words.length;
  const texts = new Set<string>();
  const run = async (sets: number[][]): Promise<Tried[]> => {
    const batch = sets.map((removed) => removeWords(text, words, removed));
    for (const t of batch) texts.add(t);
    const probs = await predict(batch);
    return sets.map((removed, i) => ({ removed, probabilities: probs[i]! }));
  };
  const margin = (p: readonly number[]) => p[target]! - p[versus]!;
  const firstFlip = (tried: readonly Tried[]) => tried.filter((t) => argmax(t.probabilities) === versus).sort((a, b) => margin(a.probabilities) - margin(b.probabilities))[0] ?? null;

  let best: Tried | null = null;
  const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const greedy = Math.min(Math.max(0, Math.floor(s.maxRemovals)), n);
  if (greedy > 0) {
    const path = await run(Array.from({ length: greedy }, (_, k) => order.slice(0, k + 1).sort((a, b) => a - b)));
    best = path.find((t) => argmax(t.probabilities) === versus) ?? null;
  }
  let exhaustiveUpTo = 0;
  let budget = Math.max(0, Math.floor(s.maxTries));
  for (let k = 1; k <= Math.min(Math.floor(s.exactRemovals), n); k++) {
    if (best && best.removed.length <= k) break;
    const sets = binomial(n, k);
    if (sets > budget) break;
    budget -= sets;
    const found = firstFlip(await run([...combinations(n, k)]));
    exhaustiveUpTo = k;
    if (found) best = found;
  }
  return { best, exhaustiveUpTo, tried: texts.size };
}

export const contrastExplainer = defineExplainer({
  method: 'contrast',
  label: 'Why this, not that',
  shortLabel: 'Contrast',
  needs: ['versus'],
  // The scores are of the margin against one other intent, not of p(answer): they get no
  // faithfulness and stay out of the word-scoring methods' comparison (lib/explain/README.md).
  scoresWords: false,
  description: 'The words that made me choose this answer over the other one, and the fewest words to remove for me to choose the other.',
  view: 'contrast',
  settingsSchema: contrastSettingsSchema,
  extraSchema: contrastExtraSchema,
  stringFields: { 'extra.versus': 'label', 'extra.change.newTop': 'label' },
  fitExtra: fitContrast,
  defaults: CONTRAST_DEFAULTS,
  async explain(input, settings?: Partial<ContrastSettings>) {
    const t0 = now();
    const s = mergeSettings(CONTRAST_DEFAULTS, settings);
    const cp = cachedPredict(input.predict, s.batchSize);
    const [base] = await cp.predict([input.text]);
    checkTarget(input, base!);
    const versus = versusOf(input, base!.length);
    const { target } = input;
    const textOf = (present: readonly boolean[]) => textWithWords(input.text, input.words, present);
    const value: CoalitionValue = async (coalitions) => (await cp.predict(coalitions.map(textOf))).map((p) => p[target]! - p[versus]!);
    const shapley = await shapleyValues(input.words.length, value, {
      samples: s.samples,
      seed: s.seed,
      exactUpTo: s.exactUpTo,
      timeBudgetMs: s.timeBudgetMs,
      minSamples: s.minSamples,
      chunkSize: s.batchSize,
      known: (present) => cp.has(textOf(present)),
    });
    const versusLabel = input.labels[versus] ?? String(versus);
    let change: ContrastChange | null = null;
    let smallest = false;
    let exhaustiveUpTo = 0;
    let tried = 0;
    if (argmax(base!) === versus) {
      // Already the answer: nothing to change.
      change = { removedWords: [], marginAfter: shapley.fullValue, newTop: versusLabel, newTopProbability: base![versus]! };
      smallest = true;
    } else {
      const search = await smallestChange(input, versus, shapley.values, cp.predict, s);
      exhaustiveUpTo = search.exhaustiveUpTo;
      tried = search.tried;
      if (search.best) {
        const p = search.best.probabilities;
        change = { removedWords: search.best.removed, marginAfter: p[target]! - p[versus]!, newTop: versusLabel, newTopProbability: p[versus]! };
        smallest = search.best.removed.length <= exhaustiveUpTo + 1;
      }
    }
    return {
      method: 'contrast',
      version: 1,
      target: targetOf(input, base![target]!),
      settings: { ...s },
      words: input.words,
      scores: shapley.values,
      extra: {
        versus: versusLabel,
        versusIndex: versus,
        margin: shapley.fullValue,
        baseMargin: shapley.baseValue,
        change,
        smallest,
        exhaustiveUpTo,
        tried,
        exact: shapley.exact,
        samples: shapley.samples,
        stoppedByBudget: shapley.stoppedByBudget,
        additivityGap: shapley.additivityGap,
      },
      timing: { ms: now() - t0, forwardPasses: cp.stats.forwardPasses },
    };
  },
});

/**
 * `versus` and the change's answer must be the model's labels (the indices are derived from
 * them); the removed words must be distinct words of the stored message, and are kept sorted.
 */
function fitContrast(posted: ContrastExtra, { words, bot, target }: FitContext): FitOutcome<ContrastExtra> {
  const versusIndex = bot.labelIndex.get(posted.versus);
  if (versusIndex === undefined) return misfit(`extra.versus "${posted.versus}" is not a label of the ${bot.botId} model`);
  if (posted.versus === target) return misfit(`extra.versus "${posted.versus}" is the explained answer itself`);
  const fitted: ContrastExtra = { ...posted, versusIndex };
  const change = posted.change;
  if (change) {
    if (!bot.labelIndex.has(change.newTop)) return misfit(`extra.change.newTop "${change.newTop}" is not a label of the ${bot.botId} model`);
    const removed = change.removedWords;
    if (new Set(removed).size !== removed.length) return misfit('extra.change.removedWords names a word twice');
    const outside = removed.find((i) => i >= words.length);
    if (outside !== undefined) return misfit(`extra.change.removedWords names word ${outside}, but the message has ${words.length} words`);
    fitted.change = { ...change, removedWords: [...removed].sort((a, b) => a - b) };
  }
  const exhaustive = posted.exhaustiveUpTo;
  if (exhaustive !== undefined && exhaustive > words.length) return misfit(`extra.exhaustiveUpTo is ${exhaustive}, but the message has ${words.length} words`);
  return { ok: true, extra: fitted };
}
