import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, ranked } from '@/lib/bot/policy';
import { turnRecordSchema, type TurnRecord } from '@/lib/records/turn';
import { parseConfig } from '@/lib/config';
import { db } from '@/lib/db/client';
import { storeTurnRecord } from '@/lib/ingest/turns';
import { modelVersion, parseModelCard } from '@/lib/model/card';
import type { IntentModel } from '@/lib/model/model';
import { loadModelFromDir } from '@/lib/model/node';
import { activeVersion, contentHash } from '@/lib/model/versions';
import { Verifier, verifyAfterResponse } from '@/lib/verify/verifier';
import { testProviders, withScratchDatabase } from '../support/databases';

const DEMO_MODEL = path.resolve(import.meta.dirname, '../../public/models/banking77');

let model: IntentModel;
let servedVersion: string;
let verifier: Verifier;

beforeAll(async () => {
  model = await loadModelFromDir(DEMO_MODEL);
  // What the browser names: the hash of the version it loaded, the demo model stored as the bot's active version.
  servedVersion = contentHash(DEMO_MODEL);
  verifier = new Verifier({ windowMs: 20 });
});

afterAll(async () => {
  await verifier?.close();
  await model?.dispose();
});

/** The turn the browser would post for `text`: its prediction made by the same model and policy. */
async function honestTurn(text: string, botId = 'banking77'): Promise<TurnRecord> {
  const [probabilities] = await model.predict([text]);
  const card = model.card!;
  const decision = decide({ labels: model.labels, probabilities: probabilities!, thresholds: card.thresholds, outOfScopeLabel: card.outOfScopeLabel });
  return turnRecordSchema.parse({
    conversationId: randomUUID(),
    botId,
    user: { id: randomUUID(), seq: 0, text, parts: { kind: 'typed' } },
    reply: { id: randomUUID(), seq: 1, text: 'Here is what to do.', parts: { kind: 'answer', intent: decision.intent } },
    prediction: {
      id: randomUUID(),
      modelId: botId,
      modelVersion: servedVersion,
      intent: decision.intent,
      confidence: decision.confidence,
      topK: ranked(model.labels, probabilities!).slice(0, 5),
      decision: decision.kind,
      backend: 'wasm',
      latencyMs: 3.2,
    },
  });
}

function withPrediction(turn: TurnRecord, change: Partial<NonNullable<TurnRecord['prediction']>>): TurnRecord {
  return { ...turn, prediction: { ...turn.prediction!, ...change } };
}

async function storedPrediction(turn: TurnRecord) {
  return db().prediction.findUniqueOrThrow({
    where: { id: turn.prediction!.id },
    select: { intent: true, confidence: true, verification: true, verifiedIntent: true, verifiedConfidence: true, verifiedAt: true, verificationReason: true, message: { select: { text: true } } },
  });
}

/** What the ingest route does: store, then verify what was posted. */
async function postAndVerify(turn: TurnRecord, by = verifier) {
  expect(await storeTurnRecord(turn)).toBe('stored');
  const tasks: (() => Promise<void>)[] = [];
  verifyAfterResponse(turn, (task) => tasks.push(task), { enabled: true, by });
  expect(tasks).toHaveLength(1);
  await tasks[0]!();
  return storedPrediction(turn);
}

describe('VERIFY_PREDICTIONS', () => {
  it('is on by default, reads on/off, and names a bad value', () => {
    expect(parseConfig({}).VERIFY_PREDICTIONS).toBe(true);
    expect(parseConfig({ VERIFY_PREDICTIONS: 'off' }).VERIFY_PREDICTIONS).toBe(false);
    expect(parseConfig({ VERIFY_PREDICTIONS: 'on' }).VERIFY_PREDICTIONS).toBe(true);
    expect(() => parseConfig({ VERIFY_PREDICTIONS: 'sometimes' })).toThrow(/VERIFY_PREDICTIONS must be on or off/);
  });
});

