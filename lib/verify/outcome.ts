import type { VerificationOutcome } from '@/lib/db/queries/chat';

/**
 * Verified when the server's run of the model picks the intent the browser reported (the
 * browser reports its most probable intent, out-of-scope included); a mismatch otherwise.
 * Either way the server's own intent and confidence are kept next to the reported ones.
 */
export function compareWithReport(
  predictionId: string,
  reportedIntent: string,
  labels: string[],
  probabilities: number[],
): VerificationOutcome {
  let top = 0;
  for (let i = 1; i < probabilities.length; i++) if (probabilities[i]! > probabilities[top]!) top = i;
  const verifiedIntent = labels[top]!;
  return {
    predictionId,
    verification: verifiedIntent === reportedIntent ? 'verified' : 'mismatch',
    verifiedIntent,
    verifiedConfidence: probabilities[top]!,
  };
}

export function failed(predictionId: string): VerificationOutcome {
  return { predictionId, verification: 'failed', verifiedIntent: null, verifiedConfidence: null };
}
