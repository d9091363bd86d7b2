import { z } from 'zod';
import { labelField } from './fields';
import type { RestoredConversation } from './turn';

/**
 * What the agent pages post (shared by the inbox pages and the API that validates them), and the
 * limits both sides keep.
 */

/** The longest message a person may write into a conversation. */
export const MAX_AGENT_MESSAGE_LENGTH = 2000;
/** The longest name of a new topic an agent may give when resolving. */
export const MAX_TOPIC_LENGTH = 100;

/** `POST /api/admin/conversations/:id/messages`: plain text, shown as text, never as HTML. */
export const agentMessageSchema = z.object({ text: z.string().trim().min(1, { message: 'must not be empty' }).max(MAX_AGENT_MESSAGE_LENGTH) });
export type AgentMessageInput = z.infer<typeof agentMessageSchema>;

/** `POST /api/admin/conversations/:id/resolve`: what the customer wanted. */
export const resolutionSchema = z.discriminatedUnion('resolution', [
  z.object({ resolution: z.literal('intent'), intent: labelField }),
  z.object({ resolution: z.literal('new_topic'), topic: z.string().trim().min(1, { message: 'must not be empty' }).max(MAX_TOPIC_LENGTH) }),
  z.object({ resolution: z.literal('not_support') }),
]);
export type ResolutionInput = z.infer<typeof resolutionSchema>;

/** `GET /api/admin/inbox?status=…&page=…`. */
export const inboxQuerySchema = z.object({
  status: z.enum(['waiting', 'assigned', 'mine']).default('waiting'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});
export type InboxQuery = z.infer<typeof inboxQuerySchema>;

/** Who answers a conversation: the bot, nobody yet (a hand-off waits), or a person. */
export type ConversationStatus = 'bot' | 'waiting' | 'assigned';
export type HandoffReason = 'requested' | 'out_of_scope' | 'unsure' | 'unreadable' | 'repeated';

/** An agent message as the customer's chat shows it: the author by display name only; `text` is plain text. */
export type AgentMessageView = { id: string; text: string; createdAt: string; author: { displayName: string } };

/** The open hand-off as the customer's chat sees it; `busy` once it has waited past `HANDOFF_BUSY_AFTER_S`. */
export type HandoffView = { reason: HandoffReason; since: string; claimedAt: string | null; busy: boolean };

/** `GET /api/conversations/:id/updates?after=…`: what the chat polls while a hand-off is open. */
export type ConversationUpdates = { status: ConversationStatus; handoff: HandoffView | null; agentMessages: AgentMessageView[] };

/** `GET /api/conversations/:id`: the stored conversation, the agents' messages (by time) and the hand-off's state. */
export type RestoredWithAgents = RestoredConversation & ConversationUpdates;
