// SHAP posted after the rest of a prediction's explanations (the panel's time budget dropped it,
// and the reader computed it on request): it is stored beside them, and the prediction's summary
// (lowest faithfulness, whether the word-scoring methods disagree on the top word) is of all the
// answer's explanations stored, not of the later post alone. The store, the record schema and the
// server's fit path are the real ones; the explanations are objects of the shapes the explainers
// give, made here with the figures each case needs.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db/client';
import { storedExplanations } from '@/lib/db/queries/explanations';
import { loadConversation } from '@/lib/ingest/conversations';
import { storeExplanations } from '@/lib/ingest/explanations';
import { storeTurnRecord } from '@/lib/ingest/turns';
import { wordSpans } from '@/lib/model/spans';
import { explanationsRecordSchema, type ExplanationsRecord } from '@/lib/records/explanation';
import { turnRecordSchema } from '@/lib/records/turn';
import { bundledFacts } from '../support/turns';
import { testProviders, withScratchDatabase } from '../support/databases';

const facts = bundledFacts();
const ANSWER = 'card_arrival';
const TARGET = { index: facts.labelIndex.get(ANSWER)!, label: ANSWER, probability: 0.9 };
const TEXT = 'I ordered a new card three weeks ago and it has still not arrived at my home address';
const WORDS = wordSpans(TEXT, 'en');
const ARRIVED = WORDS.findIndex((word) => word.text === 'arrived');
const CARD = WORDS.findIndex((word) => word.text === 'card');

const faithfulness = (comprehensiveness: number) => ({
  comprehensiveness: [{ k: '1', value: comprehensiveness }],
  sufficiency: [{ k: '1', value: 0.1 }],
  meanComprehensiveness: comprehensiveness,
  meanSufficiency: 0.1,
  deletionAuc: 0.3,
});

/** Scores whose largest is on word `top`. */
const scoresTopping = (top: number) => WORDS.map((_, i) => (i === top ? 0.5 : 0.02));

const lime = (top: number, comprehensiveness: number) => ({
  method: 'lime',
  version: 1,
  target: TARGET,
  settings: { samples: 400, seed: 1 },
  words: WORDS,
  scores: scoresTopping(top),
  extra: { intercept: 0.1, r2: 0.9, samples: 400 },
  faithfulness: faithfulness(comprehensiveness),
  timing: { ms: 120, forwardPasses: 8 },
});

const occlusion = (top: number, comprehensiveness: number) => ({
  method: 'occlusion',
  version: 1,
  target: TARGET,
  settings: {},
  words: WORDS,
  scores: scoresTopping(top),
  extra: { baseline: 0.9 },
  faithfulness: faithfulness(comprehensiveness),
  timing: { ms: 12, forwardPasses: 1 },
});

const counterfactual = () => ({
  method: 'counterfactual',
  version: 1,
  target: TARGET,
  settings: {},
  words: WORDS,
  scores: null,
  extra: { found: false, removed: [], removedWords: [], text: TEXT, newIndex: TARGET.index, newLabel: ANSWER, newProbability: 0.9, targetProbability: 0.9 },
  timing: { ms: 30, forwardPasses: 4 },
});

/** SHAP as the worker gives it when computed on request: sampled (more than 10 words), under its own time budget. */
const shap = (top: number, comprehensiveness: number) => ({
  method: 'shap',
  version: 1,
  target: TARGET,
  settings: { samples: 1000, seed: 42, exactUpTo: 10, timeBudgetMs: 2000, minSamples: 400, batchSize: 64 },
  words: WORDS,
  scores: scoresTopping(top),
  extra: { baseValue: 0.12, fx: 0.9, exact: false, samples: 1000, distinctTexts: 1002, stoppedByBudget: false, additivityGap: 0 },
  faithfulness: faithfulness(comprehensiveness),
  timing: { ms: 900, forwardPasses: 16 },
});

const record = (...explanations: unknown[]): ExplanationsRecord => explanationsRecordSchema.parse({ explanations });

