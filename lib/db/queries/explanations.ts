import 'server-only';
import { randomUUID } from 'node:crypto';
import { Prisma } from '@/lib/generated/sqlite/client';
import type { ExplanationsRecord } from '@/lib/records/explanation';
import { WORD_SCORING_METHODS } from '@/lib/explain/types';
import { fitExplanation } from '@/lib/ingest/fit-explanation';
import { botFacts } from '@/lib/verify/bots';
import { ApiError, badRequest, notFound } from '@/lib/http/errors';
import { db } from '../client';

type Stored = ExplanationsRecord['explanations'][number];

/** The word each scoring method ranks first: when they differ, the methods disagree. */
export function topWordsByMethod(explanations: Stored[]): Map<string, number> {
  const top = new Map<string, number>();
  for (const explanation of explanations) {
    if (!(WORD_SCORING_METHODS as readonly string[]).includes(explanation.method) || !explanation.scores?.length) continue;
    let best = 0;
    explanation.scores.forEach((score, i) => {
      if (score > explanation.scores![best]!) best = i;
    });
    top.set(explanation.method, best);
  }
  return top;
}

/** The database row of one explanation: the object as rendered, plus the columns the admin filters on. */
export function explanationRow(predictionId: string, explanation: Stored, createdAt?: Date): Prisma.ExplanationCreateManyInput {
  return {
    id: randomUUID(),
    predictionId,
    method: explanation.method,
    settings: explanation.settings as Prisma.InputJsonValue,
    payload: explanation as unknown as Prisma.InputJsonValue,
    comprehensiveness: explanation.faithfulness?.meanComprehensiveness ?? null,
    sufficiency: explanation.faithfulness?.meanSufficiency ?? null,
    durationMs: explanation.timing.ms,
    ...(createdAt ? { createdAt } : {}),
  };
}

/** What a prediction records of its explanations: the lowest faithfulness, whether the methods disagree. */
export function explanationSummary(explanations: Stored[]): { minFaithfulness?: number; methodsDisagree?: boolean } {
  const faithfulness = explanations.flatMap((e) => (e.faithfulness ? [e.faithfulness.meanComprehensiveness] : []));
  const tops = new Set(topWordsByMethod(explanations).values());
  return {
    ...(faithfulness.length > 0 ? { minFaithfulness: Math.min(...faithfulness) } : {}),
    ...(tops.size > 0 ? { methodsDisagree: tops.size > 1 } : {}),
  };
}

/** The message a prediction was made on, as stored (personal data masked), and its conversation's bot. */
export type ExplanationSubject = { predictionId: string; botId: string; storedText: string };

/**
 * The stored messages of some predictions, by prediction id, in one query; unknown ids are
 * absent. Explanations are fitted to these before anything else is done with them.
 */
export async function explanationSubjects(predictionIds: readonly string[]): Promise<Map<string, ExplanationSubject>> {
  const ids = [...new Set(predictionIds)];
  if (ids.length === 0) return new Map();
  const rows = await db().$queryRaw<{ id: string; text: string; botId: string }[]>`SELECT p."id", m."text", c."botId"
    FROM "Prediction" p JOIN "Message" m ON m."id" = p."messageId" JOIN "Conversation" c ON c."id" = m."conversationId"
    WHERE p."id" IN (${Prisma.join(ids)})`;
  return new Map(rows.map((row) => [row.id, { predictionId: row.id, botId: row.botId, storedText: row.text }]));
}

/**
 * A prediction's posted explanations fitted to its stored message and its bot's model
 * (lib/ingest/redact-records.ts `fitExplanation`), or the 400 saying what does not fit.
 */
