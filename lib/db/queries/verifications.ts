import 'server-only';
import type { Decision } from '@/lib/generated/sqlite/client';
import { db } from '../client';
import { SqlParams } from '../dialect';

/** What the server's own run of the model concluded about one stored prediction (lib/verify). */
export type VerificationOutcome = {
  predictionId: string;
  verification: 'verified' | 'mismatch' | 'failed';
  verifiedIntent: string | null;
  verifiedConfidence: number | null;
  /** Why the check did not pass, in one sentence (null when verified). */
  reason: string | null;
};

/** A reason is one sentence; anything longer is cut here, so no outcome can grow a row without bound. */
export const MAX_VERIFICATION_REASON = 300;

/** Outcomes per UPDATE statement: one statement per row through Prisma cost as much as the forward pass. */
const VERIFICATIONS_PER_STATEMENT = 200;

/**
 * Writes a batch of verification outcomes, one UPDATE statement per 200. Only a prediction still
 * pending is changed, so a second verifier (another process, the sweep) never overwrites a
 * result. Returns how many predictions changed.
 */
export async function saveVerifications(outcomes: readonly VerificationOutcome[], verifiedAt = new Date()): Promise<number> {
  let changed = 0;
  for (let start = 0; start < outcomes.length; start += VERIFICATIONS_PER_STATEMENT) {
    const params = new SqlParams();
    const at = params.time(verifiedAt, 'timestamp(3)');
    const rows = outcomes
      .slice(start, start + VERIFICATIONS_PER_STATEMENT)
      .map(
        (o) =>
          `(${params.add(o.predictionId)}, ${params.add(o.verification, '"Verification"')}, ${params.add(o.verifiedIntent, 'text')}, ${params.add(o.verifiedConfidence, 'double precision')}, ${params.add(o.reason === null ? null : o.reason.slice(0, MAX_VERIFICATION_REASON), 'text')})`,
      );
    // VALUES columns are column1..column5 on both providers.
    changed += await db().$executeRawUnsafe(
      `UPDATE "Prediction" SET "verification" = v.column2, "verifiedIntent" = v.column3, "verifiedConfidence" = v.column4, "verificationReason" = v.column5, "verifiedAt" = ${at}
       FROM (VALUES ${rows.join(', ')}) AS v
       WHERE "Prediction"."id" = v.column1 AND "Prediction"."verification" = 'pending'`,
      ...params.values,
    );
  }
  return changed;
}

/** A stored prediction that no verifier has concluded on yet, with the text as stored. */
export type PendingPrediction = {
  predictionId: string;
  botId: string;
  modelVersion: string;
  intent: string;
  confidence: number;
  topK: { intent: string; probability: number }[];
  decision: Decision;
  storedText: string;
};

/** The oldest pending predictions stored before `createdBefore`, for the verification sweep. */
export async function pendingPredictions(limit: number, createdBefore: Date): Promise<PendingPrediction[]> {
  const rows = await db().prediction.findMany({
    where: { verification: 'pending', createdAt: { lt: createdBefore } },
    orderBy: { createdAt: 'asc' },
    take: limit,
    select: { id: true, modelVersion: true, intent: true, confidence: true, topK: true, decision: true, message: { select: { text: true, conversation: { select: { botId: true } } } } },
  });
  return rows.map((row) => ({
    predictionId: row.id,
    botId: row.message.conversation.botId,
    modelVersion: row.modelVersion,
    intent: row.intent,
    confidence: row.confidence,
    // Stored from a validated record (lib/ingest), so it has this shape.
    topK: row.topK as PendingPrediction['topK'],
    decision: row.decision,
    storedText: row.message.text,
  }));
}
