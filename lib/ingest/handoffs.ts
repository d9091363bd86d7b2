import 'server-only';
import { randomUUID } from 'node:crypto';
import { latestClassifiedMessage, type HandoffOpening } from '@/lib/db/queries/handoffs';
import { handoffReasonOf, snapshotOf } from '@/lib/handoff/rules';
import type { TurnRecord } from '@/lib/records/turn';

/**
 * The hand-off a stored turn opens, derived by the server from the turn as stored (personal data
 * already masked), never taken from the browser: the reason from the reply, the evidence from
 * the prediction. A request for a person carries no prediction of its own (a button press): its
 * hand-off is triggered by the conversation's latest message the model classified (earlier in
 * the same batch, else stored), or by the request itself when there is none. Null for a turn
 * whose reply does not hand off.
 */
export async function handoffOpeningOf(turn: TurnRecord, batch: readonly TurnRecord[] = []): Promise<HandoffOpening | null> {
  const reason = handoffReasonOf(turn.reply.parts);
  if (!reason) return null;
  const id = randomUUID();
  if (turn.prediction) return { id, reason, triggerMessageId: turn.user.id, snapshot: snapshotOf(turn.user.text, turn.prediction) };
  const earlier = batch
    .filter((other) => other.conversationId === turn.conversationId && other.prediction && other.user.seq < turn.user.seq)
    .sort((a, b) => b.user.seq - a.user.seq)[0];
  if (earlier) return { id, reason, triggerMessageId: earlier.user.id, snapshot: snapshotOf(earlier.user.text, earlier.prediction!) };
  const stored = await latestClassifiedMessage(turn.conversationId, turn.user.seq);
  if (stored) return { id, reason, triggerMessageId: stored.id, snapshot: snapshotOf(stored.text, stored.prediction) };
  return { id, reason, triggerMessageId: turn.user.id, snapshot: snapshotOf(turn.user.text, null) };
}
