import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { turnRecordSchema } from '@/lib/records/turn';
import { explanationsRecordSchema, type ExplanationsRecord } from '@/lib/records/explanation';
import { db } from '@/lib/db/client';
import { storeTurnRecord } from '@/lib/ingest/turns';
import { storeExplanations } from '@/lib/ingest/explanations';
import { inPanelOrder } from '@/lib/explain';
import { testProviders, withScratchDatabase } from '../support/databases';

const words = [
  { text: 'my', start: 0, end: 2 },
  { text: 'card', start: 3, end: 7 },
  { text: 'never', start: 8, end: 13 },
  { text: 'arrived', start: 14, end: 21 },
];
// The index the server derives from the label (the model card's order).
const target = { index: 12, label: 'card_arrival', probability: 0.91 };
const faithfulness = (comprehensiveness: number) => ({
  comprehensiveness: [{ k: '1', value: comprehensiveness }, { k: '20%', value: comprehensiveness }],
  sufficiency: [{ k: '1', value: 0.1 }, { k: '20%', value: 0.1 }],
  meanComprehensiveness: comprehensiveness,
  meanSufficiency: 0.1,
  deletionAuc: 0.3,
});

function record(): ExplanationsRecord {
  return explanationsRecordSchema.parse({
    explanations: [
      { method: 'lime', version: 1, target, settings: { samples: 1000, seed: 42 }, words, scores: [0.01, 0.2, 0.05, 0.6], extra: { intercept: 0.1, r2: 0.93 }, faithfulness: faithfulness(0.7), timing: { ms: 180, forwardPasses: 16 } },
      { method: 'attention', version: 1, target, settings: {}, words, scores: [0.1, 0.5, 0.2, 0.2], extra: { layers: 2, heads: 4 }, faithfulness: faithfulness(0.35), timing: { ms: 2, forwardPasses: 0 } },
      { method: 'counterfactual', version: 1, target, settings: { maxRemovals: 3 }, words, scores: null, extra: { found: true, removed: [3], removedWords: ['arrived'], text: 'my card never', newIndex: 13, newLabel: 'card_delivery_estimate', newProbability: 0.55 }, timing: { ms: 8, forwardPasses: 7 } },
    ],
  });
}

/** A prediction's stored explanations as the panel lists them: the objects as stored, in the panel's order. */
async function loadExplanations(predictionId: string) {
  const rows = await db().explanation.findMany({ where: { predictionId } });
  return inPanelOrder(rows).map((row) => row.payload as unknown as ExplanationsRecord['explanations'][number]);
}

describe.each(testProviders)('stored explanations on %s', (provider) => {
  withScratchDatabase(provider);

  async function prediction() {
    const turn = turnRecordSchema.parse({
      conversationId: randomUUID(),
      botId: 'banking77',
      user: { id: randomUUID(), seq: 0, text: 'my card never arrived', parts: { kind: 'typed' } },
      reply: { id: randomUUID(), seq: 1, text: 'Sorry to hear that.', parts: { kind: 'answer', intent: 'card_arrival' } },
      prediction: { id: randomUUID(), modelId: 'banking77', modelVersion: 't', intent: 'card_arrival', confidence: 0.91, topK: [{ intent: 'card_arrival', probability: 0.91 }], decision: 'answer', backend: 'wasm', latencyMs: 1 },
    });
    await storeTurnRecord(turn);
    return turn.prediction!.id;
  }

  it('stores the objects exactly as posted and gives them back in the panel order', async () => {
    const id = await prediction();
    const posted = record();
    expect(await storeExplanations(id, posted)).toEqual({ stored: 3, duplicates: 0 });
    const loaded = await loadExplanations(id);
    expect(loaded.map((e) => e.method)).toEqual(['attention', 'lime', 'counterfactual']);
    expect(loaded.find((e) => e.method === 'lime')).toEqual(posted.explanations[0]);
    expect(loaded.find((e) => e.method === 'counterfactual')).toEqual(posted.explanations[2]);
  });

  it('keeps what is stored when a post is retried', async () => {
    const id = await prediction();
    await storeExplanations(id, record());
    expect(await storeExplanations(id, record())).toEqual({ stored: 0, duplicates: 3 });
    expect(await db().explanation.count({ where: { predictionId: id } })).toBe(3);
  });

  it('stores only the methods not stored yet when a later post adds some', async () => {
    const id = await prediction();
    const [lime, attention, counterfactual] = record().explanations;
    expect(await storeExplanations(id, { explanations: [lime!] })).toEqual({ stored: 1, duplicates: 0 });
    expect(await storeExplanations(id, { explanations: [attention!, lime!, counterfactual!] })).toEqual({ stored: 2, duplicates: 1 });
    expect((await loadExplanations(id)).map((e) => e.method)).toEqual(['attention', 'lime', 'counterfactual']);
  });

  it('stores each method once when the same post arrives twice at the same time', async () => {
    const id = await prediction();
    const outcomes = await Promise.all([storeExplanations(id, record()), storeExplanations(id, record())]);
    expect(outcomes.map((o) => o.stored).reduce((a, b) => a + b)).toBe(3);
    expect(outcomes.map((o) => o.duplicates).reduce((a, b) => a + b)).toBe(3);
    expect(await db().explanation.count({ where: { predictionId: id } })).toBe(3);
  });

  it('leaves the summary alone when no posted method scores words or measures faithfulness', async () => {
    const id = await prediction();
    const counterfactual = record().explanations[2]!;
    expect(await storeExplanations(id, { explanations: [counterfactual] })).toEqual({ stored: 1, duplicates: 0 });
    const stored = await db().prediction.findUniqueOrThrow({ where: { id } });
    expect(stored.minFaithfulness).toBeNull();
    expect(stored.methodsDisagree).toBeNull();
  });

  it('records the lowest faithfulness and whether the methods disagree on the top word', async () => {
    const id = await prediction();
    await storeExplanations(id, record());
    const stored = await db().prediction.findUniqueOrThrow({ where: { id } });
    expect(stored.minFaithfulness).toBeCloseTo(0.35, 10);
    // LIME ranks "arrived" first, attention "card".
    expect(stored.methodsDisagree).toBe(true);
    const lime = await db().explanation.findFirstOrThrow({ where: { predictionId: id, method: 'lime' } });
    expect(lime.comprehensiveness).toBeCloseTo(0.7, 10);
    expect(lime.sufficiency).toBeCloseTo(0.1, 10);
    expect(lime.durationMs).toBe(180);
  });

  it('refuses explanations for an unknown prediction', async () => {
    await expect(storeExplanations(randomUUID(), record())).rejects.toMatchObject({ status: 404 });
  });
});

describe('explanation records', () => {
  it('refuse a score count that differs from the word count, and repeated methods', () => {
    const bad = record();
    bad.explanations[0]!.scores = [0.1, 0.2];
    expect(explanationsRecordSchema.safeParse(bad).success).toBe(false);
    const twice = record();
    twice.explanations.push(twice.explanations[0]!);
    expect(explanationsRecordSchema.safeParse(twice).success).toBe(false);
  });
});
