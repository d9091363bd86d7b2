import 'server-only';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { reviewLabels } from '@/lib/verify/bots';
import type { AdminSessionInfo } from '@/lib/auth/admins';
import { redact } from '@/lib/bot/redact';
import { getConfig } from '@/lib/config';
import {
  agentMessagesOf,
  agentMessageTime,
  assignHandoff,
  closeHandoff,
  conversationStatus,
  findOpenHandoff,
  handoffsOf,
  inboxCounts,
  insertAgentMessage,
  listInbox,
  type AgentMessageRow,
  type HandoffRow,
  type InboxRow,
} from '@/lib/db/queries/handoffs';
import { loadConversation } from './conversations';
import { ApiError, badRequest, conflict, notFound } from '@/lib/http/errors';
import { uuidField } from '@/lib/records/fields';
import type { AgentMessageView, ConversationUpdates, HandoffView, InboxQuery, RestoredWithAgents } from '@/lib/records/handoff';
export type { AgentMessageView, ConversationUpdates, HandoffView, RestoredWithAgents };
import type { RestoredConversation } from '@/lib/records/turn';
import {
  claimRefusal,
  displayNameOf,
  isBusy,
  replyRefusal,
  resolveRefusal,
  type Actor,
  type ConversationStatus,
  type HandoffReason,
  type Refusal,
  type Resolution,
} from '@/lib/handoff/rules';

/**
 * The hand-off's operations as the API runs them: each reads the state from the database, applies
 * the rules (./rules.ts) and writes compare-and-set, so a request that lost a race is told so
 * (409) instead of overwriting the winner. Nothing is kept in the process between requests.
 */

/** The most agent messages one poll returns: the next poll continues after the last. */
export const MAX_AGENT_MESSAGES_PER_POLL = 100;

const agentMessageView = (row: AgentMessageRow): AgentMessageView => ({
  id: row.id,
  text: row.text,
  createdAt: row.createdAt.toISOString(),
  author: { displayName: displayNameOf(row.author.email) },
});

function handoffView(handoff: HandoffRow | null, now: Date): HandoffView | null {
  if (!handoff || handoff.status === 'resolved') return null;
  return {
    reason: handoff.reason,
    since: handoff.createdAt.toISOString(),
    claimedAt: handoff.claimedAt?.toISOString() ?? null,
    busy: isBusy(handoff, now, getConfig().HANDOFF_BUSY_AFTER_S),
  };
}

/** Where a poll continues: after an agent message (by id) or after a moment (ISO time). */
export function parseAfter(value: string | null): { messageId: string } | { time: Date } | null {
  if (value === null || value === '') return null;
  if (uuidField.safeParse(value).success) return { messageId: value };
  const time = z.iso.datetime({ offset: true }).safeParse(value);
  if (!time.success) throw badRequest('after must be an ISO time or an agent message id.');
  return { time: new Date(time.data) };
}

export async function conversationUpdates(conversationId: string, after: ReturnType<typeof parseAfter>, now = new Date()): Promise<ConversationUpdates> {
  const conversation = await conversationStatus(conversationId);
  if (!conversation) throw notFound('That conversation');
  let from: { createdAt: Date; id?: string } | undefined;
  if (after && 'messageId' in after) {
    const createdAt = await agentMessageTime(conversationId, after.messageId);
    if (!createdAt) throw notFound('That agent message');
    from = { createdAt, id: after.messageId };
  } else if (after) {
    from = { createdAt: after.time };
  }
  // The open hand-off is read only when there is one: a conversation with the bot costs one look-up by key.
  const [handoff, messages] = await Promise.all([
    conversation.status === 'bot' ? null : findOpenHandoff(conversationId),
    agentMessagesOf(conversationId, from, MAX_AGENT_MESSAGES_PER_POLL),
  ]);
  return { status: conversation.status, handoff: handoffView(handoff, now), agentMessages: messages.map(agentMessageView) };
}

