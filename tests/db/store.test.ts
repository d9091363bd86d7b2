import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '@/lib/db/client';
import { migrateDatabase } from '@/lib/db/migrate';
import { createScratchDatabase, testProviders, type ScratchDatabase } from '../support/databases';

// The store on real databases: what the app writes comes back the same, and the
// constraints that keep records unique and consistent hold on both providers.
describe.each(testProviders)('store on %s', (provider) => {
  let database: ScratchDatabase;
  let db: Db;

  beforeAll(async () => {
    database = await createScratchDatabase(provider);
    await migrateDatabase(database.url);
    db = createDb(database.url);
  });

  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  async function conversationWithPrediction() {
    const conversationId = randomUUID();
    const userMessageId = randomUUID();
    const replyId = randomUUID();
    const predictionId = randomUUID();
    await db.conversation.create({
      data: {
        id: conversationId,
        botId: 'banking77',
        messages: {
          create: [
            { id: userMessageId, seq: 0, role: 'user', text: 'My card still has not arrived — it’s been 2 weeks 😟' },
            { id: replyId, seq: 1, role: 'assistant', text: 'Cards usually arrive within 7 working days.', parts: { quickReplies: ['Track my card'] } },
          ],
        },
      },
    });
    await db.prediction.create({
      data: {
        id: predictionId,
        messageId: userMessageId,
        replyId,
        modelId: 'banking77',
        modelVersion: '2026-11-22',
        intent: 'card_arrival',
        confidence: 0.9312,
        topK: [
          { intent: 'card_arrival', probability: 0.9312 },
          { intent: 'card_delivery_estimate', probability: 0.0411 },
        ],
        decision: 'answer',
        backend: 'wasm',
        latencyMs: 1.75,
      },
    });
    return { conversationId, userMessageId, replyId, predictionId };
  }

  it('stores a conversation, its prediction and explanation, and reads them back unchanged', async () => {
    const { conversationId, predictionId } = await conversationWithPrediction();
    const payload = {
      method: 'lime',
      words: ['My', 'card', 'still', 'has', 'not', 'arrived'],
      scores: [0.01, 0.32, 0.05, -0.02, 0.04, 0.41],
      extra: { intercept: 0.12, r2: 0.87, nested: { list: [1, 2, 3] } },
    };
    await db.explanation.create({
      data: {
        id: randomUUID(),
        predictionId,
        method: 'lime',
        settings: { samples: 1000, seed: 7 },
        payload,
        comprehensiveness: 0.61,
        sufficiency: 0.08,
        durationMs: 142.5,
      },
    });

    const restored = await db.conversation.findUniqueOrThrow({
      where: { id: conversationId },
      include: { messages: { orderBy: { seq: 'asc' }, include: { prediction: { include: { explanations: true } } } } },
    });
    expect(restored.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(restored.messages[0]!.text).toBe('My card still has not arrived — it’s been 2 weeks 😟');
    expect(restored.messages[1]!.parts).toEqual({ quickReplies: ['Track my card'] });
    const prediction = restored.messages[0]!.prediction!;
    expect(prediction.confidence).toBeCloseTo(0.9312, 10);
    expect(prediction.decision).toBe('answer');
    expect(prediction.verification).toBe('pending');
    expect(prediction.reviewStatus).toBe('unreviewed');
    expect(prediction.topK).toEqual([
      { intent: 'card_arrival', probability: 0.9312 },
      { intent: 'card_delivery_estimate', probability: 0.0411 },
    ]);
    expect(prediction.explanations).toHaveLength(1);
    expect(prediction.explanations[0]!.payload).toEqual(payload);
    expect(prediction.explanations[0]!.settings).toEqual({ samples: 1000, seed: 7 });
  });

  it('refuses a second message at the same position and a second prediction for one message', async () => {
    const { conversationId, userMessageId } = await conversationWithPrediction();
    await expect(
      db.message.create({ data: { id: randomUUID(), conversationId, seq: 0, role: 'user', text: 'again' } }),
    ).rejects.toMatchObject({ code: 'P2002' });
    await expect(
      db.prediction.create({
        data: {
          id: randomUUID(),
          messageId: userMessageId,
          modelId: 'banking77',
          modelVersion: 'x',
          intent: 'card_arrival',
          confidence: 0.5,
          topK: [],
          decision: 'clarify',
          backend: 'webgpu',
          latencyMs: 3,
        },
      }),
    ).rejects.toMatchObject({ code: 'P2002' });
  });

  it('keeps one feedback per reply: the last word counts', async () => {
    const { replyId } = await conversationWithPrediction();
    const save = (helpful: boolean, comment?: string) =>
      db.feedback.upsert({
        where: { messageId: replyId },
        create: { id: randomUUID(), messageId: replyId, helpful, comment },
        update: { helpful, comment: comment ?? null },
      });
    await save(false, 'not what I asked');
    await save(true);
    const feedback = await db.feedback.findMany({ where: { messageId: replyId } });
    expect(feedback).toHaveLength(1);
    expect(feedback[0]).toMatchObject({ helpful: true, comment: null });
  });

  it('deleting a conversation removes its messages, predictions, explanations and feedback', async () => {
    const { conversationId, predictionId, replyId } = await conversationWithPrediction();
    await db.explanation.create({
      data: { id: randomUUID(), predictionId, method: 'attention', settings: {}, payload: {}, durationMs: 1 },
    });
    await db.feedback.create({ data: { id: randomUUID(), messageId: replyId, helpful: false } });
    await db.conversation.delete({ where: { id: conversationId } });
    expect(await db.message.count({ where: { conversationId } })).toBe(0);
    expect(await db.prediction.count({ where: { id: predictionId } })).toBe(0);
    expect(await db.explanation.count({ where: { predictionId } })).toBe(0);
    expect(await db.feedback.count({ where: { messageId: replyId } })).toBe(0);
  });

  it('records reviews by an admin and filters predictions by review status', async () => {
    const { predictionId } = await conversationWithPrediction();
    const reviewer = await db.adminUser.create({ data: { email: `${randomUUID()}@bank.example`, passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA' } });
    await db.$transaction([
      db.review.create({ data: { predictionId, reviewerId: reviewer.id, action: 'relabel', intent: 'card_delivery_estimate', note: 'asks when' } }),
      db.prediction.update({ where: { id: predictionId }, data: { reviewStatus: 'relabelled', reviewedIntent: 'card_delivery_estimate' } }),
    ]);
    const relabelled = await db.prediction.findMany({ where: { reviewStatus: 'relabelled', id: predictionId }, include: { reviews: { include: { reviewer: true } } } });
    expect(relabelled).toHaveLength(1);
    expect(relabelled[0]!.reviewedIntent).toBe('card_delivery_estimate');
    expect(relabelled[0]!.reviews[0]!.reviewer.email).toBe(reviewer.email);
  });
});
