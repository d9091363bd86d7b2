// "Why this, and not that?" stored: a prediction keeps one contrast per other intent beside its
// other explanations, a retry changes nothing, a contrast naming no intent of the model is
// refused, and what is stored is fitted to the stored (masked) message. The store, the record
// schema and the server's fit path are the real ones; the contrasts are objects of the shape
// the contrast explainer gives, made here.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db/client';
import { explanationSubjects, storedExplanations } from '@/lib/db/queries/explanations';
import { loadConversation } from '@/lib/ingest/conversations';
import { ingestOperatorContrast, storeExplanations } from '@/lib/ingest/explanations';
import { storeTurnRecord } from '@/lib/ingest/turns';
import { wordSpans } from '@/lib/model/spans';
import { explanationsRecordSchema, versusOf, type ExplanationsRecord } from '@/lib/records/explanation';
import { turnRecordSchema } from '@/lib/records/turn';
import { bundledFacts } from '../support/turns';
import { testProviders, withScratchDatabase } from '../support/databases';

const facts = bundledFacts();
const index = (label: string) => facts.labelIndex.get(label)!;
const ANSWER = 'card_arrival';

const faithfulness = (comprehensiveness: number) => ({
  comprehensiveness: [{ k: '1', value: comprehensiveness }],
  sufficiency: [{ k: '1', value: 0.1 }],
  meanComprehensiveness: comprehensiveness,
  meanSufficiency: 0.1,
  deletionAuc: 0.3,
});

/** The explanations of the answer the chat posts first (one word-scoring method with faithfulness, and the counterfactual). */
function answerExplanations(text: string): ExplanationsRecord['explanations'] {
  const words = wordSpans(text, 'en');
  const target = { index: index(ANSWER), label: ANSWER, probability: 0.9 };
  return explanationsRecordSchema.parse({
    explanations: [
      {
        method: 'lime',
        version: 1,
        target,
        settings: { samples: 400, seed: 1 },
        words,
        scores: words.map((_, i) => (i === words.length - 1 ? 0.6 : 0.05)),
        extra: { intercept: 0.1, r2: 0.9 },
        faithfulness: faithfulness(0.55),
        timing: { ms: 100, forwardPasses: 8 },
      },
      { method: 'occlusion', version: 1, target, settings: {}, words, scores: words.map((_, i) => (i === 0 ? 0.5 : 0.01)), extra: {}, faithfulness: faithfulness(0.4), timing: { ms: 10, forwardPasses: 1 } },
    ],
  }).explanations;
}

/**
 * A contrast of the answer with `versus`, as the browser posts it: the words as typed, their
 * margin values (positive: for the answer), and the smallest change as removed word indices.
 */
function contrast(text: string, versus: string, change: number[] | null, overrides: { label?: string } = {}) {
  const words = wordSpans(text, 'en');
  const values = words.map((_, i) => (change?.includes(i) ? 0.4 : i % 2 ? -0.05 : 0.02));
  return {
    method: 'contrast',
    version: 1,
    target: { index: index(ANSWER), label: overrides.label ?? ANSWER, probability: 0.9 },
    settings: {},
    words,
    scores: values,
    extra: {
      versus,
      versusIndex: facts.labelIndex.get(versus) ?? 0,
      margin: 0.85,
      change: change ? { removedWords: change, marginAfter: -0.12, newTop: versus, newTopProbability: 0.51 } : null,
      smallest: true,
      exhaustiveUpTo: 2,
      tried: 14,
      exact: true,
    },
    timing: { ms: 140, forwardPasses: 20 },
  };
}

const record = (...explanations: unknown[]): ExplanationsRecord => explanationsRecordSchema.parse({ explanations });

