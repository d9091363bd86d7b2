import 'server-only';
import type { FeedbackRecord, PredictionRecord, ReplyParts, RestoredConversation, TurnRecord, UserParts } from '@/lib/records/turn';
import type { ExplanationRecord } from '@/lib/records/explanation';
import { provider } from './admin';
import { inPanelOrder } from '@/lib/explain';
import { redactFeedback, redactTurn } from '@/lib/ingest/redact-records';
import { getConfig } from '@/lib/config';
import { ApiError, conflict, notFound } from '@/lib/http/errors';
import { Prisma } from '@/lib/generated/sqlite/client';
import { db } from '../client';

export type StoreOutcome = 'stored' | 'duplicate';

/** A unique key refused the insert, through the query API (P2002) or a raw statement. */
function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, meta } = error as { code?: string; meta?: { driverAdapterError?: { cause?: { kind?: string } } } };
  return code === 'P2002' || (code === 'P2010' && meta?.driverAdapterError?.cause?.kind === 'UniqueConstraintViolation');
}

/**
 * Stores one turn (the user's message, the bot's reply and the prediction behind it) in one
 * transaction, the visitor's personal data masked first. A turn whose ids are already stored
 * is a retry and stores nothing; a different message at an occupied position is a conflict.
 *
 * This is the ingest hot path: a new turn is one batched transaction of three statements
 * (conversation upsert, both messages, the prediction), written as SQL that SQLite and
 * PostgreSQL both take, because the query API costs twice the CPU for the same statements.
 * Retries are rare, so they are told apart only after the insert fails on a unique key, not
 * by a look-up before every insert.
 */
export async function storeTurn(posted: TurnRecord): Promise<StoreOutcome> {
  const turn = redactTurn(posted, { kinds: getConfig().REDACT_PII });
  const now = new Date();
  const { conversationId, user, reply, prediction } = turn;
  const writes = [
    db().$executeRaw`INSERT INTO "Conversation" ("id", "botId", "createdAt", "updatedAt") VALUES (${conversationId}, ${turn.botId}, ${now}, ${now})
      ON CONFLICT ("id") DO UPDATE SET "updatedAt" = excluded."updatedAt"`,
    db().$executeRaw`INSERT INTO "Message" ("id", "conversationId", "seq", "role", "text", "parts", "createdAt") VALUES
      (${user.id}, ${conversationId}, ${user.seq}, 'user', ${user.text}, ${JSON.stringify(user.parts)}, ${now}),
      (${reply.id}, ${conversationId}, ${reply.seq}, 'assistant', ${reply.text}, ${JSON.stringify(reply.parts)}, ${now})`,
  ];
  if (prediction) {
    writes.push(db().$executeRaw`INSERT INTO "Prediction"
      ("id", "messageId", "replyId", "modelId", "modelVersion", "intent", "confidence", "topK", "decision", "backend", "latencyMs", "createdAt") VALUES
      (${prediction.id}, ${user.id}, ${reply.id}, ${prediction.modelId}, ${prediction.modelVersion}, ${prediction.intent}, ${prediction.confidence},
       ${JSON.stringify(prediction.topK)}, ${prediction.decision}, ${prediction.backend}, ${prediction.latencyMs}, ${now})`);
  }
  try {
    await db().$transaction(writes);
    return 'stored';
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // A retry of a stored turn (or two posts of it racing); or another message holds that position.
    const stored = await db().message.findUnique({ where: { id: user.id }, select: { conversationId: true } });
    if (stored) return sameConversation(stored.conversationId, turn);
    throw conflict('Another message is already stored at that position in the conversation.');
  }
}

/**
 * Stores a batch of turns, each atomic on its own, and says per turn, in the posted order, what
 * became of it: 'stored', 'duplicate' (a retry), or the ApiError a single post would have got
 * (a conflict). New turns, the common case, go in one transaction of three multi-row INSERTs
 * (conversations, messages, predictions). When a unique key refuses that transaction (a retried
 * batch, a conflict, a turn posted twice in the batch) nothing of it is kept, and each turn is
 * then stored on its own through `storeTurn`, which tells the cases apart.
 */
