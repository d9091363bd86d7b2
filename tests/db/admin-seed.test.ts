import { describe, expect, it } from 'vitest';
import { mulberry32, readLabelledCsv, seedLog, syntheticClassifier } from '@/lib/admin/seed';
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

  it('draws the same numbers from the same seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const first = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(first);
    expect(new Set(first).size).toBe(5);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
