// The explainers, and `explainAll`: every applicable explainer for one message, fast ones
// first, sharing one cache of predictions, each word-scoring result with its faithfulness.
import { jsonSafe, now } from './common';
import type { AnyExplainer, ExplainInput, SettingsFrom } from './explainer';
import { evaluateFaithfulness } from './faithfulness';
import { applicableMethods, EXPLAINERS, type AppExplainer, type Explanation, type ExplanationMethod } from './methods';
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
} from './methods';
export { attentionExplainer, type AttentionExtra, type AttentionSettings } from './attention';
export { rolloutExplainer, rolloutMatrix, memberLayers, type RolloutExtra, type RolloutSettings } from './rollout';
export { limeExplainer, limeMasks, limeWeight, weightedRidge, type LimeExtra, type LimeSettings } from './lime';
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
   * Time for the whole run, in ms. LIME, which runs last, gets what is left of it when it
   * starts (at least `MIN_LIME_BUDGET_MS`) as its `timeBudgetMs`, unless its settings set one;
   * the budget it got is in its stored settings. Without it, LIME keeps its own default.
   */
  budgetMs?: number;
}

/** LIME's least share of a run's budget, however long the methods before it took. */
export const MIN_LIME_BUDGET_MS = 50;

/**
 * Runs the explainers on one message in the order attention, rollout, occlusion,
 * counterfactual, similar, lime (methods whose inputs are missing are skipped), sharing one cache of
 * predictions (primed with `analysis.probabilities` when given). Word-scoring results get
 * `faithfulness`. `onProgress(done, total, method)` is called after each method. Every result
 * is plain JSON (no typed arrays, no NaN).
 */
export async function explainAll(
  input: ExplainInput,
  options: ExplainAllOptions = {},
  onProgress?: (done: number, total: number, method: ExplanationMethod) => void,
): Promise<Explanation[]> {
  const started = now();
  const shared = cachedPredict(input.predict, options.batchSize ?? 64);
  if (input.analysis && input.analysis.text === input.text) shared.prime(input.text, input.analysis.probabilities);
  const sharedInput: ExplainInput = { ...input, predict: shared.predict };
  const allowed = applicableMethods(input);
  const methods = allowed.filter((m) => !options.methods || options.methods.includes(m));
  const out: Explanation[] = [];
  let lastFaithfulnessMs = 0;
  for (const [i, method] of methods.entries()) {
    options.signal?.throwIfAborted();
    // The settings of the method being run: each descriptor merges them over its own defaults.
    const explainer: AnyExplainer = EXPLAINERS.find((descriptor) => descriptor.method === method)!;
    const settings: Record<string, unknown> = { ...options.settings?.[method] };
    if (options.batchSize !== undefined && 'batchSize' in explainer.defaults && settings.batchSize === undefined) settings.batchSize = options.batchSize;
    if (options.ensembleMembers !== undefined && 'members' in explainer.defaults && settings.members === undefined) settings.members = options.ensembleMembers;
    if (options.budgetMs !== undefined && 'timeBudgetMs' in explainer.defaults && settings.timeBudgetMs === undefined) {
      // Its own faithfulness follows it: keep as long as the last one took.
      const left = options.budgetMs - (now() - started) - lastFaithfulnessMs;
      settings.timeBudgetMs = Math.max(MIN_LIME_BUDGET_MS, Math.round(left));
    }
    const explanation = (await explainer.explain(sharedInput, settings)) as Explanation;
    if (options.faithfulness !== false && explainer.scoresWords && explanation.scores) {
      const faithfulnessStarted = now();
      explanation.faithfulness = await evaluateFaithfulness(sharedInput, explanation.scores, shared.predict);
      lastFaithfulnessMs = now() - faithfulnessStarted;
    }
    out.push(jsonSafe(explanation));
    onProgress?.(i + 1, methods.length, method);
  }
  return out;
}