export function fitExplanations(subject: ExplanationSubject, posted: ExplanationsRecord): ExplanationsRecord | ApiError {
  const bot = botFacts(subject.botId);
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
 * Stores a prediction's explanations: looks the prediction up (404 when unknown), fits each
 * explanation to the stored message (400 naming what does not fit; lib/ingest/explanations.ts)
 * and stores what that gives.
 */
export async function storeExplanations(predictionId: string, posted: ExplanationsRecord): Promise<ExplanationsOutcome> {
  const subject = (await explanationSubjects([predictionId])).get(predictionId);
  if (!subject) throw notFound('That prediction');
  const fitted = fitExplanations(subject, posted);
  if (fitted instanceof ApiError) throw fitted;
  const [outcome] = await storeFittedExplanations([{ predictionId, record: fitted }], { fallBack: false });
  if (outcome instanceof ApiError) throw outcome;
  return outcome!;
}

export type ExplanationsOutcome = { stored: number; duplicates: number };

/**
 * Stores several predictions' explanations, already fitted to their stored messages
 * (`fitExplanations`), as the objects the panel rendered, plus the figures the admin filters on,
 * and says per prediction, in the posted order, what became of them, or the ApiError a single
 * post would have got. A method already stored for a prediction is kept as it was: explanations
 * are computed once, and a retried post changes nothing.
 *
 * On the ingest path, so written like `storeTurn`: one transaction of one multi-row INSERT that
 * skips methods already stored (ON CONFLICT on the (predictionId, method) key, so concurrent
 * retries are safe too; RETURNING what it stored, so each prediction gets its count) and one
 * summary UPDATE per prediction, as SQL both databases take. Should a prediction vanish between
 * the look-up and the insert, the foreign key refuses it; nothing of the batch is kept then, and
 * each prediction is stored on its own.
 */
export async function storeFittedExplanations(
  items: { predictionId: string; record: ExplanationsRecord }[],
  { fallBack = true } = {},
): Promise<(ExplanationsOutcome | ApiError)[]> {
  if (items.length === 0) return [];
  const predictionIds = items.map((item) => item.predictionId);
  // Counts are told apart by prediction, so a prediction posted twice in one batch goes on its own.
  if (new Set(predictionIds).size === items.length) {
    try {
      return await insertExplanations(items);
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
      if (!fallBack || items.length === 1) return [notFound('That prediction')];
    }
  }
  const outcomes: (ExplanationsOutcome | ApiError)[] = [];
  for (const item of items) {
    const [outcome] = await storeFittedExplanations([item], { fallBack: false });
    outcomes.push(outcome!);
  }
  return outcomes;
}

async function insertExplanations(items: { predictionId: string; record: ExplanationsRecord }[]): Promise<ExplanationsOutcome[]> {
  const now = new Date();
  const fitted = items.map(({ predictionId, record }) => ({ predictionId, explanations: record.explanations }));
  const rows = fitted.flatMap(({ predictionId, explanations }) =>
    explanations.map((explanation) => {
      const row = explanationRow(predictionId, explanation, now);
      return Prisma.sql`(${row.id}, ${row.predictionId}, ${row.method}, ${JSON.stringify(row.settings)}, ${JSON.stringify(row.payload)},
        ${row.comprehensiveness}, ${row.sufficiency}, ${row.durationMs}, ${now})`;
    }),
  );
  const updates = fitted.flatMap(({ predictionId, explanations }) => {
    const summary = explanationSummary(explanations);
    const columns = [
      ...(summary.minFaithfulness !== undefined ? [Prisma.sql`"minFaithfulness" = ${summary.minFaithfulness}`] : []),
      ...(summary.methodsDisagree !== undefined ? [Prisma.sql`"methodsDisagree" = ${summary.methodsDisagree}`] : []),
    ];
    return columns.length > 0 ? [db().$executeRaw`UPDATE "Prediction" SET ${Prisma.join(columns)} WHERE "id" = ${predictionId}`] : [];
  });
  const [inserted] = (await db().$transaction([
    db().$queryRaw<{ predictionId: string }[]>`INSERT INTO "Explanation"
      ("id", "predictionId", "method", "settings", "payload", "comprehensiveness", "sufficiency", "durationMs", "createdAt") VALUES
      ${Prisma.join(rows)}
      ON CONFLICT ("predictionId", "method") DO NOTHING
      RETURNING "predictionId"`,
    ...updates,
  ])) as [{ predictionId: string }[], ...number[]];
  const storedPer = new Map<string, number>();
  for (const { predictionId } of inserted) storedPer.set(predictionId, (storedPer.get(predictionId) ?? 0) + 1);
  return fitted.map(({ predictionId, explanations }) => {
    const stored = storedPer.get(predictionId) ?? 0;
    return { stored, duplicates: explanations.length - stored };
  });
}

/** The insert named a row that is not there (the prediction), through the query API (P2003) or a raw statement. */
function isForeignKeyViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, meta } = error as { code?: string; meta?: { driverAdapterError?: { cause?: { kind?: string } } } };
  return code === 'P2003' || (code === 'P2010' && meta?.driverAdapterError?.cause?.kind === 'ForeignKeyConstraintViolation');
}
