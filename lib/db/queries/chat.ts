import 'server-only';
import type { Prisma } from '@/lib/generated/sqlite/client';
import type { ExplanationRecord, FeedbackRecord, ReplyParts, RestoredConversation, TurnRecord, UserParts } from '@/lib/chat/records';
import { inPanelOrder } from './explanations';
import { redactTurn } from '@/lib/chat/redact-records';
import { getConfig } from '@/lib/config';
import { conflict, notFound } from '@/lib/http/errors';
import { db } from '../client';

export type StoreOutcome = 'stored' | 'duplicate';

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';
}

/**
 * Stores one turn (the user's message, the bot's reply and the prediction behind it) in one
 * transaction, the visitor's personal data masked first. A turn whose ids are already stored is a retry and stores nothing; a different
 * message at an occupied position is a conflict.
 */
export async function storeTurn(posted: TurnRecord): Promise<StoreOutcome> {
  const turn = redactTurn(posted, { kinds: getConfig().REDACT_PII });
  const existing = await db().message.findUnique({ where: { id: turn.user.id }, select: { conversationId: true } });
  if (existing) return sameConversation(existing.conversationId, turn);
  try {
    await db().$transaction(async (tx) => {
      await tx.conversation.upsert({
        where: { id: turn.conversationId },
        create: { id: turn.conversationId, botId: turn.botId },
        update: {},
      });
      await tx.message.create({
        data: { id: turn.user.id, conversationId: turn.conversationId, seq: turn.user.seq, role: 'user', text: turn.user.text, parts: turn.user.parts },
      });
      await tx.message.create({
        data: { id: turn.reply.id, conversationId: turn.conversationId, seq: turn.reply.seq, role: 'assistant', text: turn.reply.text, parts: turn.reply.parts },
      });
      if (turn.prediction) {
        const { topK, ...prediction } = turn.prediction;
        await tx.prediction.create({
          data: { ...prediction, topK: topK as Prisma.InputJsonValue, messageId: turn.user.id, replyId: turn.reply.id },
        });
      }
      await tx.conversation.update({ where: { id: turn.conversationId }, data: { updatedAt: new Date() } });
    });
    return 'stored';
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Two posts of the same turn raced; or another message holds that position.
    const raced = await db().message.findUnique({ where: { id: turn.user.id }, select: { conversationId: true } });
    if (raced) return sameConversation(raced.conversationId, turn);
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

/** What the server's own run of the model concluded about one stored prediction (lib/verify). */
export type VerificationOutcome = {
  predictionId: string;
  verification: 'verified' | 'mismatch' | 'failed';
  verifiedIntent: string | null;
  verifiedConfidence: number | null;
};

/**
 * Writes a batch of verification outcomes in one transaction. Only a prediction still pending
 * is changed, so a second verifier (another process, the sweep) never overwrites a result.
 * Returns how many predictions changed.
 */
export async function saveVerifications(outcomes: VerificationOutcome[], verifiedAt = new Date()): Promise<number> {
  if (outcomes.length === 0) return 0;
  const updates = await db().$transaction(
    outcomes.map(({ predictionId, ...outcome }) =>
      db().prediction.updateMany({ where: { id: predictionId, verification: 'pending' }, data: { ...outcome, verifiedAt } }),
    ),
  );
  return updates.reduce((sum, update) => sum + update.count, 0);
}

/** A stored prediction that no verifier has concluded on yet, with the text as stored. */
export type PendingPrediction = { predictionId: string; botId: string; modelVersion: string; intent: string; storedText: string };

/** The oldest pending predictions stored before `createdBefore`, for the verification sweep. */
export async function pendingPredictions(limit: number, createdBefore: Date): Promise<PendingPrediction[]> {
  const rows = await db().prediction.findMany({
    where: { verification: 'pending', createdAt: { lt: createdBefore } },
    orderBy: { createdAt: 'asc' },
    take: limit,
    select: { id: true, modelVersion: true, intent: true, message: { select: { text: true, conversation: { select: { botId: true } } } } },
  });
  return rows.map((row) => ({
    predictionId: row.id,
    botId: row.message.conversation.botId,
    modelVersion: row.modelVersion,
    intent: row.intent,
    storedText: row.message.text,
  }));
}
