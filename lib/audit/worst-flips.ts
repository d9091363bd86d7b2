// The worst flips: the pairs whose answers differ with the largest move in p, each with the
// explanations the chat would store for both texts, so that the admin can put the two why-panels
// side by side. Negated messages are not among them: a negation may rightly change the answer.
import type { PredictFn } from '@/lib/model/types';
import type { AuditClassifier } from './classifier';
import type { FlipCandidate } from './invariance';
import type { Flip } from './report';

/** The `n` candidates with the largest Δp (one pair of texts once), largest first. */
export function worstOf(candidates: readonly FlipCandidate[], n: number): FlipCandidate[] {
  const seen = new Set<string>();
  const out: FlipCandidate[] = [];
  for (const candidate of [...candidates].sort((a, b) => b.delta - a.delta || a.message - b.message)) {
    const key = `${candidate.original}\u0000${candidate.variant}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(candidate);
    if (out.length >= n) break;
  }
  return out;
}

/** The flips as the report keeps them, with both texts' explanations when the classifier explains (each text within `budgetMs`). */
export async function explainFlips(flips: readonly FlipCandidate[], classifier: AuditClassifier, predict: PredictFn, budgetMs: number, onProgress?: (done: number, total: number) => void): Promise<Flip[]> {
  const out: Flip[] = [];
  for (const [done, candidate] of flips.entries()) {
    const flip: Flip = {
      type: candidate.type,
      original: candidate.original,
      variant: candidate.variant,
      originalIntent: candidate.originalIntent,
      variantIntent: candidate.variantIntent,
      originalDecision: candidate.originalDecision,
      variantDecision: candidate.variantDecision,
      originalP: candidate.originalP,
      variantP: candidate.variantP,
    };
    if (classifier.explain) {
      const original = await classifier.explain(flip.original, classifier.labels.indexOf(flip.originalIntent), budgetMs, predict);
      const variant = await classifier.explain(flip.variant, classifier.labels.indexOf(flip.variantIntent), budgetMs, predict);
      out.push({ ...flip, explanations: { original, variant } });
    } else {
      out.push(flip);
    }
    onProgress?.(done + 1, flips.length);
  }
  return out;
}
