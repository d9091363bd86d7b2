import 'server-only';
import { z } from 'zod';
import { type ExplanationsBatchOutcome, type TurnOutcome } from '@/lib/records/turn';
import { batchedExplanationsSchema, explanationSchema, explanationsRecordSchema, MAX_EXPLANATIONS_BYTES, versusOf, type ExplanationRecord, type ExplanationsRecord } from '@/lib/records/explanation';
import {
  explanationSubjects,
  storedExplanations,
  storeExplanationRows,
  type ExplanationSummaryColumns,
  type ExplanationsOutcome,
  type ExplanationSubject,
} from '@/lib/db/queries/explanations';
import { StoreError } from '@/lib/db/errors';
import { apiErrorOf, ApiError, badRequest, invalidBody, notFound, parseId, readJson } from '@/lib/http/errors';
import { limitChatBytes, limitChatRequest } from '@/lib/http/rate-limit';
import { activeFacts, recordFacts, type BotFacts } from '@/lib/verify/bots';
import { explanationSummary } from './explanation-summary';
import { fitExplanation } from './fit-explanation';

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
 * fitted to the stored message (`fitExplanations`) before they are stored.
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
  const outcome = await storeExplanationsOf(subject, parsed.data);
  return Response.json(outcome, { status: outcome.stored > 0 ? 201 : 200 });
}

/**
 * Stores a prediction's validated explanations, as `POST /api/predictions/:id/explanations`
 * does once the body is read: the prediction must be stored (404), and each explanation must fit
 * its stored message (400 naming what does not).
 */
export async function storeExplanations(predictionId: string, posted: ExplanationsRecord): Promise<ExplanationsOutcome> {
  const subject = (await explanationSubjects([predictionId])).get(predictionId);
  if (!subject) throw notFound('That prediction');
  return storeExplanationsOf(subject, posted);
}

async function storeExplanationsOf(subject: ExplanationSubject, posted: ExplanationsRecord): Promise<ExplanationsOutcome> {
  const fitted = fitExplanations(subject, posted, (await recordFacts(subject.botId, subject.modelVersion))?.facts ?? null);
  if (fitted instanceof ApiError) throw fitted;
  const [outcome] = await storeFittedExplanations([{ predictionId: subject.predictionId, record: fitted }], { fallBack: false });
  if (outcome instanceof ApiError) throw outcome;
  return outcome!;
}

/**
 * A prediction's posted explanations fitted to its stored message and the model version they
 * are checked against (`bot`: lib/verify/bots.ts `recordFacts` for the version the prediction
 * names; lib/ingest/fit-explanation.ts `fitExplanation`), or the 400 saying what does not fit.
 */
export function fitExplanations(subject: ExplanationSubject, posted: ExplanationsRecord, bot: BotFacts | null): ExplanationsRecord | ApiError {
  if (!bot) return badRequest(`No model is served for bot "${subject.botId}", so its explanations cannot be checked.`);
  const explanations: ExplanationsRecord['explanations'] = [];
  for (const [index, explanation] of posted.explanations.entries()) {
    const fit = fitExplanation(explanation, subject.storedText, bot);
    if (!fit.ok) return badRequest(`The ${explanation.method} explanation does not fit its message: ${fit.problem}.`, [{ path: `explanations.${index}`, message: fit.problem }]);
    explanations.push(fit.explanation);
  }
  return { explanations };
}

/**
 * Stores several predictions' explanations, already fitted to their stored messages, with the
 * summary each prediction records of them (disagreement, lowest faithfulness), and says per
 * prediction, in the given order, what became of them, or the ApiError a single post would
 * have got. The summary is of the explanations of the answer alone: a contrast ("why this and
 * not that?"), asked for later about one other intent, leaves it as it was.
 */
async function storeFittedExplanations(
  items: { predictionId: string; record: ExplanationsRecord }[],
  options?: { fallBack?: boolean },
): Promise<(ExplanationsOutcome | ApiError)[]> {
  const summaries = await answerSummaries(items);
  const outcomes = await storeExplanationRows(
    items.map(({ predictionId, record }) => ({ predictionId, explanations: record.explanations, summary: summaries.get(predictionId) ?? {} })),
    options,
  );
  return outcomes.map((outcome) => (outcome instanceof StoreError ? apiErrorOf(outcome) : outcome));
}