export async function restoreConversation(conversationId: string, now = new Date()): Promise<RestoredWithAgents> {
  const conversation = await loadConversation(conversationId);
  const [status, handoff, messages] = await Promise.all([conversationStatus(conversationId), findOpenHandoff(conversationId), agentMessagesOf(conversationId)]);
  return { ...conversation, status: status?.status ?? 'bot', handoff: handoffView(handoff, now), agentMessages: messages.map(agentMessageView) };
}

const actorOf = (session: AdminSessionInfo): Actor => ({ id: session.user.id, role: session.user.role });

function refuse(refusal: NonNullable<Refusal>): never {
  throw refusal.status === 409 ? conflict(refusal.message) : new ApiError(403, 'forbidden', refusal.message);
}

async function openHandoffOrThrow(conversationId: string): Promise<HandoffRow & { status: 'waiting' | 'assigned' }> {
  const handoff = await findOpenHandoff(conversationId);
  if (!handoff || handoff.status === 'resolved') {
    if (!(await conversationStatus(conversationId))) throw notFound('That conversation');
    throw conflict('This conversation has no open hand-off.');
  }
  return handoff as HandoffRow & { status: 'waiting' | 'assigned' };
}

/** Claims the conversation's open hand-off for the signed-in account; claiming one already yours changes nothing. */
export async function claimHandoff(conversationId: string, session: AdminSessionInfo, now = new Date()): Promise<HandoffSummary> {
  const actor = actorOf(session);
  const handoff = await openHandoffOrThrow(conversationId);
  const refusal = claimRefusal(handoff, actor);
  if (refusal) refuse(refusal);
  if (handoff.status === 'assigned') return summaryOf(handoff);
  if (!(await assignHandoff(conversationId, handoff, actor.id, now))) {
    // Someone else's claim (or a resolution) came first.
    const current = await findOpenHandoff(conversationId);
    if (current?.status === 'assigned' && current.assigneeId === actor.id) return summaryOf(current);
    throw conflict('Someone else has claimed this conversation.');
  }
  return summaryOf((await findOpenHandoff(conversationId))!);
}

/** Writes an agent message into the conversation: by its assignee, or an admin. */
export async function replyToConversation(conversationId: string, session: AdminSessionInfo, text: string, now = new Date()): Promise<AgentMessageView> {
  const actor = actorOf(session);
  const handoff = await openHandoffOrThrow(conversationId);
  const refusal = replyRefusal(handoff, actor);
  if (refusal) refuse(refusal);
  const stored = await insertAgentMessage(conversationId, handoff, { id: randomUUID(), authorId: actor.id, text }, now);
  if (!stored) throw conflict('The hand-off changed meanwhile; reload the conversation.');
  return agentMessageView(stored);
}

/**
 * Resolves the open hand-off with what the customer wanted (by its assignee, or an admin): an
 * intent of the bot's model, a new topic (its name masked like any free text before storage), or
 * not a support request. The conversation goes back to the bot.
 */
export async function resolveHandoff(conversationId: string, session: AdminSessionInfo, input: Resolution, now = new Date()): Promise<HandoffSummary> {
  const actor = actorOf(session);
  const handoff = await openHandoffOrThrow(conversationId);
  const refusal = resolveRefusal(handoff, actor);
  if (refusal) refuse(refusal);
  let columns;
  if (input.resolution === 'intent') {
    const bot = await conversationStatus(conversationId);
    if (!(await reviewLabels(bot!.botId)).has(input.intent)) throw badRequest('The intent must be one of the bot’s intents.', [{ path: 'intent', message: 'is not a label of the bot' }]);
    columns = { resolution: 'intent' as const, resolutionIntent: input.intent, resolutionTopic: null };
  } else if (input.resolution === 'new_topic') {
    columns = { resolution: 'new_topic' as const, resolutionIntent: null, resolutionTopic: redact(input.topic, { kinds: getConfig().REDACT_PII }).text };
  } else {
    columns = { resolution: 'not_support' as const, resolutionIntent: null, resolutionTopic: null };
  }
  if (!(await closeHandoff(conversationId, handoff, columns, now))) throw conflict('The hand-off changed meanwhile; reload the conversation.');
  const resolved = (await handoffsOf(conversationId)).find((row) => row.id === handoff.id)!;
  return summaryOf(resolved);
}

