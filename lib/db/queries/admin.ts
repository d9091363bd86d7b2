import 'server-only';
import type { Prisma } from '@/lib/generated/sqlite/client';
import type { ReplyParts, UserParts } from '@/lib/records/turn';
import type { LogQuery } from '@/lib/admin/filters';
import { badRequest, notFound } from '@/lib/http/errors';
import { db } from '../client';
import { inPanelOrder } from '@/lib/explain';

export function provider(): 'sqlite' | 'postgresql' {
  return (db() as unknown as { _activeProvider: string })._activeProvider === 'postgresql' ? 'postgresql' : 'sqlite';
}

export type LogRow = {
  id: string;
  createdAt: Date;
  text: string;
  conversationId: string;
  intent: string;
  confidence: number;
  decision: 'answer' | 'clarify' | 'handoff';
  backend: 'webgpu' | 'wasm' | 'cpu';
  modelVersion: string;
  latencyMs: number;
  feedback: 'up' | 'down' | null;
  reviewStatus: 'unreviewed' | 'correct' | 'relabelled' | 'flagged';
  reviewedIntent: string | null;
  verification: 'pending' | 'verified' | 'mismatch' | 'failed';
  verifiedIntent: string | null;
  minFaithfulness: number | null;
  methodsDisagree: boolean | null;
};

const rowSelect = {
  id: true,
  createdAt: true,
  intent: true,
  confidence: true,
  decision: true,
  backend: true,
  modelVersion: true,
  latencyMs: true,
  reviewStatus: true,
  reviewedIntent: true,
  verification: true,
  verifiedIntent: true,
  minFaithfulness: true,
  methodsDisagree: true,
  message: { select: { text: true, conversationId: true } },
  reply: { select: { feedback: { select: { helpful: true } } } },
} satisfies Prisma.PredictionSelect;

type SelectedRow = Prisma.PredictionGetPayload<{ select: typeof rowSelect }>;

function toRow(row: SelectedRow): LogRow {
  const { message, reply, ...rest } = row;
  const helpful = reply?.feedback?.helpful;
  return { ...rest, text: message.text, conversationId: message.conversationId, feedback: helpful === undefined ? null : helpful ? 'up' : 'down' };
}

/**
 * A view of the log as SQL, for both providers: one join per relation it filters on
 * (Prisma's relation filters become nested sub-selects, several times slower at 100k rows,
 * and its `contains` treats % and _ as wildcards). Every filter maps onto a column, most of
 * them indexed.
 */