describe.each(testProviders)('stored contrasts on %s', (provider) => {
  withScratchDatabase(provider);

  /** A stored turn whose reply answered `ANSWER`; its prediction's id. */
  async function prediction(text: string) {
    const turn = turnRecordSchema.parse({
      conversationId: randomUUID(),
      botId: 'banking77',
      user: { id: randomUUID(), seq: 0, text, parts: { kind: 'typed' } },
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
          { intent: 'lost_or_stolen_card', probability: 0.02 },
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

  it('stores two contrasts beside the answer’s explanations and reads them back with their other intents; the answer’s summary stays', async () => {
    const text = 'my new card never arrived';
    const { predictionId, conversationId } = await prediction(text);
    expect(await storeExplanations(predictionId, { explanations: answerExplanations(text) })).toEqual({ stored: 2, duplicates: 0 });
    const summary = await summaryOf(predictionId);
    expect(summary).toEqual({ minFaithfulness: 0.4, methodsDisagree: true });

    const delivery = contrast(text, 'card_delivery_estimate', [4]);
    const lost = contrast(text, 'lost_or_stolen_card', null);
    expect(await storeExplanations(predictionId, record(delivery))).toEqual({ stored: 1, duplicates: 0 });
    expect(await storeExplanations(predictionId, record(lost))).toEqual({ stored: 1, duplicates: 0 });

    const rows = await storedExplanations(predictionId);
    expect(rows.map((row) => [row.method, row.versus])).toEqual([
      ['contrast', 'card_delivery_estimate'],
      ['contrast', 'lost_or_stolen_card'],
      ['lime', ''],
      ['occlusion', ''],
    ]);
    const stored = rows[0]!.payload as typeof delivery;
    expect(stored.extra).toEqual(delivery.extra);
    expect(stored.scores).toEqual(delivery.scores);
    expect(stored.words).toEqual(delivery.words);
    expect((rows[1]!.payload as typeof lost).extra.change).toBeNull();
    // A contrast about one other intent is not the answer's explanation: the prediction's summary is unchanged.
    expect(await summaryOf(predictionId)).toEqual(summary);
    // The chat's restore gives them back too, each naming its other intent.
    const reply = (await loadConversation(conversationId)).messages[1]!;
    expect(reply.explanations!.map(versusOf).filter(Boolean).sort()).toEqual(['card_delivery_estimate', 'lost_or_stolen_card']);
  });

  it('stores several contrasts posted together, and nothing new when a post is retried', async () => {
    const text = 'where is my card';
    const { predictionId } = await prediction(text);
    const both = record(contrast(text, 'card_delivery_estimate', [3]), contrast(text, 'lost_or_stolen_card', [2, 3]));
    expect(await storeExplanations(predictionId, both)).toEqual({ stored: 2, duplicates: 0 });
    expect(await storeExplanations(predictionId, both)).toEqual({ stored: 0, duplicates: 2 });
    expect(await storeExplanations(predictionId, record(contrast(text, 'card_delivery_estimate', null)))).toEqual({ stored: 0, duplicates: 1 });
    const rows = await storedExplanations(predictionId);
    expect(rows).toHaveLength(2);
    // What was stored first is kept: the retry with another change did not replace it.
    expect((rows[0]!.payload as { extra: { change: unknown } }).extra.change).toEqual({ removedWords: [3], marginAfter: -0.12, newTop: 'card_delivery_estimate', newTopProbability: 0.51 });
    // One post may not name the same other intent twice.
    expect(explanationsRecordSchema.safeParse({ explanations: [contrast(text, 'lost_or_stolen_card', null), contrast(text, 'lost_or_stolen_card', [1])] }).success).toBe(false);
  });

  it('refuses a contrast whose other intent is not an intent of the model, and stores nothing', async () => {
    const text = 'my card never arrived';
    const { predictionId } = await prediction(text);
    await expect(storeExplanations(predictionId, record(contrast(text, 'teleport_my_card', [3])))).rejects.toMatchObject({ status: 400, message: expect.stringContaining('teleport_my_card') });
    await expect(storeExplanations(predictionId, record(contrast(text, 'card_delivery_estimate', [9])))).rejects.toMatchObject({ status: 400 });
    expect(await db().explanation.count({ where: { predictionId } })).toBe(0);
  });

  it('fits a contrast to the message as stored: the words are the masked message’s, and the change names them', async () => {
    const typed = 'my card 4111 1111 1111 1111 never arrived';
    const { predictionId } = await prediction(typed);
    const stored = { text: (await explanationSubjects([predictionId])).get(predictionId)!.storedText };
    expect(stored.text).toBe('my card •••• •••• •••• 1111 never arrived');
    const posted = contrast(typed, 'card_delivery_estimate', [2, 7]);
    expect(posted.words[2]!.text).toBe('4111');
    expect(await storeExplanations(predictionId, record(posted))).toEqual({ stored: 1, duplicates: 0 });
    const [row] = await storedExplanations(predictionId, 'card_delivery_estimate');
    const fitted = row!.payload as typeof posted;
    expect(fitted.words.map((word) => word.text)).toEqual(['my', 'card', '••••', '••••', '••••', '1111', 'never', 'arrived']);
    expect(fitted.words.map(({ start, end }) => [start, end])).toEqual(posted.words.map(({ start, end }) => [start, end]));
    expect(fitted.words.map((word) => stored.text.slice(word.start, word.end))).toEqual(fitted.words.map((word) => word.text));
    expect(JSON.stringify(fitted)).not.toContain('4111');
    expect(fitted.extra.change!.removedWords).toEqual([2, 7]);
  });

  describe('an operator’s contrast (the admin route)', () => {
    const post = (id: string, body: unknown) =>
      ingestOperatorContrast(new Request(`http://localhost/api/admin/predictions/${id}/contrasts`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }), id);

    it('stores a contrast of the stored message and answers with it as stored, 201 then 200', async () => {
      const text = 'my card never arrived';
      const { predictionId } = await prediction(text);
      const made = contrast(text, 'card_delivery_estimate', [3]);
      const first = await post(predictionId, { explanation: made });
      expect(first.status).toBe(201);
      expect(await first.json()).toMatchObject({ stored: 1, duplicates: 0, explanation: { method: 'contrast', extra: { versus: 'card_delivery_estimate' }, words: made.words } });
      const again = await post(predictionId, { explanation: made });
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ stored: 0, duplicates: 1 });
      expect(await storedExplanations(predictionId)).toHaveLength(1);
    });

    it('takes contrasts only, of the answer the prediction gave, with another intent', async () => {
      const text = 'my card never arrived';
      const { predictionId } = await prediction(text);
      const [lime] = answerExplanations(text);
      await expect(post(predictionId, { explanation: lime })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('Only a contrast') });
      await expect(post(predictionId, { explanation: contrast(text, 'card_delivery_estimate', [3], { label: 'lost_or_stolen_card' }) })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('answered') });
      await expect(post(predictionId, { explanation: contrast(text, ANSWER, [3]) })).rejects.toMatchObject({ status: 400 });
      await expect(post(randomUUID(), { explanation: contrast(text, 'card_delivery_estimate', [3]) })).rejects.toMatchObject({ status: 404 });
      expect(await db().explanation.count({ where: { predictionId } })).toBe(0);
    });
  });
});