/** A hand-off as the agent API answers: its state and who holds it (staff see each other's e-mails). */
export type HandoffSummary = {
  id: string;
  conversationId: string;
  reason: HandoffReason;
  status: HandoffRow['status'];
  createdAt: string;
  claimedAt: string | null;
  resolvedAt: string | null;
  assignee: { id: string; email: string } | null;
  resolution: HandoffRow['resolution'];
  resolutionIntent: string | null;
  resolutionTopic: string | null;
};

function summaryOf(row: HandoffRow): HandoffSummary {
  return {
    id: row.id,
    conversationId: row.conversationId,
    reason: row.reason,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    claimedAt: row.claimedAt?.toISOString() ?? null,
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    assignee: row.assignee,
    resolution: row.resolution,
    resolutionIntent: row.resolutionIntent,
    resolutionTopic: row.resolutionTopic,
  };
}

export const INBOX_PAGE_SIZE = 50;

export type InboxEntry = Omit<InboxRow, 'createdAt' | 'claimedAt'> & { createdAt: string; claimedAt: string | null; waitSeconds: number };
export type InboxPage = { rows: InboxEntry[]; total: number; page: number; pages: number; size: number };

/** The inbox: waiting hand-offs, those assigned, or the signed-in account's own; oldest first, with how long each has waited. */
export async function inbox(query: InboxQuery, session: AdminSessionInfo, now = new Date()): Promise<InboxPage> {
  const filter = query.status === 'mine' ? { status: 'assigned' as const, assigneeId: session.user.id } : { status: query.status };
  const { rows, total } = await listInbox(filter, query.page, INBOX_PAGE_SIZE);
  return {
    rows: rows.map((row) => ({
      ...row,
      createdAt: row.createdAt.toISOString(),
      claimedAt: row.claimedAt?.toISOString() ?? null,
      waitSeconds: Math.max(0, Math.round(((row.claimedAt ?? now).getTime() - row.createdAt.getTime()) / 1000)),
    })),
    total,
    page: query.page,
    pages: Math.max(1, Math.ceil(total / INBOX_PAGE_SIZE)),
    size: INBOX_PAGE_SIZE,
  };
}

export function inboxCount(session: AdminSessionInfo): Promise<{ waiting: number; mine: number }> {
  return inboxCounts(session.user.id);
}

/** An agent message as the admin shows it: the author's e-mail too. */
export type StaffAgentMessage = AgentMessageView & { author: { displayName: string; id: string; email: string } };

/** `GET /api/admin/conversations/:id`: the transcript with each reply's stored explanations, the agents' messages and the hand-offs. */
export type AgentConversation = RestoredConversation & {
  status: ConversationStatus;
  agentMessages: StaffAgentMessage[];
  /** The open hand-off with its reason and the bot's evidence, or null. */
  handoff: (HandoffSummary & { snapshot: unknown; triggerMessageId: string; busy: boolean }) | null;
  /** Every hand-off of the conversation, oldest first. */
  handoffs: HandoffSummary[];
};

export async function agentConversation(conversationId: string, now = new Date()): Promise<AgentConversation> {
  const conversation = await loadConversation(conversationId);
  const [status, handoffs, messages] = await Promise.all([conversationStatus(conversationId), handoffsOf(conversationId), agentMessagesOf(conversationId)]);
  const open = handoffs.find((row) => row.status !== 'resolved') ?? null;
  return {
    ...conversation,
    status: status?.status ?? 'bot',
    agentMessages: messages.map((row) => ({ ...agentMessageView(row), author: { displayName: displayNameOf(row.author.email), id: row.author.id, email: row.author.email } })),
    handoff: open ? { ...summaryOf(open), snapshot: open.snapshot, triggerMessageId: open.triggerMessageId, busy: isBusy(open, now, getConfig().HANDOFF_BUSY_AFTER_S) } : null,
    handoffs: handoffs.map(summaryOf),
  };
}
