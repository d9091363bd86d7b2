import { WORD_SCORING_METHODS } from '@/lib/explain';
import type { ExplanationRecord } from '@/lib/records/explanation';

/** The word each scoring method ranks first: when they differ, the methods disagree. */
export function topWordsByMethod(explanations: readonly ExplanationRecord[]): Map<string, number> {
  const top = new Map<string, number>();
  for (const explanation of explanations) {
    const scores = explanation.scores;
    if (!(WORD_SCORING_METHODS as readonly string[]).includes(explanation.method) || !scores?.length) continue;
    let best = 0;
    scores.forEach((score, i) => {
      if (score > scores[best]!) best = i;
    });
    top.set(explanation.method, best);
  }
  return top;
}

/**
 * What a prediction records of its explanations, for the admin's filters and risk score: the
 * lowest faithfulness (comprehensiveness) of any method, and whether the word-scoring methods
 * disagree on the most important word. A figure with nothing to derive it from is absent.
 */
export function explanationSummary(explanations: readonly ExplanationRecord[]): { minFaithfulness?: number; methodsDisagree?: boolean } {
  const faithfulness = explanations.flatMap((e) => (e.faithfulness ? [e.faithfulness.meanComprehensiveness] : []));
  const tops = new Set(topWordsByMethod(explanations).values());
  return {
    ...(faithfulness.length > 0 ? { minFaithfulness: Math.min(...faithfulness) } : {}),
    ...(tops.size > 0 ? { methodsDisagree: tops.size > 1 } : {}),
  };
}
