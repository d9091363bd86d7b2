import 'server-only';
import { randomUUID } from 'node:crypto';
import { latestClassifiedMessage, type HandoffOpening } from '@/lib/db/queries/handoffs';
import { handoffReasonOf, snapshotOf, type HandoffSnapshot } from '@/lib/handoff/rules';
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
  if (!handoffReasonOf(turn.reply.parts)) return null;
  const id = randomUUID();
  // The reason is derived once the triggering message is known: a request for a person keeps
  // the reason of the message it answers when the bot could not read that one.
  const opening = (triggerMessageId: string, snapshot: HandoffSnapshot): HandoffOpening => ({
    id,
    reason: handoffReasonOf(turn.reply.parts, snapshot)!,
    triggerMessageId,
    snapshot,
  });
  if (turn.prediction) return opening(turn.user.id, snapshotOf(turn.user.text, turn.prediction));
  const earlier = batch
    .filter((other) => other.conversationId === turn.conversationId && other.prediction && other.user.seq < turn.user.seq)
    .sort((a, b) => b.user.seq - a.user.seq)[0];
  if (earlier) return opening(earlier.user.id, snapshotOf(earlier.user.text, earlier.prediction!));
  const stored = await latestClassifiedMessage(turn.conversationId, turn.user.seq);
  if (stored) return opening(stored.id, snapshotOf(stored.text, stored.prediction));
  return opening(turn.user.id, snapshotOf(turn.user.text, null));
}
