// The explainers, and `explainAll`: every applicable explainer for one message, fast ones
// first, sharing one cache of predictions, each word-scoring result with its faithfulness.
import { jsonSafe, now } from './common';
import type { PredictFn } from '@/lib/model/types';
import type { AnyExplainer, ExplainInput, SettingsFrom } from './explainer';
import { evaluateFaithfulness } from './faithfulness';
import { applicableMethods, EXPLAINERS, type AppExplainer, type Explanation, type ExplanationMethod, type SkippedMethod } from './methods';
import { cachedPredict } from './perturb';

export * from './types';
export { defineExplainer, type ExplanationFrom, type SettingsFrom, type StringFieldKind } from './explainer';
export {
  EXPLAINERS,
  EXPLANATION_METHODS,
  METHOD_LABELS,
  PANEL_ORDER,
  applicableMethods,
  applicableMethodsOf,
  descriptorOf,
  inPanelOrder,
  methodLabel,
  methodShortLabel,
  wordViewOrderOf,
  labelsOf,
  methodsOf,
  panelOrderOf,
  wordScoringMethodsOf,
  type AppExplainer,
  type MethodWithView,
  type SkippedMethod,
} from './methods';
export { attentionExplainer, type AttentionExtra, type AttentionSettings } from './attention';
export { rolloutExplainer, rolloutMatrix, memberLayers, type RolloutExtra, type RolloutSettings } from './rollout';
export { limeExplainer, limeMasks, limeWeight, weightedRidge, type LimeExtra, type LimeSettings } from './lime';
export {
  shapExplainer,
  shapleyValues,
  kernelShapPlan,
  planWeights,
  solveKernelShap,
  MAX_EXACT_WORDS,
  type CoalitionValue,
  type ShapExtra,
  type ShapSettings,
  type ShapleyOptions,
  type ShapleyResult,
} from './shap';
export { contrastExplainer, type ContrastChange, type ContrastExtra, type ContrastSettings } from './contrast';
export { occlusionExplainer, type OcclusionExtra, type OcclusionSettings } from './occlusion';
export { counterfactualExplainer, type CounterfactualExtra, type CounterfactualSettings } from './counterfactual';
export { similarExplainer, type SimilarExtra, type SimilarSettings } from './similar';
export { evaluateFaithfulness, faithfulnessLevels, rankWords } from './faithfulness';
export { cachedPredict, removeWords, keepOnlyWords, textWithWords, type CachedPredictor, type PredictStats } from './perturb';
export { createRng, type Rng } from './rng';
export { jsonSafe } from './common';

type SettingsOf<M extends ExplanationMethod> = SettingsFrom<Extract<AppExplainer, { method: M }>>;

export interface ExplainAllOptions {
  /** Which methods to run (default: all that the input allows), always in EXPLAINERS order. */
  methods?: ExplanationMethod[];
  /** Per-method settings, merged over each explainer's defaults. */
  settings?: { [M in ExplanationMethod]?: Partial<SettingsOf<M>> };
  /** Evaluate faithfulness of word-scoring methods (default true). */
  faithfulness?: boolean;
  /** Texts per forward pass for the shared predictor (default 64). */
  batchSize?: number;
  /**
   * Ensemble members stacked in the model's attentions (config.json `ensemble_members`,
   * default 1): used by attention and rollout unless their settings say otherwise.
   */
  ensembleMembers?: number;
  /** Checked between methods: a newer message can cancel the rest. */
  signal?: AbortSignal;
  /**
   * Time for the whole run, in ms. The methods whose cost stretches (a `timeBudgetMs` setting:
   * SHAP, then LIME, last) share what is left of it when they start: each gets an equal part
   * of what is left (the last one all of it, and at least `MIN_STRETCH_BUDGET_MS`) as its
   * `timeBudgetMs`, unless its settings set one; the budget it got is in its stored settings.
   * One that is not last is dropped (`onSkip`) when its part cannot fit its floor of
   * `minSamples` texts at the pace the run's forward passes have shown. Without a budget, each
   * keeps its own default.
   */
  budgetMs?: number;
  /** Told of each method left out of the run, and why (the panel says what it dropped). */
  onSkip?: (skipped: SkippedMethod) => void;
}

/** The least share of a run's budget a stretching method gets, however long the methods before it took. */
export const MIN_STRETCH_BUDGET_MS = 50;
/** LIME's least share of a run's budget (LIME runs last, so it is never dropped). */
export const MIN_LIME_BUDGET_MS = MIN_STRETCH_BUDGET_MS;

