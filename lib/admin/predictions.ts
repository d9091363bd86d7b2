import 'server-only';
import {
  predictionDetail as storedPredictionDetail,
  recordReview,
  reviewQueue as rankedReviewQueue,
  reviewSubject,
  type PredictionDetail as StoredPredictionDetail,
  type QueueRow,
  type ReviewEntry,
  type ReviewRow,
} from '@/lib/db/queries/admin';
import { inPanelOrder } from '@/lib/explain';
import { badRequest, notFound } from '@/lib/http/errors';
import { RISK_SQL } from './risk';

/** A prediction as the admin shows it: its stored explanations' payloads in the panel's order. */
export type PredictionDetail = Omit<StoredPredictionDetail, 'explanations'> & {
  /** As stored; read by the renderers' total parse, whatever it holds. */
  explanations: unknown[];
};

/** The prediction the admin opens (page and API), or the 404. */
export async function predictionDetail(id: string): Promise<PredictionDetail> {
  const detail = await storedPredictionDetail(id);
  if (!detail) throw notFound('That prediction');
  return { ...detail, explanations: inPanelOrder(detail.explanations).map((row) => row.payload) };
}

/** The "needs review" queue of a period (all time when `since` is absent), riskiest first (lib/admin/risk.ts). */
export function reviewQueue(page = 1, size = 50, since?: Date): Promise<{ rows: QueueRow[]; total: number }> {
  return rankedReviewQueue(RISK_SQL, page, size, since);
}

export type ReviewInput = { action: 'correct' | 'relabel' | 'flag' | 'note'; intent?: string; note?: string };

/**
 * Records a reviewer's decision and updates the prediction: correct keeps the model's intent as
 * the label, relabel sets another, flag marks it for a closer look; a note only adds to the
 * history. Who and when are on the Review row. Both labels must be in `knownIntents` (the labels
 * of the bot's active model version and of the version the prediction names, lib/verify/bots.ts
 * `reviewLabels`), since a reviewed label becomes training data.
 */
export async function reviewPrediction(
  predictionId: string,
  reviewerId: string,
  input: ReviewInput,
  knownIntents: ReadonlySet<string> | ((botId: string, modelVersion: string) => Promise<ReadonlySet<string>>),
): Promise<ReviewEntry> {
  const prediction = await reviewSubject(predictionId);
  if (!prediction) throw notFound('That prediction');
  const known = typeof knownIntents === 'function' ? await knownIntents(prediction.botId, prediction.modelVersion) : knownIntents;
  if (input.action === 'relabel' && (!input.intent || !known.has(input.intent))) throw badRequest('Relabel needs one of the bot’s intents.');
  // The reported intent came from the browser: only a label of the model may become training data.
  if (input.action === 'correct' && !known.has(prediction.intent)) throw badRequest('The reported intent is not one of the model’s labels; relabel this message instead.');
  if (input.action === 'note' && !input.note?.trim()) throw badRequest('A note needs some text.');
  const note = input.note?.trim() ? input.note.trim() : null;
  const intent = input.action === 'relabel' ? input.intent! : input.action === 'correct' ? prediction.intent : null;
  const status: ReviewRow['status'] =
    input.action === 'correct'
      ? { reviewStatus: 'correct', reviewedIntent: prediction.intent }
      : input.action === 'relabel'
        ? { reviewStatus: 'relabelled', reviewedIntent: intent }
        : input.action === 'flag'
          ? { reviewStatus: 'flagged', reviewedIntent: null }
          : null;
  return recordReview({ predictionId, reviewerId, action: input.action, intent, note, status });
}
