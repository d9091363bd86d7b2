// The one interface every explainer shares (after Captum's `Method(forward).attribute()` and
// LIT's interpreters): the same input, one serialisable `Explanation` out. The panel renders
// by `method`; the database stores the very same object; the admin view renders the stored
// object, never a recomputation. The code runs unchanged in the browser worker and in Node.
import type { Analysis, PredictFn, SimilarExample, WordSpan } from '@/lib/model/types';

export type ExplanationMethod = 'attention' | 'rollout' | 'lime' | 'occlusion' | 'counterfactual' | 'similar';

/** Methods that give every word a score, and so get a faithfulness evaluation. */
export const WORD_SCORING_METHODS = ['attention', 'rollout', 'lime', 'occlusion'] as const satisfies readonly ExplanationMethod[];
export type WordScoringMethod = (typeof WORD_SCORING_METHODS)[number];

export interface ExplainInput {
  /** The text exactly as the user typed it. */
  text: string;
  /** The words the user typed, with their character spans in `text` (lib/model `wordSpans`). */
  words: WordSpan[];
  /** Batched classifier: calibrated probabilities per text (rows sum to 1). */
  predict: PredictFn;
  /** Class names, in the order of `predict`'s probabilities. */
  labels: string[];
  /** Index of the class being explained (normally the predicted one). */
  target: number;
  /** The forward pass on `text`: attentions, tokens, embedding. Needed by attention/rollout. */
  analysis?: Analysis;
  /** Nearest training examples for the sentence embedding. Needed by the similar-questions explainer. */
  similar?: (embedding: number[], k: number) => SimilarExample[];
}

/**
 * ERASER faithfulness (DeYoung et al. 2020) of one word-scoring explanation, for the target
 * class. Comprehensiveness: p(target | text) − p(target | text without the top-k words)
 * (higher = the words mattered). Sufficiency: p(target | text) − p(target | only the
 * top-k words) (lower = the words suffice). Deletion AUC: area under p(target) as words are
 * removed most-important first, x normalised to [0, 1] (lower = more faithful).
 */
export interface Faithfulness {
  /** k = 1, 2, 3 words and 20 % of the words (at least one), in that order. */
  comprehensiveness: { k: string; value: number }[];
  sufficiency: { k: string; value: number }[];
  /** Means over the k levels above: the figures shown and stored as columns. */
  meanComprehensiveness: number;
  meanSufficiency: number;
  deletionAuc: number;
}

export interface Explanation {
  method: ExplanationMethod;
  /** Bumped when the shape of `extra` for this method changes. */
  version: 1;
  target: { index: number; label: string; probability: number };
  /** Everything needed to reproduce the result, the seed included when there is randomness. */
  settings: Record<string, unknown> & { seed?: number };
  /** The words the scores refer to: as typed, with their spans. */
  words: WordSpan[];
  /** One score per word (positive = for the target class), or null for methods that do not score words. */
  scores: number[] | null;
  /** Method-specific data (attention matrices, surrogate fit, counterfactual, neighbours…). */
  extra: Record<string, unknown>;
  /** Present for word-scoring methods once evaluated. */
  faithfulness?: Faithfulness;
  timing: { ms: number; forwardPasses: number };
}

export interface Explainer<Settings extends object = Record<string, unknown>> {
  readonly method: ExplanationMethod;
  readonly defaults: Settings;
  explain(input: ExplainInput, settings?: Partial<Settings>): Promise<Explanation>;
}
