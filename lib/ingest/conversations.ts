import 'server-only';
import { findConversation } from '@/lib/db/queries/chat';
import { inPanelOrder } from '@/lib/explain';
import { notFound } from '@/lib/http/errors';
import type { ExplanationRecord } from '@/lib/records/explanation';
import type { PredictionRecord, ReplyParts, RestoredConversation, UserParts } from '@/lib/records/turn';

/**
 * A stored conversation as the chat restores it (`GET /api/conversations/:id`), or the 404: its
 * messages in order, each reply with its prediction, feedback and explanations in the panel's
 * order. Everything in it was validated before it was stored (lib/ingest/turns.ts,
 * explanations.ts), so the stored JSON has the records' shapes.
 */
export async function loadConversation(id: string): Promise<RestoredConversation> {
  const conversation = await findConversation(id);
  if (!conversation) throw notFound('That conversation');
  return {
    id: conversation.id,
    botId: conversation.botId,
    messages: conversation.messages.map(({ prediction, parts, createdAt, ...message }) => {
      const { explanations, topK, ...predicted } = prediction ?? { explanations: [], topK: [] };
      return {
        ...message,
        parts: parts as ReplyParts | UserParts | null,
        prediction: prediction ? { ...(predicted as Omit<PredictionRecord, 'topK'>), topK: topK as PredictionRecord['topK'] } : null,
        explanations: prediction ? inPanelOrder(explanations).map((row) => row.payload as ExplanationRecord) : undefined,
        createdAt: createdAt.toISOString(),
      };
    }),
  };
}
