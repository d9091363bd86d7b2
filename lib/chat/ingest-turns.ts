import 'server-only';
import { z } from 'zod';
import {
  MAX_TURN_BATCH_BYTES,
  MAX_TURN_BYTES,
  batchedExplanationsSchema,
  isTurnBatch,
  turnBatchSchema,
  turnRecordSchema,
  type ExplanationsBatchOutcome,
  type ExplanationsRecord,
  type TurnOutcome,
  type TurnRecord,
} from '@/lib/chat/records';
import { storeTurns } from '@/lib/db/queries/chat';
import { storeExplanationBatches } from '@/lib/db/queries/explanations';
import { ApiError, invalidBody, payloadTooLarge, readJson } from '@/lib/http/errors';
import { limitChatRecords, limitChatRequest, tooManyRecords } from '@/lib/http/rate-limit';
import { verifyAfterResponse } from '@/lib/verify/verifier';

type Schedule = (task: () => Promise<void>) => void;

const anyJson = z.unknown();

const refused = (error: ApiError): TurnOutcome => ({
  outcome: 'refused',
  status: error.status,
  error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
});

/**
 * `POST /api/turns`: one turn (answered 201 stored / 200 duplicate, or a 4xx) or a batch
 * `{ turns: [ … ], explanations?: [{ predictionId, explanations }] }` (answered 200 with one outcome
 * per record, `TurnBatchAnswer`). A batch's records are validated and stored each on its own, so a
 * bad record never blocks the good ones, and count against the rate limit one by one (turns
 * first). Explanations are stored after the turns, so a turn and its explanations can travel in
 * one post. Every stored turn with a prediction is handed to the
 * verifier after the response (`schedule` is Next's `after`).
 */
export async function ingestTurns(request: Request, schedule: Schedule): Promise<Response> {
  await limitChatRequest(request);
  const body = await readJson(request, anyJson, MAX_TURN_BATCH_BYTES);
  if (!isTurnBatch(body)) {
    // A single turn keeps its own, smaller cap (when the client declares its length).
    if (Number(request.headers.get('content-length') ?? 0) > MAX_TURN_BYTES) throw payloadTooLarge(MAX_TURN_BYTES);
    const parsed = turnRecordSchema.safeParse(body);
    if (!parsed.success) throw invalidBody(parsed.error);
    const [outcome] = await storeTurns([parsed.data]);
    if (outcome instanceof ApiError) throw outcome;
    if (outcome === 'stored') verifyAfterResponse(parsed.data, schedule);
    return Response.json({ outcome }, { status: outcome === 'stored' ? 201 : 200 });
  }
  const batch = turnBatchSchema.safeParse(body);
  if (!batch.success) throw invalidBody(batch.error);
  const postedExplanations = batch.data.explanations ?? [];
  const records = batch.data.turns.length + postedExplanations.length;
  const { fitting, retryAfterSeconds } = await limitChatRecords(request, records);
  const overLimit = () => refused(tooManyRecords(retryAfterSeconds));
  const outcomes: TurnOutcome[] = batch.data.turns.map((_, index) => (index < fitting ? { outcome: 'stored' } : overLimit()));
  const valid: { index: number; turn: TurnRecord }[] = [];
  batch.data.turns.slice(0, fitting).forEach((posted, index) => {
    const parsed = turnRecordSchema.safeParse(posted);
    if (parsed.success) valid.push({ index, turn: parsed.data });
    else outcomes[index] = refused(invalidBody(parsed.error));
  });
  const stored = await storeTurns(valid.map(({ turn }) => turn));
  stored.forEach((outcome, position) => {
    const { index, turn } = valid[position]!;
    if (outcome instanceof ApiError) {
      outcomes[index] = refused(outcome);
      return;
    }
    outcomes[index] = { outcome };
    if (outcome === 'stored') verifyAfterResponse(turn, schedule);
  });
  const explanationOutcomes = await ingestExplanations(postedExplanations, fitting - batch.data.turns.length, overLimit);
  return Response.json(
    { outcomes, ...(batch.data.explanations ? { explanationOutcomes } : {}) },
    { status: 200, headers: fitting < records ? { 'Retry-After': String(retryAfterSeconds) } : undefined },
  );
}

/** A batch's explanations, the first `fitting` of them within the rate limit: one outcome each, in the posted order. */
async function ingestExplanations(posted: unknown[], fitting: number, overLimit: () => TurnOutcome): Promise<ExplanationsBatchOutcome[]> {
  const outcomes: ExplanationsBatchOutcome[] = posted.map(() => overLimit() as ExplanationsBatchOutcome);
  const valid: { index: number; predictionId: string; record: ExplanationsRecord }[] = [];
  posted.slice(0, Math.max(0, fitting)).forEach((entry, index) => {
    const parsed = batchedExplanationsSchema.safeParse(entry);
    if (!parsed.success) {
      outcomes[index] = refused(invalidBody(parsed.error)) as ExplanationsBatchOutcome;
      return;
    }
    const { predictionId, explanations } = parsed.data;
    valid.push({ index, predictionId, record: { explanations } });
  });
  const stored = await storeExplanationBatches(valid);
  stored.forEach((outcome, position) => {
    const { index } = valid[position]!;
    outcomes[index] =
      outcome instanceof ApiError ? (refused(outcome) as ExplanationsBatchOutcome) : { outcome: outcome.stored > 0 ? 'stored' : 'duplicate', ...outcome };
  });
  return outcomes;
}
