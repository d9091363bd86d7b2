// The invariance suite's figures: for each perturbation type, how often the answer changed
// between two texts that should get the same one, and how far p moved. A robustness type pairs
// each message with its variant; an identity type pairs every two groups' variants of the same
// message and template. Intervals resample messages.
import { shareInterval, type BootstrapOptions } from './bootstrap';
import type { Predictions } from './predictions';
import { AUDIT_THRESHOLDS, type Flip, type Interval, type InvarianceRow, type InvarianceType } from './report';

/** The texts made from one message for one type, compared two by two. */
export interface PairCluster {
  /** The message's index among the audited messages. */
  message: number;
  /** The message as written: its top intent is the answer whose probability Δp follows. */
  original: string;
  /** Pairs of texts that should get the same answer. */
  pairs: (readonly [string, string])[];
}

/** A flip that may be among the worst: the pair, and how far p(the first text's answer) moved. */
export type FlipCandidate = Omit<Flip, 'explanations'> & { message: number; delta: number };

export interface InvarianceResult {
  row: InvarianceRow;
  /** The flip with the largest Δp of each message (at most one per message). */
  flips: FlipCandidate[];
}

/** Every two of `texts`, in order. */
export function allPairs(texts: readonly string[]): (readonly [string, string])[] {
  const pairs: (readonly [string, string])[] = [];
  for (let a = 0; a < texts.length; a++) for (let b = a + 1; b < texts.length; b++) pairs.push([texts[a]!, texts[b]!]);
  return pairs;
}

/** How often the answer changed within the clusters' pairs (with its interval), the mean |Δp|, and each cluster's worst flip. */
export function pairFigures(type: Flip['type'], clusters: readonly PairCluster[], predictions: Predictions, bootstrap: BootstrapOptions): { cases: number; flipRate: Interval; meanAbsDeltaP: number; flips: FlipCandidate[] } {
  const flips: number[] = [];
  const cases: number[] = [];
  let deltaSum = 0;
  let pairCount = 0;
  const worst: FlipCandidate[] = [];
  for (const cluster of clusters) {
    const reference = predictions.answer(cluster.original).index;
    let flipped = 0;
    let candidate: FlipCandidate | null = null;
    for (const [a, b] of cluster.pairs) {
      const answerA = predictions.answer(a);
      const answerB = predictions.answer(b);
      const pa = predictions.probabilities(a);
      const pb = predictions.probabilities(b);
      deltaSum += Math.abs(pb[reference]! - pa[reference]!);
      pairCount++;
      if (answerA.key === answerB.key) continue;
      flipped++;
      const originalP = pa[answerA.index]!;
      const variantP = pb[answerA.index]!;
      const delta = Math.abs(originalP - variantP);
      if (!candidate || delta > candidate.delta) {
        candidate = {
          type,
          message: cluster.message,
          original: a,
          variant: b,
          originalIntent: answerA.intent,
          variantIntent: answerB.intent,
          originalDecision: answerA.kind,
          variantDecision: answerB.kind,
          originalP,
          variantP,
          delta,
        };
      }
    }
    flips.push(flipped);
    cases.push(cluster.pairs.length);
    if (candidate) worst.push(candidate);
  }
  return { cases: pairCount, flipRate: shareInterval(flips, cases, bootstrap), meanAbsDeltaP: pairCount ? deltaSum / pairCount : 0, flips: worst };
}

/** The row of `type` from its clusters (every text predicted). */
export function invarianceRow(type: InvarianceType, family: InvarianceRow['family'], clusters: readonly PairCluster[], predictions: Predictions, bootstrap: BootstrapOptions): InvarianceResult {
  const { cases, flipRate, meanAbsDeltaP, flips } = pairFigures(type, clusters, predictions, bootstrap);
  return { row: { type, family, cases, flipRate, meanAbsDeltaP, warn: flipRate.value > AUDIT_THRESHOLDS.maxFlipRate }, flips };
}
