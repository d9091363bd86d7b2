import { describe, expect, it } from 'vitest';
import { readLabelledCsv, seedLog, syntheticClassifier } from '@/lib/admin/seed';
import { loadBotContent } from '@/lib/bot/answers';
import { composeReply } from '@/lib/bot/reply';
import type { ReplyParts } from '@/lib/records/turn';
import { classifierFacts, DEMO_BOT } from '../support/turns';
import { db } from '@/lib/db/client';
import { testProviders, withScratchDatabase } from '../support/databases';
import { syntheticCsv, tempDir } from '../model/helpers';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

describe.each(testProviders)('seeded log on %s', (provider) => {
  withScratchDatabase(provider);
  const now = new Date('2026-06-01T12:00:00Z');

  it('stores conversations of whole turns with predictions, replies, feedback and explanations', async () => {
    const file = path.join(tempDir('seed'), 'data.csv');
    writeFileSync(file, syntheticCsv());
    const examples = readLabelledCsv(file);
    expect(examples).toHaveLength(120);
    const labels = [...new Set(examples.map((e) => e.intent))].sort();
    const classifier = syntheticClassifier(labels, new Map(examples.map((e) => [e.text, e.intent])));
    const result = await seedLog(db(), { count: 300, explain: 30, days: 14, seed: 5, examples, classifier, now });
    expect(result.predictions).toBe(300);
    expect(result.explained).toBe(30);
    expect(await db().prediction.count()).toBe(300);
    expect(await db().message.count()).toBe(600);
    expect(await db().conversation.count()).toBe(result.conversations);
    expect(result.conversations).toBeGreaterThan(100);
    expect(result.conversations).toBeLessThan(300);
    // Every prediction answers a user message with the bot's reply right after it.
    const turns = await db().prediction.findMany({ select: { message: { select: { role: true, seq: true, conversationId: true } }, reply: { select: { role: true, seq: true, conversationId: true } }, createdAt: true } });
    for (const turn of turns) {
      expect(turn.message.role).toBe('user');
      expect(turn.reply).toMatchObject({ role: 'assistant', seq: turn.message.seq + 1, conversationId: turn.message.conversationId });
      expect(turn.createdAt.getTime()).toBeLessThanOrEqual(now.getTime() + 10 * 60 * 1000);
      expect(turn.createdAt.getTime()).toBeGreaterThan(now.getTime() - 14 * 24 * 60 * 60 * 1000);
    }
    expect(await db().prediction.count({ where: { explanations: { some: {} } } })).toBe(30);
    expect(await db().prediction.count({ where: { minFaithfulness: { not: null } } })).toBe(30);
    expect(await db().prediction.count({ where: { methodsDisagree: { not: null } } })).toBe(30);
    const feedback = await db().feedback.count();
    expect(feedback).toBeGreaterThan(300 * 0.05);
    expect(feedback).toBeLessThan(300 * 0.25);
    const decisions = await db().prediction.groupBy({ by: ['decision'], _count: { _all: true } });
    // Mostly answers, some clarifying questions (hand-offs need more intents than four to spread over).
    const byDecision = Object.fromEntries(decisions.map((d) => [d.decision, d._count._all]));
    expect(byDecision.answer).toBeGreaterThan(200);
    expect(byDecision.clarify).toBeGreaterThan(0);
  });

  it("stores the bot's replies and prediction records as the chat's transport builds them", async () => {
    const facts = classifierFacts();
    const content = loadBotContent(DEMO_BOT);
    const intents = ['card_arrival', 'change_pin', 'lost_or_stolen_card', 'card_delivery_estimate', 'activate_my_card'];
    const examples = intents.flatMap((intent) => ['first', 'second', 'third'].map((n) => ({ text: `${n} question about ${intent}`, intent })));
    const classifier = syntheticClassifier(facts.labels, new Map(examples.map((e) => [e.text, e.intent])), 3, DEMO_BOT);
    // A later week than the other test's log, which shares this database.
    const later = new Date('2026-09-01T12:00:00Z');
    await seedLog(db(), { count: 200, explain: 0, days: 3, seed: 9, examples, classifier, now: later });
    const predictions = await db().prediction.findMany({ where: { createdAt: { gt: new Date('2026-08-01T00:00:00Z') } }, include: { reply: true, message: { include: { conversation: true } } } });
    expect(predictions).toHaveLength(200);
    const kinds = new Set<string>();
    for (const p of predictions) {
      expect(p.message.conversation.botId).toBe(DEMO_BOT);
      expect(p.modelId).toBe(DEMO_BOT);
      expect(p.modelVersion).toBe('synthetic');
      const topK = p.topK as { intent: string; probability: number }[];
      expect(topK[0]).toEqual({ intent: p.intent, probability: p.confidence });
      const parts = p.reply!.parts as ReplyParts;
      kinds.add(parts.kind);
      if (p.decision === 'answer') {
        // The transport's answer, quick replies included.
        expect({ text: p.reply!.text, parts }).toEqual(JSON.parse(JSON.stringify(composeReply(content, { kind: 'answer', intent: p.intent, confidence: p.confidence }))));
      } else if (p.decision === 'clarify') {
        expect(p.reply!.text).toBe(content.clarifyPrompt);
        expect(parts).toMatchObject({ kind: 'clarify', intent: p.intent });
        expect(parts.options!.length).toBeGreaterThanOrEqual(2);
        expect(parts.options![0]).toEqual({ intent: p.intent, probability: p.confidence, label: expect.any(String) });
      } else {
        expect(parts).toMatchObject({ kind: 'handoff', intent: p.intent });
        expect([content.handoff.outOfScope, content.handoff.unsure]).toContain(p.reply!.text);
      }
    }
    expect(kinds).toEqual(new Set(['answer', 'clarify', 'handoff']));
    expect(predictions.some((p) => p.decision === 'answer' && ((p.reply!.parts as ReplyParts).quickReplies?.length ?? 0) > 0)).toBe(true);
  });
});
