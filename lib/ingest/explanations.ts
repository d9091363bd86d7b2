import 'server-only';
import { z } from 'zod';
import { type ExplanationsBatchOutcome, type TurnOutcome } from '@/lib/records/turn';
import { batchedExplanationsSchema, explanationsRecordSchema, MAX_EXPLANATIONS_BYTES, type ExplanationsRecord } from '@/lib/records/explanation';
import { explanationSubjects, fitExplanations, storeFittedExplanations, type ExplanationSubject } from '@/lib/db/queries/explanations';
import { ApiError, invalidBody, notFound, parseId, readJson } from '@/lib/http/errors';
import { limitChatBytes, limitChatRequest } from '@/lib/http/rate-limit';

const anyJson = z.unknown();
const predictionIdOnly = z.object({ predictionId: z.uuid() });

/** The size of a posted body: as the client declared it, else as it serialises. */
export function postedBytes(request: Request, body: unknown): number {
  const declared = Number(request.headers.get('content-length'));
  return Number.isFinite(declared) && declared > 0 ? declared : Buffer.byteLength(JSON.stringify(body) ?? '');
}

/**
 * `POST /api/predictions/:id/explanations`. The order is the point: the prediction is looked
 * up before the body is read (an unknown one is a 404 before any other work), the body's bytes
 * are counted against the client's budget before it is validated, and the explanations are
 * fitted to the stored message (lib/db/queries/explanations.ts `fitExplanations`) before they
 * are stored.
 */
export async function ingestExplanations(request: Request, rawPredictionId: string): Promise<Response> {
  await limitChatRequest(request);
  const predictionId = parseId(rawPredictionId, 'The prediction id');
  const subject = (await explanationSubjects([predictionId])).get(predictionId);
  if (!subject) throw notFound('That prediction');
  const body = await readJson(request, anyJson, MAX_EXPLANATIONS_BYTES);
  await limitChatBytes(request, postedBytes(request, body));
  const parsed = explanationsRecordSchema.safeParse(body);
  if (!parsed.success) throw invalidBody(parsed.error);
  const fitted = fitExplanations(subject, parsed.data);
  if (fitted instanceof ApiError) throw fitted;
  const [outcome] = await storeFittedExplanations([{ predictionId, record: fitted }], { fallBack: false });
  if (outcome instanceof ApiError) throw outcome;
  return Response.json(outcome, { status: outcome!.stored > 0 ? 201 : 200 });
}

/** A record refused within a batch: the status and error a single post would have got. */
export const refused = (error: ApiError): Extract<TurnOutcome, { outcome: 'refused' }> => ({
  outcome: 'refused',
  status: error.status,
  error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
});

/**
 * A batch post's explanations (`{ predictionId, explanations }` each), the first `fitting` of
 * them within the rate limit: one outcome each, in the posted order, as a single post would have
 * been answered. Their predictions are looked up in one query, and an unknown one is refused
 * before its explanations are parsed; `overBudget` (a 429 for the batch's bytes) refuses them all.
 */
export async function ingestExplanationBatch(posted: unknown[], fitting: number, overLimit: ApiError, overBudget: ApiError | null): Promise<ExplanationsBatchOutcome[]> {
  const outcomes: ExplanationsBatchOutcome[] = posted.map(() => refused(overBudget ?? overLimit));
  if (overBudget) return outcomes;
  const within = posted.slice(0, Math.max(0, fitting));
  const ids = within.map((entry) => predictionIdOnly.safeParse(entry));
  const subjects = await explanationSubjects(ids.flatMap((id) => (id.success ? [id.data.predictionId] : [])));
  const valid: { index: number; predictionId: string; record: ExplanationsRecord }[] = [];
  within.forEach((entry, index) => {
    const id = ids[index]!;
    const subject: ExplanationSubject | undefined = id.success ? subjects.get(id.data.predictionId) : undefined;
    if (id.success && !subject) {
      outcomes[index] = refused(notFound('That prediction'));
      return;
    }
    const parsed = batchedExplanationsSchema.safeParse(entry);
    if (!parsed.success) {
      outcomes[index] = refused(invalidBody(parsed.error));
      return;
    }
    const fitted = fitExplanations(subject!, { explanations: parsed.data.explanations });
    if (fitted instanceof ApiError) {
      outcomes[index] = refused(fitted);
      return;
    }
    valid.push({ index, predictionId: parsed.data.predictionId, record: fitted });
  });
  const stored = await storeFittedExplanations(valid);
  stored.forEach((outcome, position) => {
    const { index } = valid[position]!;
    outcomes[index] = outcome instanceof ApiError ? refused(outcome) : { outcome: outcome.stored > 0 ? 'stored' : 'duplicate', ...outcome };
  });
  return outcomes;
}
