import { z } from 'zod';
import { labelField } from './fields';

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
