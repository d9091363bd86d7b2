import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { reviewQueue } from '@/lib/admin/predictions';
import { CONFIDENCE_WEIGHT, RISK_TERMS, riskScore, type RiskFacts } from '@/lib/admin/risk';
import { db } from '@/lib/db/client';
import type { Decision, ReviewStatus, Verification } from '@/lib/generated/sqlite/client';
import { testProviders, withScratchDatabase } from '../support/databases';

type Facts = Omit<RiskFacts, 'decision' | 'reviewStatus' | 'verification'> & { decision: Decision; reviewStatus: ReviewStatus; verification: Verification };

/** No case of any term applies. */
const calm: Facts = { confidence: 0.8, feedback: 'up', verification: 'verified', minFaithfulness: 0.6, methodsDisagree: false, decision: 'answer', reviewStatus: 'unreviewed' };

/** One prediction per case of the formula, each with only that case applying, plus the edges where none does. */
const variants: [name: string, facts: Facts][] = [
  ['calm', calm],
  ['no feedback, no faithfulness, no disagreement figure', { ...calm, feedback: null, minFaithfulness: null, methodsDisagree: null, verification: 'pending' }],
  ['thumbs down', { ...calm, feedback: 'down' }],
  ['verification mismatch', { ...calm, verification: 'mismatch' }],
  ['verification failed', { ...calm, verification: 'failed' }],
  ['faithfulness below 0.1', { ...calm, minFaithfulness: 0.05 }],
  ['faithfulness below 0.25', { ...calm, minFaithfulness: 0.2 }],
  ['faithfulness exactly 0.25', { ...calm, minFaithfulness: 0.25 }],
  ['methods disagree', { ...calm, methodsDisagree: true }],
  ['hand-off', { ...calm, decision: 'handoff' }],
  ['clarify', { ...calm, decision: 'clarify' }],
  ['flagged', { ...calm, reviewStatus: 'flagged' }],
  ['everything at once', { confidence: 0.1, feedback: 'down', verification: 'mismatch', minFaithfulness: 0.01, methodsDisagree: true, decision: 'handoff', reviewStatus: 'flagged' }],
];

async function storePrediction(text: string, facts: Facts): Promise<void> {
  const conversationId = randomUUID();
  const userId = randomUUID();
  const replyId = randomUUID();
  await db().conversation.create({ data: { id: conversationId, botId: 'banking77' } });
  await db().message.createMany({
    data: [
      { id: userId, conversationId, seq: 0, role: 'user', text },
      { id: replyId, conversationId, seq: 1, role: 'assistant', text: 'A reply.' },
    ],
  });
  const { feedback, ...columns } = facts;
  await db().prediction.create({
    data: { id: randomUUID(), messageId: userId, replyId, modelId: 'banking77', modelVersion: 'v', intent: 'card_arrival', topK: [], backend: 'wasm', latencyMs: 1, ...columns },
  });
  if (feedback) await db().feedback.create({ data: { id: randomUUID(), messageId: replyId, helpful: feedback === 'up' } });
}

describe('the risk formula', () => {
  it('has a value for every case, and the first case of a term that applies is the one that counts', () => {
    const base = riskScore(calm);
    expect(base).toBeCloseTo(CONFIDENCE_WEIGHT * 0.2, 9);
    expect(riskScore({ ...calm, feedback: 'down' }) - base).toBeCloseTo(3, 9);
    expect(riskScore({ ...calm, verification: 'failed' }) - base).toBeCloseTo(1.5, 9);
    // Below 0.1 is also below 0.25: the first case (2 points) counts, not both.
    expect(riskScore({ ...calm, minFaithfulness: 0.05 }) - base).toBeCloseTo(2, 9);
    expect(riskScore({ ...calm, minFaithfulness: null })).toBeCloseTo(base, 9);
    expect(riskScore(variants.at(-1)![1])).toBeCloseTo(3 * 0.9 + 3 + 3 + 2 + 1 + 1.5 + 1, 9);
  });
});

describe.each(testProviders)('the risk score in SQL on %s', (provider) => {
  withScratchDatabase(provider);

  it('gives every case of the formula exactly the score riskScore gives', async () => {
    for (const [name, facts] of variants) await storePrediction(name, facts);
    const queue = await reviewQueue(1, 50);
    expect(queue.total).toBe(variants.length);
    const byName = new Map(queue.rows.map((row) => [row.text, row]));
    const base = riskScore(calm);
    for (const [name, facts] of variants) {
      const row = byName.get(name)!;
      expect(row, name).toBeDefined();
      expect(row.risk, name).toBeCloseTo(riskScore(facts), 9);
      expect(riskScore(row), name).toBeCloseTo(riskScore(facts), 9);
    }
    // Each single case lifts the calm score by its own points, so no case can be dropped or miswritten in one language only.
    const points = RISK_TERMS.flatMap((term) => term.cases.map((c) => c.points));
    const lifts = variants.slice(2).filter(([name]) => name !== 'faithfulness exactly 0.25' && name !== 'everything at once').map(([name]) => byName.get(name)!.risk - base);
    expect(lifts.map((lift) => Number(lift.toFixed(6))).sort()).toEqual(points.map((p) => Number(p.toFixed(6))).sort());
    expect(queue.rows[0]!.text).toBe('everything at once');
  });
});
