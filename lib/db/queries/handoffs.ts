import 'server-only';
import { Prisma, type HandoffReason, type HandoffResolution, type HandoffStatus, type ConversationStatus } from '@/lib/generated/sqlite/client';
import { db } from '../client';

/**
 * Hand-offs, agent messages and the conversation's status as stored. The rules (who may claim,
 * reply, resolve; what opens a hand-off) are the callers' (lib/handoff); these read rows and
 * write them compare-and-set, so two requests racing on one hand-off never both succeed.
 */

/** What a turn's insert writes when its reply hands off (lib/db/queries/chat.ts `insertTurns`). */
export type HandoffOpening = { id: string; reason: HandoffReason; triggerMessageId: string; snapshot: unknown };

/**
 * The statements that open a hand-off with a turn, in the turn's transaction: a new hand-off
 * when the conversation has none open (the unique `openConversationId` decides, also between
 * racing posts), else the open one takes `requested` when the customer asks for a person; and
 * the conversation waits.
 */
export function openHandoffStatements(conversationId: string, opening: HandoffOpening, now: Date): Prisma.PrismaPromise<number>[] {
  return [
    db().$executeRaw`INSERT INTO "Handoff" ("id", "conversationId", "openConversationId", "reason", "triggerMessageId", "snapshot", "status", "createdAt")
      VALUES (${opening.id}, ${conversationId}, ${conversationId}, ${opening.reason}, ${opening.triggerMessageId}, ${JSON.stringify(opening.snapshot)}, 'waiting', ${now})
      ON CONFLICT ("openConversationId") DO UPDATE SET "reason" = CASE WHEN excluded."reason" = 'requested' THEN excluded."reason" ELSE "Handoff"."reason" END`,
    db().$executeRaw`UPDATE "Conversation" SET "status" = 'waiting' WHERE "id" = ${conversationId} AND "status" = 'bot'`,
  ];
}

/** The latest user message of a conversation the model classified, before position `beforeSeq`. */
export async function latestClassifiedMessage(conversationId: string, beforeSeq: number) {
  const message = await db().message.findFirst({
    where: { conversationId, role: 'user', seq: { lt: beforeSeq }, prediction: { isNot: null } },
    orderBy: { seq: 'desc' },
    select: { id: true, text: true, prediction: { select: { id: true, intent: true, confidence: true, topK: true, decision: true } } },
  });
  if (!message?.prediction) return null;
  const { topK, ...prediction } = message.prediction;
  return { id: message.id, text: message.text, prediction: { ...prediction, topK: topK as { intent: string; probability: number }[] } };
}

export type HandoffRow = {
  id: string;
  conversationId: string;
  reason: HandoffReason;
  status: HandoffStatus;
  triggerMessageId: string;
  snapshot: unknown;
  assigneeId: string | null;
  assignee: { id: string; email: string } | null;
  createdAt: Date;
  claimedAt: Date | null;
  resolvedAt: Date | null;
  resolution: HandoffResolution | null;
  resolutionIntent: string | null;
  resolutionTopic: string | null;
};

const handoffSelect = {
  id: true,
  conversationId: true,
  reason: true,
  status: true,
  triggerMessageId: true,
  snapshot: true,
  assigneeId: true,
  assignee: { select: { id: true, email: true } },
  createdAt: true,
  claimedAt: true,
  resolvedAt: true,
  resolution: true,
  resolutionIntent: true,
  resolutionTopic: true,
} as const satisfies Prisma.HandoffSelect;

/** The conversation's open hand-off (waiting or assigned), or null. */
export async function findOpenHandoff(conversationId: string): Promise<HandoffRow | null> {
  return db().handoff.findUnique({ where: { openConversationId: conversationId }, select: handoffSelect });
}

/** Every hand-off of a conversation, oldest first. */
export async function handoffsOf(conversationId: string): Promise<HandoffRow[]> {
  return db().handoff.findMany({ where: { conversationId }, orderBy: { createdAt: 'asc' }, select: handoffSelect });
}

export type AgentMessageRow = { id: string; text: string; createdAt: Date; author: { id: string; email: string } };

const agentMessageSelect = { id: true, text: true, createdAt: true, author: { select: { id: true, email: true } } } as const;

/** A conversation's agent messages in order of time, optionally only those after a point (time, then id). */
export async function agentMessagesOf(conversationId: string, after?: { createdAt: Date; id?: string }, limit = 500): Promise<AgentMessageRow[]> {
  const where: Prisma.AgentMessageWhereInput = { conversationId };
  if (after) {
    where.OR = after.id
      ? [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }]
      : [{ createdAt: { gt: after.createdAt } }];
  }
  return db().agentMessage.findMany({ where, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: limit, select: agentMessageSelect });
}

/** When an agent message of the conversation was written, or null when it has no such message. */
export async function agentMessageTime(conversationId: string, id: string): Promise<Date | null> {
  const row = await db().agentMessage.findFirst({ where: { id, conversationId }, select: { createdAt: true } });
  return row?.createdAt ?? null;
}

/** A conversation's status, or null when there is no such conversation. */
export async function conversationStatus(conversationId: string): Promise<{ status: ConversationStatus; botId: string } | null> {
  return db().conversation.findUnique({ where: { id: conversationId }, select: { status: true, botId: true } });
}

/** The state a change expects the hand-off to be in: it is written only if nobody changed it meanwhile. */
export type ExpectedHandoff = { id: string; status: HandoffStatus; assigneeId: string | null };