export async function storeTurns(posted: TurnRecord[]): Promise<(StoreOutcome | ApiError)[]> {
  if (posted.length > 1) {
    try {
      await insertNewTurns(posted);
      return posted.map(() => 'stored');
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  const outcomes: (StoreOutcome | ApiError)[] = [];
  for (const turn of posted) {
    try {
      outcomes.push(await storeTurn(turn));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      outcomes.push(error);
    }
  }
  return outcomes;
}

async function insertNewTurns(posted: TurnRecord[]): Promise<void> {
  const kinds = getConfig().REDACT_PII;
  const turns = posted.map((turn) => redactTurn(turn, { kinds }));
  const now = new Date();
  // One row per conversation: an upsert may not touch the same row twice in one statement (PostgreSQL).
  const conversations = new Map<string, string>();
  for (const turn of turns) if (!conversations.has(turn.conversationId)) conversations.set(turn.conversationId, turn.botId);
  const messageRows = turns.flatMap(({ conversationId, user, reply }) => [
    Prisma.sql`(${user.id}, ${conversationId}, ${user.seq}, 'user', ${user.text}, ${JSON.stringify(user.parts)}, ${now})`,
    Prisma.sql`(${reply.id}, ${conversationId}, ${reply.seq}, 'assistant', ${reply.text}, ${JSON.stringify(reply.parts)}, ${now})`,
  ]);
  const predictionRows = turns.flatMap(({ user, reply, prediction }) =>
    prediction
      ? [
          Prisma.sql`(${prediction.id}, ${user.id}, ${reply.id}, ${prediction.modelId}, ${prediction.modelVersion}, ${prediction.intent}, ${prediction.confidence},
            ${JSON.stringify(prediction.topK)}, ${prediction.decision}, ${prediction.backend}, ${prediction.latencyMs}, ${now})`,
        ]
      : [],
  );
  const writes = [
    db().$executeRaw`INSERT INTO "Conversation" ("id", "botId", "createdAt", "updatedAt") VALUES
      ${Prisma.join([...conversations].map(([id, botId]) => Prisma.sql`(${id}, ${botId}, ${now}, ${now})`))}
      ON CONFLICT ("id") DO UPDATE SET "updatedAt" = excluded."updatedAt"`,
    db().$executeRaw`INSERT INTO "Message" ("id", "conversationId", "seq", "role", "text", "parts", "createdAt") VALUES ${Prisma.join(messageRows)}`,
  ];
  if (predictionRows.length > 0) {
    writes.push(db().$executeRaw`INSERT INTO "Prediction"
      ("id", "messageId", "replyId", "modelId", "modelVersion", "intent", "confidence", "topK", "decision", "backend", "latencyMs", "createdAt") VALUES
      ${Prisma.join(predictionRows)}`);
  }
  await db().$transaction(writes);
}

function sameConversation(conversationId: string, turn: TurnRecord): StoreOutcome {
  if (conversationId !== turn.conversationId) throw conflict('That message id belongs to another conversation.');
  return 'duplicate';
}

export async function loadConversation(id: string): Promise<RestoredConversation> {
  const conversation = await db().conversation.findUnique({
    where: { id },
    include: {
      messages: {
        orderBy: { seq: 'asc' },
        include: { answers: { include: { explanations: { select: { payload: true } } } }, feedback: true },
      },
    },
  });
  if (!conversation) throw notFound('That conversation');
  return {
    id: conversation.id,
    botId: conversation.botId,
    messages: conversation.messages.map((message) => ({
      id: message.id,
      seq: message.seq,
      role: message.role,
      text: message.text,
      parts: (message.parts ?? null) as ReplyParts | UserParts | null,
      prediction: message.answers
        ? {
            id: message.answers.id,
            modelId: message.answers.modelId,
            modelVersion: message.answers.modelVersion,
            intent: message.answers.intent,
            confidence: message.answers.confidence,
            topK: message.answers.topK as { intent: string; probability: number }[],
            decision: message.answers.decision,
            backend: message.answers.backend,
            latencyMs: message.answers.latencyMs,
          }
        : null,
      feedback: message.feedback ? { helpful: message.feedback.helpful, comment: message.feedback.comment } : null,
      explanations: message.answers ? inPanelOrder(message.answers.explanations.map((row) => row.payload as unknown as ExplanationRecord)) : undefined,
      createdAt: message.createdAt.toISOString(),
    })),
  };
}

/** A visitor's thumbs up/down on a bot reply (the comment's personal data masked); saying it again replaces the earlier word. */
export async function saveFeedback(messageId: string, posted: FeedbackRecord): Promise<void> {
  const feedback = redactFeedback(posted, { kinds: getConfig().REDACT_PII });
  const message = await db().message.findUnique({ where: { id: messageId }, select: { role: true } });
  if (!message) throw notFound('That message');
  if (message.role !== 'assistant') throw conflict('Feedback is given on bot replies only.');
  const comment = feedback.comment ? feedback.comment : null;
  await db().feedback.upsert({
    where: { messageId },
    create: { id: feedback.id, messageId, helpful: feedback.helpful, comment },
    update: { helpful: feedback.helpful, comment },
  });
}

/** What the server's own run of the model concluded about one stored prediction (lib/verify). */
export type VerificationOutcome = {
  predictionId: string;
  verification: 'verified' | 'mismatch' | 'failed';
  verifiedIntent: string | null;
  verifiedConfidence: number | null;
};

/**
 * Writes a batch of verification outcomes, one UPDATE statement per 200 (one statement per row
 * through Prisma cost as much as the forward pass). Only a prediction still pending is changed,
 * so a second verifier (another process, the sweep) never overwrites a result. Returns how many
 * predictions changed.
 */
export async function saveVerifications(outcomes: VerificationOutcome[], verifiedAt = new Date()): Promise<number> {
  const pg = provider() === 'postgresql';
  let changed = 0;
  for (let start = 0; start < outcomes.length; start += 200) {
    const params: unknown[] = [];
    const param = (value: unknown, pgType?: string) => {
      params.push(value);
      return pg ? (pgType ? `CAST($${params.length} AS ${pgType})` : `$${params.length}`) : '?';
    };
    // SQLite keeps DateTime as ISO text with a +00:00 offset (see filterSql in ./admin.ts).
    const at = param(pg ? verifiedAt : verifiedAt.toISOString().replace('Z', '+00:00'), 'timestamp(3)');
    const rows = outcomes
      .slice(start, start + 200)
      .map((o) => `(${param(o.predictionId)}, ${param(o.verification, '"Verification"')}, ${param(o.verifiedIntent, 'text')}, ${param(o.verifiedConfidence, 'double precision')})`);
    // VALUES columns are column1..column4 on both providers.
    changed += await db().$executeRawUnsafe(
      `UPDATE "Prediction" SET "verification" = v.column2, "verifiedIntent" = v.column3, "verifiedConfidence" = v.column4, "verifiedAt" = ${at}
       FROM (VALUES ${rows.join(', ')}) AS v
       WHERE "Prediction"."id" = v.column1 AND "Prediction"."verification" = 'pending'`,
      ...params,
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
  topK: PredictionRecord['topK'];
  decision: PredictionRecord['decision'];
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
    topK: row.topK as PredictionRecord['topK'],
    decision: row.decision,
    storedText: row.message.text,
  }));
}