describe('the version a model card names', () => {
  it('is the card’s version, else its creation time (audit reports keep it; records name the content hash)', () => {
    const card = { name: 'bot', labels: ['a', 'b'] };
    expect(modelVersion(parseModelCard({ ...card, version: '3' }))).toBe('3');
    expect(modelVersion(parseModelCard({ ...card, created: '2026-11-22T07:27:07+00:00' }))).toBe('2026-11-22T07:27:07+00:00');
    expect(modelVersion(model.card!)).toBe(String(model.card!.raw.created));
  });
});

describe.each(testProviders)('verified predictions on %s', (provider) => {
  withScratchDatabase(provider);
  beforeAll(async () => {
    expect((await activeVersion('banking77'))!.hash).toBe(servedVersion);
  });

  it('an honest record ends verified, with the server’s intent and confidence next to the reported ones', async () => {
    const turn = await honestTurn('my new card still has not come in the post');
    const stored = await postAndVerify(turn);
    expect(stored.verification).toBe('verified');
    expect(stored.verifiedIntent).toBe(turn.prediction!.intent);
    expect(stored.verifiedIntent).toBe('card_arrival');
    expect(Math.abs(stored.verifiedConfidence! - turn.prediction!.confidence)).toBeLessThan(1e-4);
    expect(stored.verifiedAt).toBeInstanceOf(Date);
    expect(stored.verificationReason).toBeNull();
  });

  it('a forged record (another intent reported) ends mismatch, with both results stored', async () => {
    const honest = await honestTurn('I forgot my PIN and now it is blocked');
    const forged = withPrediction(honest, { intent: 'apple_pay_or_google_pay', confidence: 0.97 });
    const stored = await postAndVerify(forged);
    expect(stored.verification).toBe('mismatch');
    expect(stored.intent).toBe('apple_pay_or_google_pay');
    expect(stored.confidence).toBeCloseTo(0.97, 10);
    expect(stored.verifiedIntent).toBe(honest.prediction!.intent);
    expect(stored.verifiedIntent).not.toBe('apple_pay_or_google_pay');
    expect(Math.abs(stored.verifiedConfidence! - honest.prediction!.confidence)).toBeLessThan(1e-4);
    expect(stored.verificationReason).toMatch(/^the server's run gave \w+ \(\d+\.\d %\), not the reported apple_pay_or_google_pay$/);
  });

  it('a record of a version the store does not have ends failed, saying so; one for a bot with no model ends mismatch', async () => {
    const honest = await honestTurn('how do I change my PIN');
    const future = withPrediction(honest, { modelVersion: '2099-01-01T00:00:00+00:00' });
    const unknownBot = await honestTurn('how do I change my PIN', 'no-such-bot');
    const [a, b] = await Promise.all([postAndVerify(future), postAndVerify(unknownBot)]);
    // No model runs for a version the store does not have: nothing to check it against.
    expect(a).toMatchObject({ verification: 'failed', verifiedIntent: null, verificationReason: 'model version "2099-01-01T00:00:00+00:00" is not a stored version of bot banking77' });
    expect(b).toMatchObject({ verification: 'mismatch', verifiedIntent: null, verifiedConfidence: null, verificationReason: 'no model is served for bot "no-such-bot"' });
  });

  it('a correct top intent with forged confidence, top-k or decision ends mismatch', async () => {
    const honest = await honestTurn('I forgot my PIN and now it is blocked');
    const { intent, confidence, topK } = honest.prediction!;
    expect(honest.prediction!.decision).toBe('answer');
    const forgeries = [
      withPrediction(await honestTurn('I forgot my PIN and now it is blocked'), { confidence: Math.max(0, confidence - 0.3) }),
      withPrediction(await honestTurn('I forgot my PIN and now it is blocked'), { topK: [topK[0]!, { intent: topK[1]!.intent, probability: Math.min(1, topK[1]!.probability + 0.2) }] }),
      withPrediction(await honestTurn('I forgot my PIN and now it is blocked'), { topK: [topK[0]!, { intent: 'age_limit', probability: 0.3 }] }),
      withPrediction(await honestTurn('I forgot my PIN and now it is blocked'), { decision: 'handoff' }),
    ];
    const stored = await Promise.all(forgeries.map((turn) => postAndVerify(turn)));
    for (const row of stored) expect(row).toMatchObject({ verification: 'mismatch', intent, verifiedIntent: intent });
    expect(stored.map((row) => row.verificationReason)).toEqual([
      expect.stringMatching(/^the reported confidence \d+\.\d % is not the server's \d+\.\d %$/),
      expect.stringMatching(/^the reported probability of \w+ \(\d+\.\d %\) is not the server's \d+\.\d %$/),
      expect.stringMatching(/^the reported probability of age_limit \(30\.0 %\) is not the server's \d+\.\d %$/),
      "the dialogue policy on the server's run does not decide handoff, as reported",
    ]);
  });

  it('a stored version whose model does not load ends failed, saying why', async () => {
    const store = mkdtempSync(path.join(os.tmpdir(), 'glassdesk-models-'));
    // The version's folder without its ONNX weights: config and tokenizer are there, the session cannot start.
    cpSync(DEMO_MODEL, path.join(store, 'banking77', servedVersion), { recursive: true, filter: (source) => !source.includes(`${path.sep}onnx`) });
    const broken = new Verifier({ store, windowMs: 1 });
    try {
      const stored = await postAndVerify(await honestTurn('why did my transfer fail'), broken);
      expect(stored.verification).toBe('failed');
      expect(stored.verificationReason).toMatch(new RegExp(`^model version ${servedVersion.slice(0, 12)} of bot banking77 did not load \\(`));
    } finally {
      await broken.close();
      rmSync(store, { recursive: true, force: true });
    }
  });

  it('redaction does not change what is verified: the model runs on the text the browser saw', async () => {
    const text = 'I lost my card 4111 1111 1111 1111 yesterday, please block it';
    const turn = await honestTurn(text);
    const stored = await postAndVerify(turn);
    // Stored masked, verified on the original.
    expect(stored.message.text).not.toContain('4111 1111 1111');
    expect(stored.message.text).toContain('•');
    const [[onOriginal], [onRedacted]] = [await model.predict([text]), await model.predict([stored.message.text])];
    const top = (p: number[]) => Math.max(...p);
    expect(Math.abs(top(onOriginal!) - top(onRedacted!))).toBeGreaterThan(1e-4); // the two texts do differ for the model
    expect(stored.verification).toBe('verified');
    expect(Math.abs(stored.verifiedConfidence! - top(onOriginal!))).toBeLessThan(1e-5);
  });

  it('verification off leaves the prediction pending', async () => {
    const turn = await honestTurn('can I use Apple Pay with this account');
    expect(await storeTurnRecord(turn)).toBe('stored');
    const scheduled: unknown[] = [];
    verifyAfterResponse(turn, (task) => scheduled.push(task), { enabled: false, by: verifier });
    expect(scheduled).toEqual([]);
    const stored = await storedPrediction(turn);
    expect(stored.verification).toBe('pending');
    expect(stored.verifiedIntent).toBeNull();
    expect(stored.verifiedAt).toBeNull();
  });

  it('turns arriving together share forward passes', async () => {
    const texts = Array.from({ length: 24 }, (_, i) => `my top up number ${i} has been pending for hours`);
    const turns = await Promise.all(texts.map((text) => honestTurn(text)));
    const batched = new Verifier({ windowMs: 50, maxBatch: 16 });
    try {
      const stored = await Promise.all(turns.map((turn) => postAndVerify(turn, batched)));
      expect(stored.map((row) => row.verification)).toEqual(turns.map(() => 'verified'));
      expect(batched.stats.checked).toBe(24);
      expect(batched.stats.batches).toBeGreaterThanOrEqual(2); // bounded at 16 a pass
      expect(batched.stats.batches).toBeLessThanOrEqual(4);
    } finally {
      await batched.close();
    }
  });

  it('the sweep verifies what was left pending; a row whose original text is gone ends failed', async () => {
    const plain = await honestTurn('the exchange rate on my payment looks wrong');
    const honest = await honestTurn('my contactless is not working');
    const forged = withPrediction(honest, { intent: 'age_limit' });
    const redacted = await honestTurn('send the refund to 4111 1111 1111 1111 please');
    for (const turn of [plain, forged, redacted]) expect(await storeTurnRecord(turn)).toBe('stored');
    // Sweep until a round finds nothing (rows another test left pending are swept too).
    const swept: string[] = [];
    for (let round = 0; round < 3; round++) {
      const outcomes = await verifier.verifyPending({ limit: 1000, minAgeMs: 0 });
      if (outcomes.length === 0) break;
      swept.push(...outcomes.map((outcome) => outcome.predictionId));
    }
    expect(swept).toContain(plain.prediction!.id);
    // What matters is each row's outcome (whichever sweep got to it).
    expect((await storedPrediction(plain)).verification).toBe('verified');
    expect(await storedPrediction(forged)).toMatchObject({ verification: 'mismatch', intent: 'age_limit', verifiedIntent: honest.prediction!.intent });
    expect(await storedPrediction(redacted)).toMatchObject({ verification: 'failed', verificationReason: 'only the redacted text is left, not the text the browser classified' });
    // Nothing is left pending, and a second sweep finds nothing to do.
    expect(await db().prediction.count({ where: { verification: 'pending' } })).toBe(0);
    expect(await verifier.verifyPending({ limit: 1000, minAgeMs: 0 })).toEqual([]);
  });

  it('a full queue leaves the overflow pending, for the sweep to pick up', async () => {
    const turns = await Promise.all(['why did my transfer fail', 'my card payment was declined at the shop', 'how do I top up using my debit card'].map((text) => honestTurn(text)));
    for (const turn of turns) expect(await storeTurnRecord(turn)).toBe('stored');
    const small = new Verifier({ windowMs: 20, maxQueue: 2 });
    try {
      const outcomes = await Promise.all(turns.map((turn) => small.verify({ ...turn.prediction!, reported: turn.prediction!, predictionId: turn.prediction!.id, botId: turn.botId, text: turn.user.text, original: true })));
      expect(outcomes.map((outcome) => outcome?.verification ?? null)).toEqual(['verified', 'verified', null]);
      expect(small.stats.shed).toBe(1);
      expect((await storedPrediction(turns[2]!)).verification).toBe('pending');
      await small.verifyPending({ limit: 1000, minAgeMs: 0 });
      expect((await storedPrediction(turns[2]!)).verification).toBe('verified');
    } finally {
      await small.close();
    }
  });

  it('live traffic drains a backlog of old pending rows, a page at a time', async () => {
    const texts = Array.from({ length: 70 }, (_, i) => `I want to cancel transfer number ${i}`);
    const backlog = await Promise.all(texts.map((text) => honestTurn(text)));
    for (const turn of backlog) expect(await storeTurnRecord(turn)).toBe('stored');
    const ids = backlog.map((turn) => turn.prediction!.id);
    // Left pending two minutes ago (a server that stopped, or shed them under load).
    await db().prediction.updateMany({ where: { id: { in: ids } }, data: { createdAt: new Date(Date.now() - 120_000) } });
    const live = new Verifier({ windowMs: 5, sweepEveryMs: 0 });
    try {
      expect(await postAndVerify(await honestTurn('how do I change my PIN'), live)).toMatchObject({ verification: 'verified' });
      const stillPending = () => db().prediction.count({ where: { id: { in: ids }, verification: 'pending' } });
      for (let polls = 0; polls < 300 && (await stillPending()) > 0; polls++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await stillPending()).toBe(0);
      expect(await db().prediction.count({ where: { id: { in: ids }, verification: 'verified' } })).toBe(70);
      expect(live.stats.checked).toBe(71);
    } finally {
      await live.close();
    }
  });

  it('a result already stored is never overwritten', async () => {
    const turn = await honestTurn('how long will it take for my card to be delivered');
    const first = await postAndVerify(turn);
    expect(first.verification).toBe('verified');
    // A forged re-check of the same prediction (another process, a replay) changes nothing.
    await verifier.verify({ predictionId: turn.prediction!.id, botId: 'banking77', modelVersion: servedVersion, intent: 'age_limit', reported: turn.prediction!, text: turn.user.text, original: true });
    expect(await storedPrediction(turn)).toMatchObject({ verification: 'verified', verifiedIntent: first.verifiedIntent, verifiedAt: first.verifiedAt });
  });
});