function expected({ id, status, assigneeId }: ExpectedHandoff): Prisma.HandoffWhereInput {
  return { id, status, assigneeId, openConversationId: { not: null } };
}

/** Assigns an open hand-off to `assigneeId`; false when it changed since it was read. */
export async function assignHandoff(conversationId: string, from: ExpectedHandoff, assigneeId: string, now: Date): Promise<boolean> {
  return db().$transaction(async (tx) => {
    const { count } = await tx.handoff.updateMany({ where: expected(from), data: { status: 'assigned', assigneeId, claimedAt: now } });
    if (count === 0) return false;
    await tx.conversation.update({ where: { id: conversationId }, data: { status: 'assigned' } });
    return true;
  });
}

export type ResolutionColumns = { resolution: HandoffResolution; resolutionIntent: string | null; resolutionTopic: string | null };

/** Resolves an open hand-off and gives the conversation back to the bot; false when it changed since it was read. */
export async function closeHandoff(conversationId: string, from: ExpectedHandoff, resolution: ResolutionColumns, now: Date): Promise<boolean> {
  return db().$transaction(async (tx) => {
    const { count } = await tx.handoff.updateMany({
      where: expected(from),
      data: { status: 'resolved', resolvedAt: now, openConversationId: null, ...resolution },
    });
    if (count === 0) return false;
    await tx.conversation.update({ where: { id: conversationId }, data: { status: 'bot' } });
    return true;
  });
}

/** Stores an agent message while the hand-off is still as read; null when it changed meanwhile. */
export async function insertAgentMessage(
  conversationId: string,
  from: ExpectedHandoff,
  message: { id: string; authorId: string; text: string },
  now: Date,
): Promise<AgentMessageRow | null> {
  const inserted = await db().$executeRaw`INSERT INTO "AgentMessage" ("id", "conversationId", "authorId", "text", "createdAt")
    SELECT ${message.id}, ${conversationId}, ${message.authorId}, ${message.text}, ${now}
    WHERE EXISTS (SELECT 1 FROM "Handoff" WHERE "id" = ${from.id} AND "openConversationId" = ${conversationId}
      AND CAST("status" AS TEXT) = ${from.status} AND "assigneeId" IS NOT DISTINCT FROM CAST(${from.assigneeId} AS TEXT))`;
  if (inserted === 0) return null;
  return db().agentMessage.findUniqueOrThrow({ where: { id: message.id }, select: agentMessageSelect });
}

export type InboxFilter = { status: 'waiting' | 'assigned'; assigneeId?: string };

export type InboxRow = {
  handoffId: string;
  conversationId: string;
  botId: string;
  reason: HandoffReason;
  status: HandoffStatus;
  createdAt: Date;
  claimedAt: Date | null;
  assignee: { id: string; email: string } | null;
  triggerText: string;
};

/** One page of open hand-offs, oldest first (the `(status, createdAt)` index), and how many there are. */
export async function listInbox(filter: InboxFilter, page: number, size: number): Promise<{ rows: InboxRow[]; total: number }> {
  const where: Prisma.HandoffWhereInput = { status: filter.status, ...(filter.assigneeId ? { assigneeId: filter.assigneeId } : {}) };
  const [rows, total] = await Promise.all([
    db().handoff.findMany({
      where,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      skip: (page - 1) * size,
      take: size,
      select: {
        id: true,
        conversationId: true,
        reason: true,
        status: true,
        createdAt: true,
        claimedAt: true,
        assignee: { select: { id: true, email: true } },
        conversation: { select: { botId: true } },
        triggerMessage: { select: { text: true } },
      },
    }),
    db().handoff.count({ where }),
  ]);
  return {
    rows: rows.map((row) => ({
      handoffId: row.id,
      conversationId: row.conversationId,
      botId: row.conversation.botId,
      reason: row.reason,
      status: row.status,
      createdAt: row.createdAt,
      claimedAt: row.claimedAt,
      assignee: row.assignee,
      triggerText: row.triggerMessage.text,
    })),
    total,
  };
}

/** The nav badge: hand-offs waiting, and those assigned to `assigneeId`. */
export async function inboxCounts(assigneeId: string): Promise<{ waiting: number; mine: number }> {
  const [waiting, mine] = await Promise.all([
    db().handoff.count({ where: { status: 'waiting' } }),
    db().handoff.count({ where: { status: 'assigned', assigneeId } }),
  ]);
  return { waiting, mine };
}

export type ResolvedHandoffRow = { text: string; botId: string } & ResolutionColumns;

/**
 * Resolved hand-offs whose triggering message the model classified (a button press carries no
 * text worth learning), in batches, for the training export.
 */
export async function* iterateResolvedHandoffs(batch = 1000): AsyncGenerator<ResolvedHandoffRow> {
  let cursor: string | undefined;
  for (;;) {
    const rows = await db().handoff.findMany({
      where: { status: 'resolved', resolution: { not: null }, triggerMessage: { prediction: { isNot: null } } },
      orderBy: { id: 'asc' },
      take: batch,
      ...(cursor ? { skip: 1, cursor: { id: cursor } } : {}),
      select: {
        id: true,
        resolution: true,
        resolutionIntent: true,
        resolutionTopic: true,
        conversation: { select: { botId: true } },
        triggerMessage: { select: { text: true } },
      },
    });
    for (const row of rows) {
      yield { text: row.triggerMessage.text, botId: row.conversation.botId, resolution: row.resolution!, resolutionIntent: row.resolutionIntent, resolutionTopic: row.resolutionTopic };
    }
    if (rows.length < batch) return;
    cursor = rows[rows.length - 1]!.id;
  }
}
