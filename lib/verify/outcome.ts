import { decide } from '@/lib/bot/policy';
import type { PredictionRecord } from '@/lib/records/turn';
import type { VerificationOutcome } from '@/lib/db/queries/verifications';
import { isUnreadable } from '@/lib/model/readability';
import type { Thresholds } from '@/lib/model/types';

/** What the browser reported of its run, as far as the server checks it. */
export type ReportedPrediction = Pick<PredictionRecord, 'intent' | 'confidence' | 'topK' | 'decision'>;

/**
 * The dialogue policy's inputs from the model card, and the characters of the model's training
 * texts (`trainingCharacters`), which say whether it can read a message.
 */
export type PolicySettings = { thresholds: Thresholds; outOfScopeLabel: string | null; characters: string };

/**
 * How far a reported probability may be from the server's own run: the browser runs the same
 * model on WebAssembly or WebGPU in float32, which agree with onnxruntime-node to about 1e-4;
 * a forged figure is off by far more.
 */
export const PROBABILITY_TOLERANCE = 0.01;

/**
 * Verified only when the server's run of the model agrees with everything the browser reported:
 * the same top intent (out-of-scope included), its confidence and every top-k probability within
 * `PROBABILITY_TOLERANCE`, and the decision the dialogue policy takes on the server's
 * probabilities (or, within the tolerance of one of its thresholds, on either side of it), with
 * the readability of `text` derived again from the model's training characters: a message the
 * rule cannot read must be reported `unreadable`, and only such a message may be. A mismatch
 * otherwise, with the first disagreement as its reason. Either way the server's own intent and
 * confidence are kept next to the reported ones.
 */
export function compareWithReport(
  predictionId: string,
  reported: ReportedPrediction,
  labels: readonly string[],
  probabilities: readonly number[],
  policy: PolicySettings,
  text: string,
): VerificationOutcome {
  let top = 0;
  for (let i = 1; i < probabilities.length; i++) if (probabilities[i]! > probabilities[top]!) top = i;
  const verifiedIntent = labels[top]!;
  const verifiedConfidence = probabilities[top]!;
  const reason = disagreement(reported, labels, probabilities, policy, text, verifiedIntent, verifiedConfidence);
  return { predictionId, verification: reason === null ? 'verified' : 'mismatch', verifiedIntent, verifiedConfidence, reason };
}

const percent = (p: number) => `${(p * 100).toFixed(1)} %`;

/** The first thing the report says that the server's run does not, as one clause; null when they agree. */
function disagreement(
  reported: ReportedPrediction,
  labels: readonly string[],
  probabilities: readonly number[],
  policy: PolicySettings,
  text: string,
  verifiedIntent: string,
  verifiedConfidence: number,
): string | null {
  if (verifiedIntent !== reported.intent) return `the server's run gave ${verifiedIntent} (${percent(verifiedConfidence)}), not the reported ${reported.intent}`;
  if (Math.abs(reported.confidence - verifiedConfidence) > PROBABILITY_TOLERANCE) {
    return `the reported confidence ${percent(reported.confidence)} is not the server's ${percent(verifiedConfidence)}`;
  }
  for (const entry of reported.topK) {
    const index = labels.indexOf(entry.intent);
    if (index < 0) return `the reported top intents name ${entry.intent}, which is not a label of this model version`;
    if (Math.abs(entry.probability - probabilities[index]!) > PROBABILITY_TOLERANCE) {
      return `the reported probability of ${entry.intent} (${percent(entry.probability)}) is not the server's ${percent(probabilities[index]!)}`;
    }
  }
  const unreadable = isUnreadable(text, policy.characters);
  if (!decisionAgrees(reported.decision, labels, probabilities, policy, unreadable)) {
    return unreadable
      ? `the model cannot read this message, so the decision is unreadable, not the reported ${reported.decision}`
      : `the dialogue policy on the server's run does not decide ${reported.decision}, as reported`;
  }
  return null;
}

/** The policy's decision on the server's probabilities is the reported one, or the reported one is a tolerance away. */
function decisionAgrees(reported: ReportedPrediction['decision'], labels: readonly string[], probabilities: readonly number[], policy: PolicySettings, unreadable: boolean): boolean {
  // Readability is exact (the same rule on the same text), so it takes no tolerance.
  if (unreadable || reported === 'unreadable') return unreadable && reported === 'unreadable';
  const input = { labels: [...labels], thresholds: policy.thresholds, outOfScopeLabel: policy.outOfScopeLabel };
  const decisions = [0, -PROBABILITY_TOLERANCE, PROBABILITY_TOLERANCE].flatMap((shift) => [
    decide({ ...input, probabilities: [...probabilities], thresholds: { outOfScope: policy.thresholds.outOfScope + shift, ambiguityMargin: policy.thresholds.ambiguityMargin } }).kind,
    decide({ ...input, probabilities: [...probabilities], thresholds: { outOfScope: policy.thresholds.outOfScope, ambiguityMargin: policy.thresholds.ambiguityMargin + 2 * shift } }).kind,
  ]);
  return decisions.includes(reported);
}

/** The server could not check the record: `reason` says why, in one clause ("model version … was retired on …"). */
export function failed(predictionId: string, reason: string): VerificationOutcome {
  return { predictionId, verification: 'failed', verifiedIntent: null, verifiedConfidence: null, reason };
}

/** A record the server cannot check against any model it has (a bot with no model): as risky as a mismatch, never the mildest state. */
export function unverifiable(predictionId: string, reason: string): VerificationOutcome {
  return { predictionId, verification: 'mismatch', verifiedIntent: null, verifiedConfidence: null, reason };
}
