import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestExplanations } from '@/lib/ingest/explanations';
import { ingestTurns } from '@/lib/ingest/turns';
import { db } from '@/lib/db/client';
import { saveFeedback } from '@/lib/ingest/feedback';
import { explainAll } from '@/lib/explain';
import type { Explanation } from '@/lib/explain/types';
import { respond } from '@/lib/http/errors';
import { chatBytesLimit, FREE_BYTES_PER_REQUEST } from '@/lib/http/rate-limit';
import type { IntentModel } from '@/lib/model/model';
import { loadModelFromDir, readSimilarIndex } from '@/lib/model/node';
import { testProviders, withScratchDatabase } from '../support/databases';
import { turnRecord } from '../support/turns';

// Records as an attacker posts them, through the ingest handlers: whatever is accepted is
// stored without the personal data in it, anywhere, and what does not fit is refused with a 400.

const CARD = '5500 0000 0000 0004';
const IBAN = 'DE89 3704 0044 0532 0130 00';
const EMAIL = 'john.doe@example.com';
const PHONE = '+49 30 12345678';
/** What must never be found in a stored row (separators removed): enough of each to identify it. */
const TRACES = ['550000000000', '370400440532', 'john.doe', '30123456'];

/** Every stored row of the chat tables, as one string per row with separators removed. */
async function storedText(): Promise<string[]> {
  const tables = ['Conversation', 'Message', 'Prediction', 'Explanation', 'Feedback'];
  const rows: string[] = [];
  for (const table of tables) {
    for (const row of await db().$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM "${table}"`)) {
      rows.push(JSON.stringify(row).replace(/[\s.\-\u00a0\u200b]|\\u00a0|\\u200b/g, ''));
    }
  }
  return rows;
}

async function expectNothingPersonalStored() {
  const rows = await storedText();
  expect(rows.length).toBeGreaterThan(0);
  for (const trace of TRACES) expect(rows.filter((row) => row.includes(trace.replace(/\./g, '')))).toEqual([]);
}

const request = (url: string, body: unknown, address = '198.51.100.77') =>
  new Request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: typeof body === 'string' ? body : JSON.stringify(body) });

async function postTurn(turn: unknown, address?: string) {
  return respond(() => ingestTurns(request('http://chat.example/api/turns', turn, address), () => {}));
}

async function postExplanations(predictionId: string, body: unknown, address?: string) {
  return respond(() => ingestExplanations(request(`http://chat.example/api/predictions/${predictionId}/explanations`, body, address), predictionId));
}

const DEMO_MODEL = path.resolve(import.meta.dirname, '../../public/models/banking77');
let model: IntentModel;

beforeAll(async () => {
  model = await loadModelFromDir(DEMO_MODEL);
});
afterAll(async () => {
  await model?.dispose();
});

/** What the browser's worker makes for `text` (the same lib/model and lib/explain code), LIME kept short; the contrast with the runner-up too. */
async function browserExplanations(text: string): Promise<Explanation[]> {
  const analysis = await model.analyse(text);
  const similar = readSimilarIndex(DEMO_MODEL, model.labels);
  const versus = analysis.probabilities.indexOf(Math.max(...analysis.probabilities.filter((_, i) => i !== analysis.top)));
  return explainAll(
    { text, words: analysis.words, predict: model.predict, labels: model.labels, target: analysis.top, analysis, similar: similar ? (e, k) => similar.search(e, k) : undefined, versus },
    { ensembleMembers: 2, settings: { lime: { samples: 400, timeBudgetMs: null } } },
  );
}

describe.each(testProviders)('hostile records on %s', (provider) => {
  withScratchDatabase(provider);

  it("stores every explanation the browser's code makes for a message with a card number, and the card nowhere", async () => {
    const text = `my card ${CARD} never arrived`;
    const turn = turnRecord(randomUUID(), 0, text);
    expect((await postTurn(turn)).status).toBe(201);
    const explanations = await browserExplanations(text);
    expect(explanations).toHaveLength(8);
    const response = await postExplanations(turn.prediction.id, { explanations });
    expect(await response.json()).toEqual({ stored: 8, duplicates: 0 });
    const lime = await db().explanation.findFirstOrThrow({ where: { predictionId: turn.prediction.id, method: 'lime' } });
    expect((lime.payload as { words: { text: string }[] }).words.map((word) => word.text)).toEqual(['my', 'card', '••••', '••••', '••••', '0004', 'never', 'arrived']);
    await expectNothingPersonalStored();
  });

  it('refuses words that overlap or run past the message, before storing anything', async () => {
    const turn = turnRecord(randomUUID(), 0, 'my card never arrived');
    expect((await postTurn(turn)).status).toBe(201);
    const lime = (words: unknown[]) => ({
      explanations: [{ method: 'lime', version: 1, target: { index: 0, label: 'card_arrival', probability: 0.9 }, settings: {}, words, scores: words.map(() => 0.1), extra: {}, timing: { ms: 1, forwardPasses: 1 } }],
    });
    const overlapping = await postExplanations(turn.prediction.id, lime([{ text: '5500000000000004', start: 0, end: 16 }, { text: 'x', start: 5, end: 6 }]));
    expect(overlapping.status).toBe(400);
    expect(((await overlapping.json()) as { error: { message: string } }).error.message).toMatch(/does not fit its message: words: 2 words posted, but the message has 4/);
    const huge = await postExplanations(turn.prediction.id, lime([{ text: 'hi', start: 0, end: 1_000_000_000 }]));
    expect(huge.status).toBe(400);
    expect(await db().explanation.count({ where: { predictionId: turn.prediction.id } })).toBe(0);
    await expectNothingPersonalStored();
  });

  it('refuses explanations for an unknown prediction before reading them', async () => {
    const hostile = { explanations: [{ method: 'lime', words: Array.from({ length: 60 }, (_, i) => ({ text: 'a'.repeat(2000), start: i * 2000, end: (i + 1) * 2000 })) }] };
    const unknown = randomUUID();
    const response = await postExplanations(unknown, hostile);
    expect(response.status).toBe(404);
    expect(await db().explanation.count({ where: { predictionId: unknown } })).toBe(0);
  });

  it('masks personal data in every free-text field of a turn and in feedback, and refuses intents that are not the model’s', async () => {
    const turn = turnRecord(randomUUID(), 0, `send it to ${IBAN} or call ${PHONE}`);
    turn.reply.text = `Is ${EMAIL} yours? Or ${CARD}?`;
    const parts = turn.reply.parts as Record<string, unknown>;
    parts.quickReplies = [{ text: `Use ${CARD}`, intent: 'card_arrival' }];
    parts.options = [{ intent: 'card_arrival', label: `Write to ${EMAIL}`, probability: 0.4 }];
    turn.prediction.modelVersion = CARD.replace(/ /g, '');
    expect((await postTurn(turn)).status).toBe(201);
    await saveFeedback(turn.reply.id, { id: randomUUID(), helpful: false, comment: `my card is ${CARD}, call ${PHONE}, mail ${EMAIL}, IBAN ${IBAN}` });
    expect(await db().feedback.count()).toBe(1);

    for (const change of [
      (t: ReturnType<typeof turnRecord>) => (t.prediction.intent = '5500000000000004'),
      (t: ReturnType<typeof turnRecord>) => (t.prediction.topK = [{ intent: 'DE89370400440532013000', probability: 0.5 }]),
      (t: ReturnType<typeof turnRecord>) => ((t.reply.parts as Record<string, unknown>).intent = 'DE89370400440532013000'),
      (t: ReturnType<typeof turnRecord>) => (t.prediction.modelId = 'otherbot'),
      (t: ReturnType<typeof turnRecord>) => (t.botId = 'otherbot'),
    ]) {
      const forged = turnRecord();
      change(forged);
      const response = await postTurn(forged);
      expect(response.status).toBe(400);
      expect(await db().message.count({ where: { id: forged.user.id } })).toBe(0);
    }
    await expectNothingPersonalStored();
  });

  it('refuses a classified message whose turn carries no prediction, so every stored turn is checked', async () => {
    const response = await postTurn({ ...turnRecord(), prediction: undefined });
    expect(response.status).toBe(400);
    const handoff = turnRecord();
    expect((await postTurn({ ...handoff, user: { ...handoff.user, parts: { kind: 'handoff-request' } }, prediction: undefined })).status).toBe(201);
  });

  it('counts the bytes of explanation posts per client and answers 429 with Retry-After past the budget', async () => {
    const turn = turnRecord();
    expect((await postTurn(turn)).status).toBe(201);
    // Bodies of 256 KiB, each charged past its free bytes, whatever their content.
    const body = JSON.stringify({ explanations: [{ method: 'lime', padding: 'x'.repeat(256 * 1024) }] });
    const perPost = Buffer.byteLength(body) - FREE_BYTES_PER_REQUEST;
    const fitting = Math.floor(chatBytesLimit().limit / perPost);
    const statuses: number[] = [];
    let refusal: Response | null = null;
    for (let i = 0; i <= fitting; i++) {
      const response = await postExplanations(turn.prediction.id, body, '203.0.113.9');
      statuses.push(response.status);
      if (response.status === 429) refusal = response;
    }
    expect(statuses.slice(0, fitting).every((status) => status === 400)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    expect(Number(refusal!.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another client still has its budget.
    expect((await postExplanations(turn.prediction.id, body, '203.0.113.10')).status).toBe(400);
  });
});