describe.each(testProviders)('SHAP posted after the other explanations on %s', (provider) => {
  withScratchDatabase(provider);

  /** A stored turn whose reply answered `ANSWER`; its prediction's and conversation's ids. */
  async function prediction() {
    const turn = turnRecordSchema.parse({
      conversationId: randomUUID(),
      botId: 'banking77',
      user: { id: randomUUID(), seq: 0, text: TEXT, parts: { kind: 'typed' } },
      reply: { id: randomUUID(), seq: 1, text: 'Cards arrive within five working days.', parts: { kind: 'answer', intent: ANSWER } },
      prediction: {
        id: randomUUID(),
        modelId: 'banking77',
        modelVersion: 't',
        intent: ANSWER,
        confidence: 0.9,
        topK: [
          { intent: ANSWER, probability: 0.9 },
          { intent: 'card_delivery_estimate', probability: 0.06 },
        ],
        decision: 'answer',
        backend: 'wasm',
        latencyMs: 1,
      },
    });
    await storeTurnRecord(turn);
    return { predictionId: turn.prediction!.id, conversationId: turn.conversationId };
  }

  const summaryOf = (id: string) => db().prediction.findUniqueOrThrow({ where: { id }, select: { minFaithfulness: true, methodsDisagree: true } });

  it('is stored beside the others, and its figures join theirs: a lower faithfulness and another top word change the summary', async () => {
    const { predictionId, conversationId } = await prediction();
    expect(await storeExplanations(predictionId, record(lime(ARRIVED, 0.55), occlusion(ARRIVED, 0.5), counterfactual()))).toEqual({ stored: 3, duplicates: 0 });
    expect(await summaryOf(predictionId)).toEqual({ minFaithfulness: 0.5, methodsDisagree: false });

    const later = shap(CARD, 0.3);
    expect(await storeExplanations(predictionId, record(later))).toEqual({ stored: 1, duplicates: 0 });
    expect(await summaryOf(predictionId)).toEqual({ minFaithfulness: 0.3, methodsDisagree: true });
    const rows = await storedExplanations(predictionId);
    expect(rows.map((row) => row.method)).toEqual(['counterfactual', 'lime', 'occlusion', 'shap']);
    const stored = rows.find((row) => row.method === 'shap')!.payload as typeof later;
    expect(stored.scores).toEqual(later.scores);
    expect(stored.extra).toEqual(later.extra);
    expect(stored.settings.timeBudgetMs).toBe(2000);

    // The chat's restore gives it back with the others.
    const reply = (await loadConversation(conversationId)).messages[1]!;
    expect((reply.explanations as { method: string }[]).map((explanation) => explanation.method).sort()).toEqual(['counterfactual', 'lime', 'occlusion', 'shap']);
  });

  it('leaves the summary as it was when SHAP agrees and is more faithful than the others', async () => {
    const { predictionId } = await prediction();
    await storeExplanations(predictionId, record(lime(ARRIVED, 0.55), occlusion(ARRIVED, 0.5)));
    // Alone, SHAP's figures would be a minimum of 0.8 and no disagreement; beside the others the minimum stays 0.5.
    expect(await storeExplanations(predictionId, record(shap(ARRIVED, 0.8)))).toEqual({ stored: 1, duplicates: 0 });
    expect(await summaryOf(predictionId)).toEqual({ minFaithfulness: 0.5, methodsDisagree: false });
  });

  it('keeps a disagreement the earlier methods had: one later method alone cannot clear it', async () => {
    const { predictionId } = await prediction();
    await storeExplanations(predictionId, record(lime(ARRIVED, 0.55), occlusion(CARD, 0.45)));
    expect(await summaryOf(predictionId)).toEqual({ minFaithfulness: 0.45, methodsDisagree: true });
    await storeExplanations(predictionId, record(shap(ARRIVED, 0.6)));
    expect(await summaryOf(predictionId)).toEqual({ minFaithfulness: 0.45, methodsDisagree: true });
  });

  it('changes nothing when SHAP is posted again, whatever the retry holds: the first object and its figures stay', async () => {
    const { predictionId } = await prediction();
    await storeExplanations(predictionId, record(lime(ARRIVED, 0.55), occlusion(ARRIVED, 0.5)));
    const first = shap(ARRIVED, 0.6);
    await storeExplanations(predictionId, record(first));
    const summary = await summaryOf(predictionId);
    expect(summary).toEqual({ minFaithfulness: 0.5, methodsDisagree: false });
    expect(await storeExplanations(predictionId, record(shap(CARD, 0.1)))).toEqual({ stored: 0, duplicates: 1 });
    expect(await summaryOf(predictionId)).toEqual(summary);
    expect((await storedExplanations(predictionId)).find((row) => row.method === 'shap')!.payload).toMatchObject({ scores: first.scores });
  });

  it('gives SHAP stored first the same summary when the others follow (the order of the posts does not matter)', async () => {
    const { predictionId } = await prediction();
    await storeExplanations(predictionId, record(shap(CARD, 0.3)));
    expect(await summaryOf(predictionId)).toEqual({ minFaithfulness: 0.3, methodsDisagree: false });
    await storeExplanations(predictionId, record(lime(ARRIVED, 0.55), occlusion(ARRIVED, 0.5)));
    expect(await summaryOf(predictionId)).toEqual({ minFaithfulness: 0.3, methodsDisagree: true });
  });
});
