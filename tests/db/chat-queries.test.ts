import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TurnRecord } from '@/lib/records/turn';
import { turnRecordSchema } from '@/lib/records/turn';
import { db } from '@/lib/db/client';
import { storeTurnRecord } from '@/lib/ingest/turns';
import { saveFeedback } from '@/lib/ingest/feedback';
import { loadConversation } from '@/lib/ingest/conversations';
import { ApiError } from '@/lib/http/errors';
import { testProviders, withScratchDatabase } from '../support/databases';

function turn(conversationId: string, seq: number, text: string, overrides: Partial<TurnRecord> = {}): TurnRecord {
  return turnRecordSchema.parse({
    conversationId,
    botId: 'banking77',
    user: { id: randomUUID(), seq, text, parts: { kind: 'typed' } },
    reply: { id: randomUUID(), seq: seq + 1, text: `Answer to: ${text}`, parts: { kind: 'answer', intent: 'card_arrival', quickReplies: [{ text: 'How long does delivery take?', intent: 'card_delivery_estimate' }] } },
    prediction: {
      id: randomUUID(),
      modelId: 'banking77',
      modelVersion: 'test',
      intent: 'card_arrival',
      confidence: 0.82,
      topK: [{ intent: 'card_arrival', probability: 0.82 }, { intent: 'card_linking', probability: 0.1 }],
      decision: 'answer',
      backend: 'wasm',
      latencyMs: 1.5,
    },
    ...overrides,
  });
}

describe.each(testProviders)('chat records on %s', (provider) => {
  withScratchDatabase(provider);

  it('stores a turn once: a retried post is recognised and stores nothing more', async () => {
    const conversationId = randomUUID();
    const first = turn(conversationId, 0, 'Where is my card?');
    expect(await storeTurnRecord(first)).toBe('stored');
    expect(await storeTurnRecord(first)).toBe('duplicate');
    const retries = await Promise.all([storeTurnRecord(first), storeTurnRecord(first), storeTurnRecord(first)]);
    expect(retries).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(await db().message.count({ where: { conversationId } })).toBe(2);
    expect(await db().prediction.count({ where: { id: first.prediction!.id } })).toBe(1);
  });

  it('restores the conversation in order, with replies, predictions and feedback', async () => {
    const conversationId = randomUUID();
    const first = turn(conversationId, 0, 'Where is my card?');
    const second = turn(conversationId, 2, 'Can I track it?');
    // Out of order on purpose: the outbox may deliver later turns first.
    await storeTurnRecord(second);
    await storeTurnRecord(first);
    await saveFeedback(second.reply.id, { id: randomUUID(), helpful: false, comment: 'too vague' });

    const restored = await loadConversation(conversationId);
    expect(restored.messages.map((m) => [m.seq, m.role, m.text])).toEqual([
      [0, 'user', 'Where is my card?'],
      [1, 'assistant', 'Answer to: Where is my card?'],
      [2, 'user', 'Can I track it?'],
      [3, 'assistant', 'Answer to: Can I track it?'],
    ]);
    expect(restored.messages[1]!.parts).toEqual(first.reply.parts);
    expect(restored.messages[1]!.prediction).toMatchObject({ id: first.prediction!.id, intent: 'card_arrival', confidence: 0.82, backend: 'wasm' });
    expect(restored.messages[1]!.prediction!.topK).toEqual(first.prediction!.topK);
    expect(restored.messages[0]!.prediction).toBeNull();
    expect(restored.messages[3]!.feedback).toEqual({ helpful: false, comment: 'too vague' });
  });

  it('stores a clarification turn, which carries no prediction of its own', async () => {
    const conversationId = randomUUID();
    const asked = turn(conversationId, 0, 'card problem');
    await storeTurnRecord(asked);
    const chosen = turn(conversationId, 2, 'My card hasn’t arrived', {
      prediction: undefined,
    });
    chosen.user.parts = { kind: 'clarification', chosenIntent: 'card_arrival', resolvesPrediction: asked.prediction!.id };
    expect(await storeTurnRecord(chosen)).toBe('stored');
    const restored = await loadConversation(conversationId);
    expect(restored.messages[2]!.parts).toEqual({ kind: 'clarification', chosenIntent: 'card_arrival', resolvesPrediction: asked.prediction!.id });
    expect(await db().prediction.count({ where: { message: { conversationId } } })).toBe(1);
  });

  it('refuses a different message at an occupied position', async () => {
    const conversationId = randomUUID();
    await storeTurnRecord(turn(conversationId, 0, 'first'));
    await expect(storeTurnRecord(turn(conversationId, 0, 'a different first'))).rejects.toMatchObject({ status: 409 });
    expect(await db().message.count({ where: { conversationId } })).toBe(2);
  });

  it('keeps the last feedback per reply and refuses feedback on user messages or unknown ids', async () => {
    const conversationId = randomUUID();
    const stored = turn(conversationId, 0, 'How do I top up?');
    await storeTurnRecord(stored);
    await saveFeedback(stored.reply.id, { id: randomUUID(), helpful: false, comment: 'not helpful' });
    await saveFeedback(stored.reply.id, { id: randomUUID(), helpful: true });
    expect(await db().feedback.findMany({ where: { messageId: stored.reply.id }, select: { helpful: true, comment: true } })).toEqual([
      { helpful: true, comment: null },
    ]);
    await expect(saveFeedback(stored.user.id, { id: randomUUID(), helpful: true })).rejects.toMatchObject({ status: 409 });
    await expect(saveFeedback(randomUUID(), { id: randomUUID(), helpful: true })).rejects.toBeInstanceOf(ApiError);
  });

  it("masks the visitor's personal data before storing the message", async () => {
    const conversationId = randomUUID();
    await storeTurnRecord(turn(conversationId, 0, 'my card 4111 1111 1111 1111 was charged twice, mail me at jo@example.com'));
    const [stored] = await db().message.findMany({ where: { conversationId, role: 'user' } });
    expect(stored!.text).toBe('my card •••• •••• •••• 1111 was charged twice, mail me at ••@•••••••.com');
  });

  it('reports an unknown conversation as not found', async () => {
    await expect(loadConversation(randomUUID())).rejects.toMatchObject({ status: 404 });
  });
});
