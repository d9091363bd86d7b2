import 'server-only';
import { Prisma, type Backend, type Decision } from '@/lib/generated/sqlite/client';
import { db } from '../client';
import { sqlJson } from '../dialect';
import { isUniqueViolation, StoreError } from '../errors';
import { openHandoffStatements, type HandoffOpening } from './handoffs';

/**
 * The shapes the chat's tables store, written structurally so that the validated records
 * (lib/records) fit them as they are. What goes in is stored as given: the callers (lib/ingest)
 * validate, mask personal data and derive before they call.
 */
export type PredictionRow = {
  id: string;
  modelId: string;
  modelVersion: string;
  intent: string;
  confidence: number;
  topK: readonly { intent: string; probability: number }[];
  decision: Decision;
  backend: Backend;
  latencyMs: number;
};

export type TurnRow = {
  conversationId: string;
  botId: string;
  user: { id: string; seq: number; text: string; parts: unknown };
  reply: { id: string; seq: number; text: string; parts: unknown };
  prediction?: PredictionRow;
  /** When the reply hands off: the hand-off the turn opens (or whose reason it updates), in the turn's transaction. */
  handoff?: HandoffOpening;
};

export type StoreOutcome = 'stored' | 'duplicate';

/**
 * Stores turns (the user's message, the bot's reply and the prediction behind it), each atomic
 * on its own, and says per turn, in the given order, what became of it: 'stored', 'duplicate' (its
 * ids are stored already, in the same conversation: a retry), or the StoreError of a conflict.
 *
 * This is the ingest hot path, written as SQL both databases take, because the query API costs
 * twice the CPU for the same statements. New turns, the common case, go in one transaction of
 * three multi-row INSERTs (`insertTurns`). When a unique key refuses it (a retried batch, a
 * conflict, a turn given twice) nothing of it is kept, and each turn is then inserted on its own
 * and told apart only after its insert fails, not by a look-up before every insert.
 */
export async function storeTurns(turns: readonly TurnRow[]): Promise<(StoreOutcome | StoreError)[]> {
  if (turns.length > 1) {
    try {
      await insertTurns(turns);
      return turns.map(() => 'stored');
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  const outcomes: (StoreOutcome | StoreError)[] = [];
  for (const turn of turns) outcomes.push(await storeTurn(turn));
  return outcomes;
}

async function storeTurn(turn: TurnRow): Promise<StoreOutcome | StoreError> {
  try {
    await insertTurns([turn]);
    return 'stored';
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // A retry of a stored turn (or two posts of it racing); or another message holds that position.
    const stored = await db().message.findUnique({ where: { id: turn.user.id }, select: { conversationId: true } });
    if (!stored) return new StoreError('message_position_taken');
    return stored.conversationId === turn.conversationId ? 'duplicate' : new StoreError('message_in_other_conversation');
  }
}

/** Inserts turns in one transaction: one statement each for conversations, messages and predictions. */
async function insertTurns(turns: readonly TurnRow[]): Promise<void> {
  const now = new Date();
  // One row per conversation: an upsert may not touch the same row twice in one statement (PostgreSQL).
  const conversations = new Map<string, string>();
  for (const turn of turns) if (!conversations.has(turn.conversationId)) conversations.set(turn.conversationId, turn.botId);
  const messageRows = turns.flatMap(({ conversationId, user, reply }) => [
    Prisma.sql`(${user.id}, ${conversationId}, ${user.seq}, 'user', ${user.text}, ${sqlJson(user.parts)}, ${now})`,
    Prisma.sql`(${reply.id}, ${conversationId}, ${reply.seq}, 'assistant', ${reply.text}, ${sqlJson(reply.parts)}, ${now})`,
  ]);
  const predictionRows = turns.flatMap(({ user, reply, prediction: p }) =>
    p
      ? [
          Prisma.sql`(${p.id}, ${user.id}, ${reply.id}, ${p.modelId}, ${p.modelVersion}, ${p.intent}, ${p.confidence},
            ${sqlJson(p.topK)}, ${p.decision}, ${p.backend}, ${p.latencyMs}, ${now})`,
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
  // In the turns' order: a later turn's request for a person updates the hand-off an earlier one opened.
  for (const turn of turns) if (turn.handoff) writes.push(...openHandoffStatements(turn.conversationId, turn.handoff, now));
  await db().$transaction(writes);
}

/** A stored conversation, its messages in order; explanation payloads as stored, in no order. */
export type StoredConversation = {
  id: string;
  botId: string;
  messages: {
    id: string;
    seq: number;
    role: 'user' | 'assistant';
    text: string;
    parts: unknown;
    prediction: (Omit<PredictionRow, 'topK'> & { topK: unknown; explanations: { method: string; payload: unknown }[] }) | null;
    feedback: { helpful: boolean; comment: string | null } | null;
    createdAt: Date;
  }[];
};

/** A conversation as stored, or null when there is none with that id. */
export async function findConversation(id: string): Promise<StoredConversation | null> {
  const conversation = await db().conversation.findUnique({
    where: { id },
    include: {
      messages: {
        orderBy: { seq: 'asc' },
        include: { answers: { include: { explanations: { select: { method: true, payload: true } } } }, feedback: true },
      },
    },
  });
  if (!conversation) return null;
  return {
    id: conversation.id,
    botId: conversation.botId,
    messages: conversation.messages.map((message) => {
      const answer = message.answers;
      return {
        id: message.id,
        seq: message.seq,
        role: message.role,
        text: message.text,
        parts: message.parts ?? null,
        prediction: answer
          ? {
              id: answer.id,
              modelId: answer.modelId,
              modelVersion: answer.modelVersion,
              intent: answer.intent,
              confidence: answer.confidence,
              topK: answer.topK,
              decision: answer.decision,
              backend: answer.backend,
              latencyMs: answer.latencyMs,
              explanations: answer.explanations,
            }
          : null,
        feedback: message.feedback ? { helpful: message.feedback.helpful, comment: message.feedback.comment } : null,
        createdAt: message.createdAt,
      };
    }),
  };
}

/** Who wrote a stored message, or null when there is none with that id. */
export async function messageRole(id: string): Promise<'user' | 'assistant' | null> {
  const message = await db().message.findUnique({ where: { id }, select: { role: true } });
  return message?.role ?? null;
}

export type FeedbackRow = { id: string; messageId: string; helpful: boolean; comment: string | null };

/** Stores a reply's feedback; feedback given again on the same reply replaces the earlier one (its id kept). */
export async function upsertFeedback({ id, messageId, helpful, comment }: FeedbackRow): Promise<void> {
  await db().feedback.upsert({ where: { messageId }, create: { id, messageId, helpful, comment }, update: { helpful, comment } });
}