/** A method whose cost stretches with its samples: it takes a time budget. */
const stretches = (explainer: AnyExplainer): boolean => 'timeBudgetMs' in explainer.defaults;

/**
 * Runs the explainers on one message in the order of `EXPLAINERS` (attention, rollout,
 * occlusion, counterfactual, similar, shap, lime; methods whose inputs are missing are skipped,
 * and contrast runs only when asked for with a `versus`), sharing one cache of predictions
 * (primed with `analysis.probabilities` when given). Word-scoring results get `faithfulness`.
 * `onProgress(done, total, method)` is called after each method, a method dropped for the
 * time budget included (`onSkip` says which). Every result is plain JSON (no typed arrays, no NaN).
 */
export async function explainAll(
  input: ExplainInput,
  options: ExplainAllOptions = {},
  onProgress?: (done: number, total: number, method: ExplanationMethod) => void,
): Promise<Explanation[]> {
  const started = now();
  // The pace of the model in this run (ms per text), to tell whether a method's floor fits.
  const pace = { ms: 0, texts: 0 };
  const timed: PredictFn = async (texts) => {
    const t = now();
    try {
      return await input.predict(texts);
    } finally {
      pace.ms += now() - t;
      pace.texts += texts.length;
    }
  };
  const shared = cachedPredict(timed, options.batchSize ?? 64);
  if (input.analysis && input.analysis.text === input.text) shared.prime(input.text, input.analysis.probabilities);
  const sharedInput: ExplainInput = { ...input, predict: shared.predict };
  const allowed = applicableMethods(input);
  const methods = allowed.filter((m) => !options.methods || options.methods.includes(m));
  const out: Explanation[] = [];
  let slowestFaithfulnessMs = 0;
  for (const [i, method] of methods.entries()) {
    options.signal?.throwIfAborted();
    // The settings of the method being run: each descriptor merges them over its own defaults.
    const explainer: AnyExplainer = EXPLAINERS.find((descriptor) => descriptor.method === method)!;
    const settings: Record<string, unknown> = { ...options.settings?.[method] };
    if (options.batchSize !== undefined && 'batchSize' in explainer.defaults && settings.batchSize === undefined) settings.batchSize = options.batchSize;
    if (options.ensembleMembers !== undefined && 'members' in explainer.defaults && settings.members === undefined) settings.members = options.ensembleMembers;
    if (options.budgetMs !== undefined && stretches(explainer) && settings.timeBudgetMs === undefined) {
      // The stretching methods still to run share what is left; each one's faithfulness follows
      // it, so keep as long as the slowest one so far took for each.
      const sharing = methods.slice(i).filter((m) => stretches(EXPLAINERS.find((d) => d.method === m)!) && (options.settings?.[m] as { timeBudgetMs?: unknown } | undefined)?.timeBudgetMs === undefined).length;
      const left = options.budgetMs - (now() - started) - sharing * slowestFaithfulnessMs;
      const share = left / sharing;
      if (sharing > 1 && !floorFits(explainer, settings, input.words.length, share, pace)) {
        options.onSkip?.({ method, reason: 'time budget' });
        onProgress?.(i + 1, methods.length, method);
        continue;
      }
      settings.timeBudgetMs = Math.max(MIN_STRETCH_BUDGET_MS, Math.round(share));
    }
    const explanation = (await explainer.explain(sharedInput, settings)) as Explanation;
    if (options.faithfulness !== false && explainer.scoresWords && explanation.scores) {
      const faithfulnessStarted = now();
      explanation.faithfulness = await evaluateFaithfulness(sharedInput, explanation.scores, shared.predict);
      slowestFaithfulnessMs = Math.max(slowestFaithfulnessMs, now() - faithfulnessStarted);
    }
    out.push(jsonSafe(explanation));
    onProgress?.(i + 1, methods.length, method);
  }
  return out;
}

/**
 * Whether a stretching method's floor fits in `share` ms: at least `MIN_STRETCH_BUDGET_MS`, and
 * its `minSamples` texts (no more than the 2^n subsets of the words there are) at the pace seen
 * so far (unknown before any forward pass: then it fits).
 */
function floorFits(explainer: AnyExplainer, settings: Record<string, unknown>, words: number, share: number, pace: { ms: number; texts: number }): boolean {
  if (share < MIN_STRETCH_BUDGET_MS) return false;
  if (pace.texts === 0) return true;
  const merged: Record<string, unknown> = { ...explainer.defaults, ...settings };
  const minSamples = typeof merged.minSamples === 'number' ? merged.minSamples : 0;
  const texts = Math.min(minSamples, 2 ** Math.min(words, 30));
  return texts * (pace.ms / pace.texts) <= share;
}
