import 'server-only';
import { randomUUID } from 'node:crypto';
import { Prisma } from '@/lib/generated/sqlite/client';
import { db } from '../client';
import { sqlJson } from '../dialect';
import { isForeignKeyViolation, StoreError } from '../errors';

/**
 * What the store reads of an explanation to file it: the whole object is the payload (what the
 * panel rendered), and these fields become the columns the admin filters on. Structural, so a
 * validated record (lib/records/explanation.ts) fits as it is.
 */
export type StorableExplanation = {
  method: string;
  settings: unknown;
  faithfulness?: { meanComprehensiveness: number; meanSufficiency: number } | null;
  timing: { ms: number };
  extra?: unknown;
};

/** What a prediction records of its explanations (derived by the caller, lib/ingest/explanation-summary.ts). */
export type ExplanationSummaryColumns = { minFaithfulness?: number; methodsDisagree?: boolean };

/**
 * The other intent a contrastive explanation answers about ('' for every other method): part of
 * its key. The same field the records read (lib/records/explanation.ts `versusOf`), which this
 * layer does not import.
 */
export function explanationVersus(explanation: StorableExplanation): string {
  const versus = (explanation.extra as { versus?: unknown } | null | undefined)?.versus;
  return typeof versus === 'string' ? versus : '';
}

/** The database row of one explanation: the object as rendered, plus the columns the admin filters on. */
export function explanationRow(predictionId: string, explanation: StorableExplanation, createdAt?: Date): Prisma.ExplanationCreateManyInput {
  return {
    id: randomUUID(),
    predictionId,
    method: explanation.method,
    versus: explanationVersus(explanation),
    settings: explanation.settings as Prisma.InputJsonValue,
    payload: explanation as unknown as Prisma.InputJsonValue,
    comprehensiveness: explanation.faithfulness?.meanComprehensiveness ?? null,
    sufficiency: explanation.faithfulness?.meanSufficiency ?? null,
    durationMs: explanation.timing.ms,
    ...(createdAt ? { createdAt } : {}),
  };
}

/** The message a prediction was made on, as stored (personal data masked), its conversation's bot, and the intent it reported. */
export type ExplanationSubject = { predictionId: string; botId: string; modelVersion: string; storedText: string; intent: string };

/** The stored messages of some predictions, by prediction id, in one query; unknown ids are absent. */
export async function explanationSubjects(predictionIds: readonly string[]): Promise<Map<string, ExplanationSubject>> {
  const ids = [...new Set(predictionIds)];
  if (ids.length === 0) return new Map();
  const rows = await db().$queryRaw<{ id: string; text: string; botId: string; modelVersion: string; intent: string }[]>`SELECT p."id", m."text", c."botId", p."modelVersion", p."intent"
    FROM "Prediction" p JOIN "Message" m ON m."id" = p."messageId" JOIN "Conversation" c ON c."id" = m."conversationId"
    WHERE p."id" IN (${Prisma.join(ids)})`;
  return new Map(rows.map((row) => [row.id, { predictionId: row.id, botId: row.botId, modelVersion: row.modelVersion, storedText: row.text, intent: row.intent }]));
}

/** One stored explanation: its key (method, and the other intent of a contrast) and the object as stored. */
export type StoredExplanationRow = { method: string; versus: string; payload: unknown };

/**
 * A prediction's stored explanations, contrasts included, each with its other intent, ordered
 * by method and other intent; with `versus`, only the contrasts with that other intent (of any
 * contrastive method).
 */
export async function storedExplanations(predictionId: string, versus?: string): Promise<StoredExplanationRow[]> {
  return db().explanation.findMany({
    where: { predictionId, ...(versus !== undefined ? { versus } : {}) },
    select: { method: true, versus: true, payload: true },
    orderBy: [{ method: 'asc' }, { versus: 'asc' }],
  });
}

export type ExplanationsOutcome = { stored: number; duplicates: number };

/** One prediction's explanations to store, with the summary its row records. */
export type PredictionExplanations = { predictionId: string; explanations: readonly StorableExplanation[]; summary: ExplanationSummaryColumns };

/**
 * Stores several predictions' explanations and says per prediction, in the given order, what
 * became of them, or the StoreError of a prediction not stored. A method already stored for a
 * prediction is kept as it was: explanations are computed once, and a retried post changes
 * nothing.
 *
 * On the ingest path, so written like `storeTurns`: one transaction of one multi-row INSERT that
 * skips methods already stored (ON CONFLICT on the (predictionId, method, versus) key, so concurrent
 * retries are safe too; RETURNING what it stored, so each prediction gets its count) and one
 * summary UPDATE per prediction, as SQL both databases take. Should a prediction vanish between
 * the caller's look-up and the insert, the foreign key refuses it; nothing of the batch is kept
 * then, and (with `fallBack`) each prediction is stored on its own.
 */
export async function storeExplanationRows(items: readonly PredictionExplanations[], { fallBack = true } = {}): Promise<(ExplanationsOutcome | StoreError)[]> {
  if (items.length === 0) return [];
  const predictionIds = items.map((item) => item.predictionId);
  // Counts are told apart by prediction, so a prediction given twice in one batch goes on its own.
  if (new Set(predictionIds).size === items.length) {
    try {
      return await insertExplanations(items);
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
      if (!fallBack || items.length === 1) return [new StoreError('prediction_not_found')];
    }
  }
  const outcomes: (ExplanationsOutcome | StoreError)[] = [];
  for (const item of items) {
    const [outcome] = await storeExplanationRows([item], { fallBack: false });
    outcomes.push(outcome!);
  }
  return outcomes;
}

async function insertExplanations(items: readonly PredictionExplanations[]): Promise<ExplanationsOutcome[]> {
  const now = new Date();
  const rows = items.flatMap(({ predictionId, explanations }) =>
    explanations.map((explanation) => {
      const row = explanationRow(predictionId, explanation, now);
      return Prisma.sql`(${row.id}, ${row.predictionId}, ${row.method}, ${row.versus}, ${sqlJson(row.settings)}, ${sqlJson(row.payload)},
        ${row.comprehensiveness}, ${row.sufficiency}, ${row.durationMs}, ${now})`;
    }),
  );
  const updates = items.flatMap(({ predictionId, summary }) => {
    const columns = [
      ...(summary.minFaithfulness !== undefined ? [Prisma.sql`"minFaithfulness" = ${summary.minFaithfulness}`] : []),
      ...(summary.methodsDisagree !== undefined ? [Prisma.sql`"methodsDisagree" = ${summary.methodsDisagree}`] : []),
    ];
    return columns.length > 0 ? [db().$executeRaw`UPDATE "Prediction" SET ${Prisma.join(columns)} WHERE "id" = ${predictionId}`] : [];
  });
  const [inserted] = (await db().$transaction([
    db().$queryRaw<{ predictionId: string }[]>`INSERT INTO "Explanation"
      ("id", "predictionId", "method", "versus", "settings", "payload", "comprehensiveness", "sufficiency", "durationMs", "createdAt") VALUES
      ${Prisma.join(rows)}
      ON CONFLICT ("predictionId", "method", "versus") DO NOTHING
      RETURNING "predictionId"`,
    ...updates,
  ])) as [{ predictionId: string }[], ...number[]];
  const storedPer = new Map<string, number>();
  for (const { predictionId } of inserted) storedPer.set(predictionId, (storedPer.get(predictionId) ?? 0) + 1);
  return items.map(({ predictionId, explanations }) => {
    const stored = storedPer.get(predictionId) ?? 0;
    return { stored, duplicates: explanations.length - stored };
  });
}
