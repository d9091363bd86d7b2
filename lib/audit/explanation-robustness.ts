// Explanation robustness: does a word-scoring explanation stay put when the message changes in a
// way that keeps its words (a filler, a greeting, punctuation)? For each message of a sample and
// one such variant, each method (LIME, and SHAP where the app has it) explains the message's
// answer on both texts; the figure is the overlap of the top three words among the words both
// texts share. And how often the methods disagree on the message's top word.
import type { Rng } from '@/lib/explain/rng';
import type { AnyExplainer, ExplainInput } from '@/lib/explain/explainer';
import { rankWords } from '@/lib/explain/faithfulness';
import { EXPLAINERS } from '@/lib/explain/methods';
import { wordSpans } from '@/lib/model/spans';
import type { WordSpan } from '@/lib/model/types';
import { meanInterval, type BootstrapOptions } from './bootstrap';
import type { WordLists } from './lists';
import { perturb, WORD_KEEPING_TYPES, LIST_OF_TYPE } from './perturbations';
import type { Predictions } from './predictions';
import type { AuditReport } from './report';
import { pick } from './sampling';

/** The methods compared, where the app's explainers have them. */
export const ROBUSTNESS_METHODS: readonly string[] = ['lime', 'shap'];

/** The top words compared. */
const TOP = 3;
/** A message needs more shared words than the top, or every method trivially agrees. */
const MIN_WORDS = TOP + 1;
/** Messages with more words are left out: the word alignment is quadratic. */
const MAX_WORDS = 60;

/** The app's word-scoring explainers among ROBUSTNESS_METHODS, in the app's order. */
export function robustnessExplainers(list: readonly AnyExplainer[] = EXPLAINERS): AnyExplainer[] {
  return list.filter((descriptor) => descriptor.scoresWords && ROBUSTNESS_METHODS.includes(descriptor.method));
}

/**
 * The words of `a` and `b` that are the same word in both: a longest common subsequence of
 * their words (compared in lower case), as index pairs [in a, in b].
 */
export function sharedWords(a: readonly WordSpan[], b: readonly WordSpan[]): [number, number][] {
  const x = a.map((word) => word.text.toLowerCase());
  const y = b.map((word) => word.text.toLowerCase());
  const table = Array.from({ length: x.length + 1 }, () => new Int32Array(y.length + 1));
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) table[i]![j] = x[i] === y[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
  }
  const pairs: [number, number][] = [];
  for (let i = 0, j = 0; i < x.length && j < y.length; ) {
    if (x[i] === y[j]) pairs.push([i++, j++]);
    else if (table[i + 1]![j]! >= table[i]![j + 1]!) i++;
    else j++;
  }
  return pairs;
}

/** The `k` words (as indices of `a`) with the highest scores among `indices`, ties to the earlier word. */
function topAmong(scores: readonly number[], indices: readonly number[], k: number): number[] {
  return rankWords(indices.map((i) => scores[i]!))
    .slice(0, k)
    .map((r) => indices[r]!);
}

/** Top-k overlap of two explanations on their shared words: |top_k(a) ∩ top_k(b)| / k, b's words mapped to a's. */
export function topOverlap(scoresA: readonly number[], scoresB: readonly number[], shared: readonly [number, number][], k = TOP): number {
  const topA = topAmong(scoresA, shared.map(([i]) => i), k);
  const toA = new Map(shared.map(([i, j]) => [j, i]));
  const topB = topAmong(scoresB, shared.map(([, j]) => j), k).map((j) => toA.get(j)!);
  return topA.filter((i) => topB.includes(i)).length / k;
}

export interface ExplanationRobustnessOptions {
  /** The audited messages. */
  messages: readonly string[];
  lists: WordLists | null;
  locale: string;
  predictions: Predictions;
  /** Per message index, its stream. */
  rng: (message: number) => Rng;
  /** Samples each method draws (the panel's floor: LIME's `minSamples`). */
  samples: number;
  seed: number;
  bootstrap: BootstrapOptions;
  explainers?: readonly AnyExplainer[];
  onProgress?: (done: number, total: number) => void;
}

/** Settings for a sampling explainer: `samples`, a fixed seed and no time budget, for whichever of them it has. */
function samplingSettings(descriptor: AnyExplainer, samples: number, seed: number): Record<string, unknown> {
  const defaults = descriptor.defaults as Record<string, unknown>;
  const settings: Record<string, unknown> = {};
  if ('samples' in defaults) settings.samples = samples;
  if ('minSamples' in defaults) settings.minSamples = Math.min(samples, Number(defaults.minSamples));
  if ('seed' in defaults) settings.seed = seed;
  if ('timeBudgetMs' in defaults) settings.timeBudgetMs = null;
  return settings;
}

/** The suite on the messages at `indices`, or null when none of them has a word-keeping variant or no method runs. */
export async function explanationRobustness(indices: readonly number[], options: ExplanationRobustnessOptions): Promise<AuditReport['explanationRobustness']> {
  const explainers = options.explainers ?? robustnessExplainers();
  const types = WORD_KEEPING_TYPES.filter((type) => LIST_OF_TYPE[type] === null || options.lists?.[LIST_OF_TYPE[type]!] !== undefined);
  if (explainers.length === 0 || types.length === 0) return null;
  const overlaps = explainers.map(() => [] as number[]);
  const disagreements: number[] = [];
  let cases = 0;
  options.onProgress?.(0, indices.length);
  for (const [done, index] of indices.entries()) {
    const text = options.messages[index]!;
    const rng = options.rng(index);
    const variant = perturb(pick(rng, types), text, { lists: options.lists, locale: options.locale, rng });
    const words = wordSpans(text, options.locale);
    const variantWords = variant === null ? [] : wordSpans(variant, options.locale);
    const shared = variant === null || words.length > MAX_WORDS || variantWords.length > MAX_WORDS ? [] : sharedWords(words, variantWords);
    if (variant !== null && shared.length >= MIN_WORDS) {
      const target = options.predictions.answer(text).index;
      const input = (t: string, w: WordSpan[]): ExplainInput => ({ text: t, words: w, predict: options.predictions.cache.predict, labels: options.predictions.classifier.labels, target });
      const tops: number[] = [];
      for (const [m, descriptor] of explainers.entries()) {
        const settings = samplingSettings(descriptor, options.samples, options.seed);
        const onMessage = await descriptor.explain(input(text, words), settings);
        const onVariant = await descriptor.explain(input(variant, variantWords), settings);
        overlaps[m]!.push(topOverlap(onMessage.scores!, onVariant.scores!, shared));
        tops.push(rankWords(onMessage.scores!)[0]!);
      }
      if (tops.length >= 2) disagreements.push(tops.some((top) => top !== tops[0]) ? 1 : 0);
      cases++;
    }
    options.onProgress?.(done + 1, indices.length);
  }
  if (cases === 0) return null;
  return {
    cases,
    methods: explainers.map((descriptor) => descriptor.method),
    top3Overlap: explainers.map((descriptor, m) => ({ method: descriptor.method, overlap: meanInterval(overlaps[m]!, { ...options.bootstrap, seed: options.bootstrap.seed + m }) })),
    methodDisagreement: explainers.length >= 2 ? meanInterval(disagreements, options.bootstrap) : null,
  };
}

/** Whether a message is long enough for the suite (more words than the top compared). */
export function explainable(text: string, locale: string): boolean {
  const count = wordSpans(text, locale).length;
  return count >= MIN_WORDS && count <= MAX_WORDS;
}