/**
 * The summary each prediction will record once the posted explanations of its answer are stored
 * beside those stored before: a method posted later (SHAP, dropped by the panel's time budget
 * and computed on request) joins the figures of the others, rather than standing for them all.
 * As the store keeps the first object of a method, a stored one counts over a posted one, and a
 * retried post gives the summary already recorded. A prediction posted with contrasts alone has
 * none (its summary stays). A stored object that no longer reads as an explanation record (a
 * shape of an older version) is left out of the figures.
 *
 * The stored explanations are read before the insert, not in its transaction: two posts for one
 * prediction at the same moment could each miss the other's methods. The chat's outbox sends one
 * record at a time, so a browser's posts for a prediction never overlap.
 */
async function answerSummaries(items: readonly { predictionId: string; record: ExplanationsRecord }[]): Promise<Map<string, ExplanationSummaryColumns>> {
  const posted = new Map<string, ExplanationRecord[]>();
  for (const { predictionId, record } of items) {
    const ofAnswer = record.explanations.filter((explanation) => versusOf(explanation) === '');
    if (ofAnswer.length) posted.set(predictionId, [...(posted.get(predictionId) ?? []), ...ofAnswer]);
  }
  const summaries = await Promise.all(
    [...posted].map(async ([predictionId, explanations]) => {
      const byMethod = new Map<string, ExplanationRecord>();
      for (const row of await storedExplanations(predictionId, '')) {
        const stored = explanationSchema.safeParse(row.payload);
        if (stored.success) byMethod.set(row.method, stored.data);
      }
      for (const explanation of explanations) if (!byMethod.has(explanation.method)) byMethod.set(explanation.method, explanation);
      return [predictionId, explanationSummary([...byMethod.values()])] as const;
    }),
  );
  return new Map(summaries);
}

const operatorContrastSchema = z.object({ explanation: explanationSchema });

/**
 * `POST /api/admin/predictions/:id/contrasts` `{ explanation }`, behind the admin's session and
 * CSRF check: a contrast ("why this and not that?") an operator computed in the admin's browser
 * for a stored prediction, by the bot's model on the stored (masked) message. It must be a
 * contrast (its `extra.versus` names another intent of the model) and explain the intent the
 * prediction reported; it is fitted to the stored message and stored as the chat's are, so a
 * repeated post changes nothing. Answers with the contrast as stored (the stored message's
 * words), 201 when it is new and 200 when it was stored already.
 */
export async function ingestOperatorContrast(request: Request, rawPredictionId: string): Promise<Response> {
  const predictionId = parseId(rawPredictionId, 'The prediction id');
  const subject = (await explanationSubjects([predictionId])).get(predictionId);
  if (!subject) throw notFound('That prediction');
  const { explanation } = await readJson(request, operatorContrastSchema, MAX_EXPLANATIONS_BYTES);
  const versus = versusOf(explanation);
  if (!versus) throw badRequest('Only a contrast can be added to a stored prediction: extra.versus names no other intent.', [{ path: 'explanation.extra.versus', message: 'required' }]);
  if (explanation.target.label !== subject.intent) {
    throw badRequest(`The contrast explains "${explanation.target.label}", but the prediction answered "${subject.intent}".`, [{ path: 'explanation.target.label', message: 'must be the predicted intent' }]);
  }
  if (versus === subject.intent) throw badRequest('A contrast compares the answer with another intent, not with itself.', [{ path: 'explanation.extra.versus', message: 'must differ from the answer' }]);
  const outcome = await storeExplanationsOf(subject, { explanations: [explanation] });
  const stored = (await storedExplanations(predictionId, versus)).find((row) => row.method === explanation.method);
  return Response.json({ ...outcome, explanation: stored?.payload ?? null }, { status: outcome.stored > 0 ? 201 : 200 });
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
  // What each subject's explanations are fitted to, looked up once per bot and model version (the active version once per bot).
  const facts = new Map<string, BotFacts | null>();
  const factsKey = (subject: ExplanationSubject) => `${subject.botId}\u0000${subject.modelVersion}`;
  const active = new Map<string, Promise<BotFacts | null>>();
  for (const subject of subjects.values()) {
    if (facts.has(factsKey(subject))) continue;
    const activeOf = () => {
      if (!active.has(subject.botId)) active.set(subject.botId, activeFacts(subject.botId));
      return active.get(subject.botId)!;
    };
    facts.set(factsKey(subject), (await recordFacts(subject.botId, subject.modelVersion, activeOf))?.facts ?? null);
  }
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
    const fitted = fitExplanations(subject!, { explanations: parsed.data.explanations }, facts.get(factsKey(subject!)) ?? null);
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
