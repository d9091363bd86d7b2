import 'server-only';
import { getConfig } from '@/lib/config';
import { messageRole, upsertFeedback } from '@/lib/db/queries/chat';
import { conflict, notFound } from '@/lib/http/errors';
import type { FeedbackRecord } from '@/lib/records/turn';
import { redactFeedback } from './redact-records';

/**
 * A visitor's thumbs up or down on a bot reply (`PUT /api/messages/:id/feedback`), the comment's
 * personal data masked (`REDACT_PII`); saying it again replaces the earlier word. 404 for an
 * unknown message, 409 for a visitor's own message.
 */
export async function saveFeedback(messageId: string, posted: FeedbackRecord): Promise<void> {
  const feedback = redactFeedback(posted, { kinds: getConfig().REDACT_PII });
  const role = await messageRole(messageId);
  if (!role) throw notFound('That message');
  if (role !== 'assistant') throw conflict('Feedback is given on bot replies only.');
  await upsertFeedback({ id: feedback.id, messageId, helpful: feedback.helpful, comment: feedback.comment ? feedback.comment : null });
}
