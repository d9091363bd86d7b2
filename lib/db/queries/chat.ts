import 'server-only';
import type { ExplanationRecord, FeedbackRecord, ReplyParts, RestoredConversation, TurnRecord, UserParts } from '@/lib/chat/records';
import { inPanelOrder } from './explanations';
import { redactTurn } from '@/lib/chat/redact-records';
import { getConfig } from '@/lib/config';
import { conflict, notFound } from '@/lib/http/errors';
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

/** A visitor's thumbs up/down on a bot reply; saying it again replaces the earlier word. */
export async function saveFeedback(messageId: string, feedback: FeedbackRecord): Promise<void> {
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
