import 'server-only';
import type { Backend, Decision, Prisma, ReviewAction, ReviewStatus, Verification } from '@/lib/generated/sqlite/client';
import { db } from '../client';
import { fromSqlCount, sqlBoolean, sqlCaseInsensitiveLike, SqlParams } from '../dialect';

/** A view of the log: the filters lib/admin/filters.ts reads from the URL, each onto a column. */
export type LogFilter = {
  q?: string;
  intent?: string;
  decision?: Decision;
  backend?: Backend;
  feedback?: 'up' | 'down' | 'none' | 'any';
  /** `reviewed`: marked correct or relabelled. */
  review?: ReviewStatus | 'reviewed';
  verification?: Verification;
  minConf?: number;
  maxConf?: number;
  from?: Date;
  /** Inclusive. */
  to?: Date;
  faithBelow?: number;
  disagree?: 'yes' | 'no';
};

export type LogOrder = { sort: 'time' | 'confidence' | 'intent' | 'faithfulness'; dir: 'asc' | 'desc' };

export type LogPageQuery = LogFilter & LogOrder & { page: number; size: number };

export type LogRow = {
  id: string;
  createdAt: Date;
  text: string;
  conversationId: string;
  intent: string;
  confidence: number;
  decision: Decision;
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
export function filterSql(query: LogFilter): { from: string; where: string; params: unknown[] } {
  const params = new SqlParams();
  const param = params.add.bind(params);
  const bool = (value: boolean) => sqlBoolean(value, params.dialect);
  const conditions: string[] = [];
  if (query.intent) conditions.push(`p."intent" = ${param(query.intent)}`);
  if (query.decision) conditions.push(`p."decision" = ${param(query.decision, '"Decision"')}`);
  if (query.backend) conditions.push(`p."backend" = ${param(query.backend, '"Backend"')}`);
  if (query.verification) conditions.push(`p."verification" = ${param(query.verification, '"Verification"')}`);
  if (query.review === 'reviewed') conditions.push(`p."reviewStatus" IN ('correct', 'relabelled')`);
  else if (query.review) conditions.push(`p."reviewStatus" = ${param(query.review, '"ReviewStatus"')}`);
  if (query.minConf !== undefined) conditions.push(`p."confidence" >= ${param(query.minConf)}`);
  if (query.maxConf !== undefined) conditions.push(`p."confidence" <= ${param(query.maxConf)}`);
  if (query.from) conditions.push(`p."createdAt" >= ${params.time(query.from)}`);
  if (query.to) conditions.push(`p."createdAt" <= ${params.time(query.to)}`);
  if (query.faithBelow !== undefined) conditions.push(`p."minFaithfulness" < ${param(query.faithBelow)}`);
  if (query.disagree) conditions.push(`p."methodsDisagree" = ${bool(query.disagree === 'yes')}`);
  if (query.feedback === 'up' || query.feedback === 'down') conditions.push(`f."helpful" = ${bool(query.feedback === 'up')}`);
  if (query.feedback === 'any') conditions.push(`f."id" IS NOT NULL`);
  if (query.feedback === 'none') conditions.push(`f."id" IS NULL`);
  if (query.q) {
    // Wildcards searched for literally.
    const pattern = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(`m."text" ${sqlCaseInsensitiveLike(params.dialect)} ${param(pattern)} ESCAPE '\\'`);
  }
  const joins = [
    query.q ? `JOIN "Message" m ON m."id" = p."messageId"` : '',
    query.feedback ? `LEFT JOIN "Feedback" f ON f."messageId" = p."replyId"` : '',
  ].filter(Boolean);
  return { from: `"Prediction" p ${joins.join(' ')}`, where: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params: params.values };
}

function orderSql(query: LogOrder): string {
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

export async function countPredictions(query: LogFilter): Promise<number> {
  const { from, where, params } = filterSql(query);
  const [row] = await db().$queryRawUnsafe<{ n: number | bigint }[]>(`SELECT COUNT(*) AS n FROM ${from} ${where}`, ...params);
  return fromSqlCount(row?.n);
}

/** The rows of one slice of a view, in the view's order. */
async function slice(query: LogFilter & LogOrder, offset: number, limit: number): Promise<LogRow[]> {
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
export async function listPredictions(query: LogPageQuery): Promise<LogPage> {
  const [total, rows] = await Promise.all([countPredictions(query), slice(query, (query.page - 1) * query.size, query.size)]);
  return { rows, total, page: query.page, size: query.size, pages: Math.max(1, Math.ceil(total / query.size)) };
}

/** Every row of a filtered view, in batches, for the exports: memory stays flat at any size. */
export async function* iterateLog(query: LogFilter & LogOrder, batch = 1000): AsyncGenerator<LogRow> {
  for (let offset = 0; ; offset += batch) {
    const rows = await slice(query, offset, batch);
    for (const row of rows) yield row;
    if (rows.length < batch) return;
  }
}

export type ReviewEntry = { id: string; action: ReviewAction; intent: string | null; note: string | null; reviewer: string; createdAt: Date };

export type ConversationLine = {
  id: string;
  seq: number;
  role: 'user' | 'assistant';
  text: string;
  /** As stored (lib/records/turn.ts `ReplyParts` or `UserParts`). */
  parts: unknown;
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
  /** Why the server's check did not pass (one sentence), when it says. */
  verificationReason: string | null;
  messageId: string;
  seq: number;
  botId: string;
  /** As stored, in no order; the payloads are read by the renderers' total parse. */
  explanations: { method: string; payload: unknown }[];
  explanationTimings: { method: string; durationMs: number; comprehensiveness: number | null; sufficiency: number | null }[];
  conversation: ConversationLine[];
  reviews: ReviewEntry[];
};

/** Messages shown either side of the reviewed one. */
export const CONTEXT_MESSAGES = 6;

/** A prediction with everything the admin shows of it, or null when there is none with that id. */
export async function predictionDetail(id: string): Promise<PredictionDetail | null> {
  const prediction = await db().prediction.findUnique({
    where: { id },
    select: {
      ...rowSelect,
      modelId: true,
      topK: true,
      verifiedConfidence: true,
      verifiedAt: true,
      verificationReason: true,
      messageId: true,
      message: { select: { text: true, conversationId: true, seq: true, conversation: { select: { botId: true } } } },
      explanations: { select: { payload: true, method: true, durationMs: true, comprehensiveness: true, sufficiency: true } },
      reviews: { orderBy: { createdAt: 'desc' }, include: { reviewer: { select: { email: true } } } },
    },
  });
  if (!prediction) return null;
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
    verificationReason: rest.verificationReason,
    messageId: rest.messageId,
    seq: message.seq,
    botId: message.conversation.botId,
    explanations: explanations.map(({ method, payload }) => ({ method, payload })),
    explanationTimings: explanations.map(({ method, durationMs, comprehensiveness, sufficiency }) => ({ method, durationMs, comprehensiveness, sufficiency })),
    conversation: lines.map((line) => ({
      id: line.id,
      seq: line.seq,
      role: line.role,
      text: line.text,
      parts: line.parts ?? null,
      createdAt: line.createdAt,
      predictionId: line.prediction?.id ?? null,
      intent: line.prediction?.intent ?? null,
      feedback: line.feedback,
    })),
    reviews: reviews.map((review) => ({ id: review.id, action: review.action, intent: review.intent, note: review.note, reviewer: review.reviewer.email, createdAt: review.createdAt })),
  };
}

/** What a review is checked against: the intent the prediction reported and its conversation's bot. */
export async function reviewSubject(predictionId: string): Promise<{ intent: string; botId: string; modelVersion: string } | null> {
  const prediction = await db().prediction.findUnique({ where: { id: predictionId }, select: { intent: true, modelVersion: true, message: { select: { conversation: { select: { botId: true } } } } } });
  return prediction ? { intent: prediction.intent, botId: prediction.message.conversation.botId, modelVersion: prediction.modelVersion } : null;
}

export type ReviewRow = {
  predictionId: string;
  reviewerId: string;
  action: ReviewAction;
  intent: string | null;
  note: string | null;
  /** The prediction's new review state, or null to leave it (a note). */
  status: { reviewStatus: ReviewStatus; reviewedIntent: string | null } | null;
};

/** Records a review and sets the prediction's review state, in one transaction. */
export async function recordReview({ predictionId, reviewerId, action, intent, note, status }: ReviewRow): Promise<ReviewEntry> {
  const [review] = await db().$transaction([
    db().review.create({ data: { predictionId, reviewerId, action, intent, note }, include: { reviewer: { select: { email: true } } } }),
    ...(status ? [db().prediction.update({ where: { id: predictionId }, data: status })] : []),
  ]);
  return { id: review.id, action: review.action, intent: review.intent, note: review.note, reviewer: review.reviewer.email, createdAt: review.createdAt };
}

export type QueueRow = LogRow & { risk: number };

/**
 * The "needs review" queue: unreviewed and flagged predictions since `since` (all when absent),
 * riskiest first, by `riskSql`: an SQL expression over the prediction `p` and its reply's
 * feedback `f` (lib/admin/risk.ts `RISK_SQL`).
 */
export async function reviewQueue(riskSql: string, page = 1, size = 50, since?: Date): Promise<{ rows: QueueRow[]; total: number }> {
  const offset = (page - 1) * size;
  const params = new SqlParams();
  const period = since ? ` AND p."createdAt" >= ${params.time(since)}` : '';
  const ranked = await db().$queryRawUnsafe<{ id: string; risk: number }[]>(
    `SELECT p."id" AS id, ${riskSql} AS risk
       FROM "Prediction" p
       LEFT JOIN "Feedback" f ON f."messageId" = p."replyId"
      WHERE p."reviewStatus" IN ('unreviewed', 'flagged')${period}
      ORDER BY risk DESC, p."createdAt" DESC, p."id" DESC
      LIMIT ${Math.floor(size)} OFFSET ${Math.floor(offset)}`,
    ...params.values,
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
