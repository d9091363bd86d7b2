// The list of explainers, and everything derived from it: the method names and their type, the
// word-scoring methods, which methods an input allows, the panel order and the display names.
// Each derivation is a function of a descriptor list, applied here to the app's list, so a test
// can build the same things for a list with one more method.
import { attentionExplainer } from './attention';
import { contrastExplainer } from './contrast';
import { counterfactualExplainer } from './counterfactual';
import type { AnyExplainer, ExplainerView, ExplainInput, ExplanationFrom } from './explainer';
import { limeExplainer } from './lime';
import { occlusionExplainer } from './occlusion';
import { rolloutExplainer } from './rollout';
import { shapExplainer } from './shap';
import { similarExplainer } from './similar';

/**
 * Every explainer, in the order `explainAll` runs them: free ones first, then by cost, the
 * ones whose cost stretches with their samples last — contrast (only when asked for, with a
 * `versus`), SHAP, then LIME — so under a time budget they share what the others left (one
 * before LIME may be dropped; LIME always runs). Adding a method is one file and one line here
 * (lib/explain/README.md).
 */
export const EXPLAINERS = [
  attentionExplainer,
  rolloutExplainer,
  occlusionExplainer,
  counterfactualExplainer,
  similarExplainer,
  contrastExplainer,
  shapExplainer,
  limeExplainer,
] as const;

export type AppExplainer = (typeof EXPLAINERS)[number];
export type ExplanationMethod = AppExplainer['method'];
/** One explainer's output: a union discriminated by `method`, each with its method's `settings` and `extra`. */
export type Explanation = ExplanationFrom<AppExplainer>;
/** The explanation of one method. */
export type ExplanationOfMethod<M extends ExplanationMethod> = Extract<Explanation, { method: M }>;
export type WordScoringMethod = Extract<AppExplainer, { scoresWords: true }>['method'];
/** The methods that declare view `V`, and their explanations. */
export type MethodWithView<V extends ExplainerView> = Extract<AppExplainer, { view: V }>['method'];
export type ExplanationWithView<V extends ExplainerView> = ExplanationOfMethod<MethodWithView<V>>;

/** A method `explainAll` left out of a run, and why (the panel says what it dropped). */
export interface SkippedMethod {
  method: ExplanationMethod;
  reason: 'time budget';
}

/** The method names of a list, in its order, as a non-empty tuple (for `z.enum`). */
export function methodsOf<D extends AnyExplainer>(list: readonly D[]): [D['method'], ...D['method'][]] {
  if (list.length === 0) throw new Error('an explainer list needs at least one explainer');
  const methods = list.map((descriptor) => descriptor.method);
  if (new Set(methods).size !== methods.length) throw new Error(`an explainer list names a method twice: ${methods.join(', ')}`);
  return methods as [D['method'], ...D['method'][]];
}

export const EXPLANATION_METHODS = methodsOf(EXPLAINERS);

/** Methods that give every word a score, and so get a faithfulness evaluation. */
export function wordScoringMethodsOf<D extends AnyExplainer>(list: readonly D[]): Extract<D, { scoresWords: true }>['method'][] {
  return list.filter((descriptor): descriptor is Extract<D, { scoresWords: true }> => descriptor.scoresWords).map((descriptor) => descriptor.method);
}

export const WORD_SCORING_METHODS: readonly WordScoringMethod[] = wordScoringMethodsOf(EXPLAINERS);

/** The descriptor of `method` in `list`, or undefined for a method the list does not know. */
export function descriptorOf<D extends AnyExplainer>(list: readonly D[], method: string): D | undefined {
  return list.find((descriptor) => descriptor.method === method);
}

/** The methods of `list` the input has what they need for (the model's internals, the similar-questions index). */
export function applicableMethodsOf<D extends AnyExplainer>(list: readonly D[], input: ExplainInput): D['method'][] {
  return list.filter((descriptor) => descriptor.needs.every((need) => input[need] !== undefined)).map((descriptor) => descriptor.method);
}

export const applicableMethods = (input: ExplainInput): ExplanationMethod[] => applicableMethodsOf(EXPLAINERS, input);

/**
 * The order the panel shows methods in, and stored explanations are listed in: the word-scoring
 * methods first, then the others, each in the list's order.
 */
export function panelOrderOf<D extends AnyExplainer>(list: readonly D[]): D['method'][] {
  return [...list.filter((descriptor) => descriptor.scoresWords), ...list.filter((descriptor) => !descriptor.scoresWords)].map((descriptor) => descriptor.method);
}

export const PANEL_ORDER: readonly ExplanationMethod[] = panelOrderOf(EXPLAINERS);

/** `rows` sorted into the panel order of `list` (default: the app's); methods the list does not know go last. */
export function inPanelOrder<T extends { method: string }>(rows: readonly T[], list: readonly AnyExplainer[] = EXPLAINERS): T[] {
  const order: readonly string[] = panelOrderOf(list);
  const rank = (method: string) => (order.includes(method) ? order.indexOf(method) : order.length);
  return [...rows].sort((a, b) => rank(a.method) - rank(b.method));
}

/** Each method's name, as the panel and the admin show it. */
export function labelsOf<D extends AnyExplainer>(list: readonly D[]): Record<D['method'], string> {
  return Object.fromEntries(list.map((descriptor) => [descriptor.method, descriptor.label])) as Record<D['method'], string>;
}

export const METHOD_LABELS: Readonly<Record<ExplanationMethod, string>> = labelsOf(EXPLAINERS);

/** The name of `method` as the panel and the admin show it, or the method's own name for one `list` does not know. */
export function methodLabel(method: string, list: readonly AnyExplainer[] = EXPLAINERS): string {
  return descriptorOf(list, method)?.label ?? method;
}

/** The short name of `method` (a segmented control, a table column), or the method's own name for one `list` does not know. */
export function methodShortLabel(method: string, list: readonly AnyExplainer[] = EXPLAINERS): string {
  return descriptorOf(list, method)?.shortLabel ?? method;
}

/**
 * The word-scoring methods in the order the word-evidence view offers them: those whose scores
 * a customer may see first (highest `customerRank` first), then the others in panel order.
 */
export function wordViewOrderOf<D extends AnyExplainer>(list: readonly D[]): D[] {
  const panel: readonly string[] = panelOrderOf(list);
  const rank = (descriptor: D) => descriptor.customerRank ?? Number.NEGATIVE_INFINITY;
  return list
    .filter((descriptor) => descriptor.scoresWords)
    .sort((a, b) => rank(b) - rank(a) || panel.indexOf(a.method) - panel.indexOf(b.method));
}