export function filterSql(query: Omit<LogQuery, 'sort' | 'dir' | 'page' | 'size'>): { from: string; where: string; params: unknown[] } {
  const pg = provider() === 'postgresql';
  const params: unknown[] = [];
  const param = (value: unknown, pgType?: string) => {
    params.push(value);
    const marker = pg ? `$${params.length}` : '?';
    return pg && pgType ? `CAST(${marker} AS "${pgType}")` : marker;
  };
  // SQLite keeps DateTime as ISO text with a +00:00 offset; compare in that very form.
  const time = (date: Date) => (pg ? param(date) : param(date.toISOString().replace('Z', '+00:00')));
  const bool = (value: boolean) => (pg ? String(value) : value ? '1' : '0');
  const conditions: string[] = [];
  if (query.intent) conditions.push(`p."intent" = ${param(query.intent)}`);
  if (query.decision) conditions.push(`p."decision" = ${param(query.decision, 'Decision')}`);
  if (query.backend) conditions.push(`p."backend" = ${param(query.backend, 'Backend')}`);
  if (query.verification) conditions.push(`p."verification" = ${param(query.verification, 'Verification')}`);
  if (query.review === 'reviewed') conditions.push(`p."reviewStatus" IN ('correct', 'relabelled')`);
  else if (query.review) conditions.push(`p."reviewStatus" = ${param(query.review, 'ReviewStatus')}`);
  if (query.minConf !== undefined) conditions.push(`p."confidence" >= ${param(query.minConf)}`);
  if (query.maxConf !== undefined) conditions.push(`p."confidence" <= ${param(query.maxConf)}`);
  if (query.from) conditions.push(`p."createdAt" >= ${time(query.from)}`);
  if (query.to) conditions.push(`p."createdAt" <= ${time(query.to)}`);
  if (query.faithBelow !== undefined) conditions.push(`p."minFaithfulness" < ${param(query.faithBelow)}`);
  if (query.disagree) conditions.push(`p."methodsDisagree" = ${bool(query.disagree === 'yes')}`);
  if (query.feedback === 'up' || query.feedback === 'down') conditions.push(`f."helpful" = ${bool(query.feedback === 'up')}`);
  if (query.feedback === 'any') conditions.push(`f."id" IS NOT NULL`);
  if (query.feedback === 'none') conditions.push(`f."id" IS NULL`);
  if (query.q) {
    // Case-insensitive (SQLite's LIKE for ASCII letters), wildcards searched for literally.
    const pattern = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(`m."text" ${pg ? 'ILIKE' : 'LIKE'} ${param(pattern)} ESCAPE '\\'`);
  }
  const joins = [
    query.q ? `JOIN "Message" m ON m."id" = p."messageId"` : '',
    query.feedback ? `LEFT JOIN "Feedback" f ON f."messageId" = p."replyId"` : '',
  ].filter(Boolean);
  return { from: `"Prediction" p ${joins.join(' ')}`, where: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

function orderSql(query: Pick<LogQuery, 'sort' | 'dir'>): string {
  const dir = query.dir === 'asc' ? 'ASC' : 'DESC';
  switch (query.sort) {
    case 'confidence':
      return `p."confidence" ${dir}, p."id" ${dir}`;
    case 'intent':
      return `p."intent" ${dir}, p."createdAt" DESC, p."id" DESC`;
    case 'faithfulness':
      return `p."minFaithfulness" ${dir} NULLS LAST, p."id" ${dir}`;
    default:
      return `p."createdAt" ${dir}, p."id" ${dir}`;
  }
}

export async function countPredictions(query: Omit<LogQuery, 'sort' | 'dir' | 'page' | 'size'>): Promise<number> {
  const { from, where, params } = filterSql(query);
  const [row] = await db().$queryRawUnsafe<{ n: number | bigint }[]>(`SELECT COUNT(*) AS n FROM ${from} ${where}`, ...params);
  return Number(row?.n ?? 0);
}

/** The rows of one slice of a view, in the view's order. */
async function slice(query: Omit<LogQuery, 'page' | 'size'>, offset: number, limit: number): Promise<LogRow[]> {
  const { from, where, params } = filterSql(query);
  const ids = await db().$queryRawUnsafe<{ id: string }[]>(
    `SELECT p."id" AS id FROM ${from} ${where} ORDER BY ${orderSql(query)} LIMIT ${Math.floor(limit)} OFFSET ${Math.floor(offset)}`,
    ...params,
  );
  if (ids.length === 0) return [];
  const rows = await db().prediction.findMany({ where: { id: { in: ids.map((row) => row.id) } }, select: rowSelect });
  const byId = new Map(rows.map((row) => [row.id, toRow(row)]));
  return ids.flatMap((row) => (byId.has(row.id) ? [byId.get(row.id)!] : []));
}

export type LogPage = { rows: LogRow[]; total: number; page: number; pages: number; size: number };

/** One page of the log, filtered and sorted as the URL says, with the total for the pager. */
export async function listPredictions(query: LogQuery): Promise<LogPage> {
  const [total, rows] = await Promise.all([countPredictions(query), slice(query, (query.page - 1) * query.size, query.size)]);
  return { rows, total, page: query.page, size: query.size, pages: Math.max(1, Math.ceil(total / query.size)) };
}

/** Every row of a filtered view, in batches, for the exports: memory stays flat at any size. */
export async function* iterateLog(query: Omit<LogQuery, 'page' | 'size'>, batch = 1000): AsyncGenerator<LogRow> {
  for (let offset = 0; ; offset += batch) {
    const rows = await slice(query, offset, batch);
    for (const row of rows) yield row;
    if (rows.length < batch) return;
  }
}

export type ReviewEntry = { id: string; action: 'correct' | 'relabel' | 'flag' | 'note'; intent: string | null; note: string | null; reviewer: string; createdAt: Date };

export type ConversationLine = {
  id: string;
  seq: number;
  role: 'user' | 'assistant';
  text: string;
  parts: ReplyParts | UserParts | null;
  createdAt: Date;
  predictionId: string | null;
  intent: string | null;
  feedback: { helpful: boolean; comment: string | null } | null;
};

export type PredictionDetail = LogRow & {
  modelId: string;
  topK: { intent: string; probability: number }[];
  verifiedConfidence: number | null;
  verifiedAt: Date | null;
  messageId: string;
  seq: number;
  botId: string;
  /** As stored; read by the renderers' total parse. */
  explanations: unknown[];
  explanationTimings: { method: string; durationMs: number; comprehensiveness: number | null; sufficiency: number | null }[];
  conversation: ConversationLine[];
  reviews: ReviewEntry[];
};

/** Messages shown either side of the reviewed one. */
export const CONTEXT_MESSAGES = 6;

export async function predictionDetail(id: string): Promise<PredictionDetail> {
  const prediction = await db().prediction.findUnique({
    where: { id },
    select: {
      ...rowSelect,
      modelId: true,
      topK: true,
      verifiedConfidence: true,
      verifiedAt: true,
      messageId: true,
      message: { select: { text: true, conversationId: true, seq: true, conversation: { select: { botId: true } } } },
      explanations: { select: { payload: true, method: true, durationMs: true, comprehensiveness: true, sufficiency: true } },
      reviews: { orderBy: { createdAt: 'desc' }, include: { reviewer: { select: { email: true } } } },
    },
  });
  if (!prediction) throw notFound('That prediction');
  const { message, explanations, reviews, topK, ...rest } = prediction;
  const lines = await db().message.findMany({
    where: { conversationId: message.conversationId, seq: { gte: message.seq - CONTEXT_MESSAGES, lte: message.seq + CONTEXT_MESSAGES + 1 } },
    orderBy: { seq: 'asc' },
    include: { prediction: { select: { id: true, intent: true } }, feedback: { select: { helpful: true, comment: true } } },
  });
  return {
    ...toRow({ ...rest, message, reply: prediction.reply }),
    modelId: rest.modelId,
    topK: topK as { intent: string; probability: number }[],
    verifiedConfidence: rest.verifiedConfidence,
    verifiedAt: rest.verifiedAt,
    messageId: rest.messageId,
    seq: message.seq,
    botId: message.conversation.botId,
    // As stored: the admin's renderers read each payload with a total parse, whatever it holds.
    explanations: inPanelOrder(explanations).map((e): unknown => e.payload),
    explanationTimings: explanations.map(({ method, durationMs, comprehensiveness, sufficiency }) => ({ method, durationMs, comprehensiveness, sufficiency })),
    conversation: lines.map((line) => ({
      id: line.id,
      seq: line.seq,
      role: line.role,
      text: line.text,
      parts: (line.parts ?? null) as ReplyParts | UserParts | null,
      createdAt: line.createdAt,
      predictionId: line.prediction?.id ?? null,
      intent: line.prediction?.intent ?? null,
      feedback: line.feedback,
    })),
    reviews: reviews.map((review) => ({ id: review.id, action: review.action, intent: review.intent, note: review.note, reviewer: review.reviewer.email, createdAt: review.createdAt })),
  };
}

export type ReviewInput = { action: 'correct' | 'relabel' | 'flag' | 'note'; intent?: string; note?: string };

/**
 * Records a reviewer's decision and updates the prediction: correct keeps the model's
 * intent as the label, relabel sets another, flag marks it for a closer look; a note only
 * adds to the history. Who and when are on the Review row. Both labels must be in
 * `knownIntents` (the bot's model labels, lib/admin/review-labels.ts).
 */
export async function reviewPrediction(
  predictionId: string,
  reviewerId: string,
  input: ReviewInput,
  knownIntents: ReadonlySet<string> | ((botId: string) => ReadonlySet<string>),
): Promise<ReviewEntry> {
  const prediction = await db().prediction.findUnique({ where: { id: predictionId }, select: { intent: true, message: { select: { conversation: { select: { botId: true } } } } } });
  if (!prediction) throw notFound('That prediction');
  const known = typeof knownIntents === 'function' ? knownIntents(prediction.message.conversation.botId) : knownIntents;
  if (input.action === 'relabel' && (!input.intent || !known.has(input.intent))) throw badRequest('Relabel needs one of the bot’s intents.');
  // The reported intent came from the browser: only a label of the model may become training data.
  if (input.action === 'correct' && !known.has(prediction.intent)) throw badRequest('The reported intent is not one of the model’s labels; relabel this message instead.');
  if (input.action === 'note' && !input.note?.trim()) throw badRequest('A note needs some text.');
  const note = input.note?.trim() ? input.note.trim() : null;
  const intent = input.action === 'relabel' ? input.intent! : input.action === 'correct' ? prediction.intent : null;
  const update: Prisma.PredictionUpdateInput | null =
    input.action === 'correct'
      ? { reviewStatus: 'correct', reviewedIntent: prediction.intent }
      : input.action === 'relabel'
        ? { reviewStatus: 'relabelled', reviewedIntent: intent }
        : input.action === 'flag'
          ? { reviewStatus: 'flagged', reviewedIntent: null }
          : null;
  const [review] = await db().$transaction([
    db().review.create({ data: { predictionId, reviewerId, action: input.action, intent, note }, include: { reviewer: { select: { email: true } } } }),
    ...(update ? [db().prediction.update({ where: { id: predictionId }, data: update })] : []),
  ]);
  return { id: review.id, action: review.action, intent: review.intent, note: review.note, reviewer: review.reviewer.email, createdAt: review.createdAt };
}

/**
 * Risk score of the "needs review" queue (higher = look first), over predictions nobody has
 * marked correct or relabelled yet:
 *   3 × (1 − confidence)                       low confidence, 0…3
 * + 3  when the visitor gave the reply a thumbs down
 * + 3  when the server's run of the model gave another intent (verification mismatch)
 * + 1.5 when the server could not verify it (verification failed)
 * + 2  when the lowest explanation faithfulness is below 0.1, + 1 when below 0.25
 * + 1  when the word-scoring methods disagree on the most important word
 * + 1.5 for a hand-off, + 0.5 for a clarifying question
 * + 1  when already flagged by a reviewer
 */
export const RISK_SQL = `(
  3.0 * (1.0 - p."confidence")
  + CASE WHEN f."helpful" = false THEN 3.0 ELSE 0.0 END
  + CASE WHEN p."verification" = 'mismatch' THEN 3.0 WHEN p."verification" = 'failed' THEN 1.5 ELSE 0.0 END
  + CASE WHEN p."minFaithfulness" IS NULL THEN 0.0 WHEN p."minFaithfulness" < 0.1 THEN 2.0 WHEN p."minFaithfulness" < 0.25 THEN 1.0 ELSE 0.0 END
  + CASE WHEN p."methodsDisagree" = true THEN 1.0 ELSE 0.0 END
  + CASE WHEN p."decision" = 'handoff' THEN 1.5 WHEN p."decision" = 'clarify' THEN 0.5 ELSE 0.0 END
  + CASE WHEN p."reviewStatus" = 'flagged' THEN 1.0 ELSE 0.0 END
)`;

export function riskScore(p: { confidence: number; feedback: 'up' | 'down' | null; verification: string; minFaithfulness: number | null; methodsDisagree: boolean | null; decision: string; reviewStatus: string }): number {
  return (
    3 * (1 - p.confidence) +
    (p.feedback === 'down' ? 3 : 0) +
    (p.verification === 'mismatch' ? 3 : p.verification === 'failed' ? 1.5 : 0) +
    (p.minFaithfulness === null ? 0 : p.minFaithfulness < 0.1 ? 2 : p.minFaithfulness < 0.25 ? 1 : 0) +
    (p.methodsDisagree ? 1 : 0) +
    (p.decision === 'handoff' ? 1.5 : p.decision === 'clarify' ? 0.5 : 0) +
    (p.reviewStatus === 'flagged' ? 1 : 0)
  );
}

export type QueueRow = LogRow & { risk: number };

/** The "needs review" queue: unreviewed and flagged predictions, riskiest first. */
/** The queue covers predictions since `since` (the page offers the last 7, 30, 90 days or all). */
export async function reviewQueue(page = 1, size = 50, since?: Date): Promise<{ rows: QueueRow[]; total: number }> {
  const offset = (page - 1) * size;
  const pg = provider() === 'postgresql';
  const params = since ? [pg ? since : since.toISOString().replace('Z', '+00:00')] : [];
  const period = since ? ` AND p."createdAt" >= ${pg ? '$1' : '?'}` : '';
  const ranked = await db().$queryRawUnsafe<{ id: string; risk: number }[]>(
    `SELECT p."id" AS id, ${RISK_SQL} AS risk
       FROM "Prediction" p
       LEFT JOIN "Feedback" f ON f."messageId" = p."replyId"
      WHERE p."reviewStatus" IN ('unreviewed', 'flagged')${period}
      ORDER BY risk DESC, p."createdAt" DESC, p."id" DESC
      LIMIT ${Math.floor(size)} OFFSET ${Math.floor(offset)}`,
    ...params,
  );
  const total = await db().prediction.count({ where: { reviewStatus: { in: ['unreviewed', 'flagged'] }, ...(since ? { createdAt: { gte: since } } : {}) } });
  const rows = await db().prediction.findMany({ where: { id: { in: ranked.map((r) => r.id) } }, select: rowSelect });
  const byId = new Map(rows.map((row) => [row.id, toRow(row)]));
  return { rows: ranked.flatMap((r) => (byId.has(r.id) ? [{ ...byId.get(r.id)!, risk: Number(r.risk) }] : [])), total };
}

/**
 * Reviewed messages as training data: the text as stored and the label a reviewer gave
 * (the model's intent when marked correct, the new one when relabelled).
 */
export async function* iterateTrainingRows(batch = 1000): AsyncGenerator<{ text: string; intent: string }> {
  let cursor: string | undefined;
  for (;;) {
    const rows = await db().prediction.findMany({
      where: { reviewStatus: { in: ['correct', 'relabelled'] }, reviewedIntent: { not: null } },
      orderBy: { id: 'asc' },
      take: batch,
      ...(cursor ? { skip: 1, cursor: { id: cursor } } : {}),
      select: { id: true, reviewedIntent: true, message: { select: { text: true } } },
    });
    for (const row of rows) yield { text: row.message.text, intent: row.reviewedIntent! };
    if (rows.length < batch) return;
    cursor = rows[rows.length - 1]!.id;
  }
}

export async function distinctIntents(): Promise<string[]> {
  const rows = await db().prediction.groupBy({ by: ['intent'], orderBy: { intent: 'asc' } });
  return rows.map((row) => row.intent);
}
