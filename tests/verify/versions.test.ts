// The server on model versions, on a real database and real model folders: the demo model (the
// bot's bundled, active version) and copies of it whose cards differ (another temperature, a
// renamed label): real other versions, with other hashes and other probabilities. Each prediction
// is checked against the version it names; a retired or unknown version ends failed with its
// reason stored and shown; ingest checks labels against the version a record names; and
// `npm run models` changes versions from the command line.
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictionDetail } from '@/lib/admin/predictions';
import { decide, ranked } from '@/lib/bot/policy';
import { redact } from '@/lib/bot/redact';
import { shortVersion } from '@/lib/bot/registry';
import { db } from '@/lib/db/client';
import { respond } from '@/lib/http/errors';
import { ingestTurns, storeTurnRecord } from '@/lib/ingest/turns';
import type { IntentModel } from '@/lib/model/model';
import { loadModelFromDir } from '@/lib/model/node';
import { activeVersion, contentHash, promote, registerVersion, retire, rollBack, versionDir } from '@/lib/model/versions';
import { turnRecordSchema, type TurnRecord } from '@/lib/records/turn';
import { VerificationPanel } from '@/lib/ui/admin/verification-panel';
import { activeFacts, recordFacts, reviewLabels } from '@/lib/verify/bots';
import { Verifier, verifyAfterResponse } from '@/lib/verify/verifier';
import { testProviders, withScratchDatabase } from '../support/databases';
import { demoModelVariant } from '../support/model-variants';

const DEMO_MODEL = path.resolve(import.meta.dirname, '../../public/models/banking77');
const BOT = 'banking77';
const admin = { id: null, name: 'admin@bank.example' };
const scratch = mkdtempSync(path.join(os.tmpdir(), 'glassdesk-versions-verify-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Json = Record<string, unknown>;

/** A copy of the demo model whose card (and config) `change` edits: another version of the same weights. */
const variant = (name: string, change: (card: Json) => Json, config?: (config: Json) => Json): string => demoModelVariant(path.join(scratch, name), change, { config, audit: false });

const renamed = (label: string) => (label === 'age_limit' ? 'minimum_age' : label);
/** B: flatter probabilities, and `age_limit` renamed `minimum_age` (a relabelled intent). C: another temperature only. */
const dirB = variant(
  'b',
  (card) => ({ ...card, version: 'variant-b', temperature: 1.6, labels: (card.labels as string[]).map(renamed) }),
  (config) => ({
    ...config,
    id2label: Object.fromEntries(Object.entries(config.id2label as Record<string, string>).map(([id, label]) => [id, renamed(label)])),
    label2id: Object.fromEntries(Object.entries(config.label2id as Record<string, number>).map(([label, id]) => [renamed(label), id])),
  }),
);
const dirC = variant('c', (card) => ({ ...card, version: 'variant-c', temperature: 1.3 }));
const hashA = contentHash(DEMO_MODEL);
const hashB = contentHash(dirB);
const hashC = contentHash(dirC);

const models: Record<'a' | 'b' | 'c', IntentModel> = {} as never;
beforeAll(async () => {
  [models.a, models.b, models.c] = await Promise.all([loadModelFromDir(DEMO_MODEL), loadModelFromDir(dirB), loadModelFromDir(dirC)]);
});
afterAll(async () => {
  await Promise.all(Object.values(models).map((model) => model?.dispose()));
});

/** The turn a browser that loaded `model` (version `hash`) posts for `text`: its prediction by that model and its card's policy. */
async function honestTurn(model: IntentModel, hash: string, text: string): Promise<TurnRecord> {
  const [probabilities] = await model.predict([text]);
  const card = model.card!;
  const decision = decide({ labels: model.labels, probabilities: probabilities!, thresholds: card.thresholds, outOfScopeLabel: card.outOfScopeLabel });
  return turnRecordSchema.parse({
    conversationId: randomUUID(),
    botId: BOT,
    user: { id: randomUUID(), seq: 0, text, parts: { kind: 'typed' } },
    reply: { id: randomUUID(), seq: 1, text: 'Here is what to do.', parts: { kind: decision.kind === 'unreadable' ? 'handoff' : decision.kind, intent: decision.intent } },
    prediction: {
      id: randomUUID(),
      modelId: BOT,
      modelVersion: hash,
      intent: decision.intent,
      confidence: decision.confidence,
      topK: ranked(model.labels, probabilities!).slice(0, 5),
      decision: decision.kind,
      backend: 'wasm',
      latencyMs: 2.5,
    },
  });
}

const naming = (turn: TurnRecord, modelVersion: string): TurnRecord => ({ ...turn, prediction: { ...turn.prediction!, id: randomUUID(), modelVersion }, user: { ...turn.user, id: randomUUID() }, reply: { ...turn.reply, id: randomUUID() }, conversationId: randomUUID() });

const stored = (turn: TurnRecord) =>
  db().prediction.findUniqueOrThrow({
    where: { id: turn.prediction!.id },
    select: { modelVersion: true, verification: true, verifiedIntent: true, verifiedConfidence: true, verificationReason: true },
  });

/** What the ingest route does with a stored turn: hands it to the verifier, here awaited. */
async function verify(turn: TurnRecord, by: Verifier) {
  const tasks: (() => Promise<void>)[] = [];
  verifyAfterResponse(turn, (task) => tasks.push(task), { enabled: true, by });
  for (const task of tasks) await task();
  return stored(turn);
}

const post = (turn: TurnRecord) =>
  respond(() =>
    ingestTurns(
      new Request('http://chat.example/api/turns', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.19' }, body: JSON.stringify(turn) }),
      () => {},
    ),
  );

const today = () => new Date().toISOString().slice(0, 10);

describe.each(testProviders)('the server on model versions, on %s', (provider) => {
  withScratchDatabase(provider);
  let verifier: Verifier;
  beforeAll(async () => {
    verifier = new Verifier({ windowMs: 5 });
    expect((await activeVersion(BOT))!.hash).toBe(hashA);
    expect(new Set([hashA, hashB, hashC]).size).toBe(3);
    for (const dir of [dirB, dirC]) await registerVersion(BOT, dir, admin);
  });
  afterAll(async () => {
    await verifier?.close();
  });

  it('checks each prediction against the version it names: the active one and a candidate both verify, each with its own figures', async () => {
    const text = 'my new card still has not arrived';
    const [a, b] = [await honestTurn(models.a, hashA, text), await honestTurn(models.b, hashB, text)];
    // The same message, two versions, two answers as sure as their temperatures make them.
    expect(Math.abs(a.prediction!.confidence - b.prediction!.confidence)).toBeGreaterThan(0.05);
    for (const turn of [a, b]) expect(await storeTurnRecord(turn)).toBe('stored');
    const [onA, onB] = [await verify(a, verifier), await verify(b, verifier)];
    expect(onA).toMatchObject({ modelVersion: hashA, verification: 'verified', verifiedIntent: 'card_arrival', verificationReason: null });
    expect(onB).toMatchObject({ modelVersion: hashB, verification: 'verified', verifiedIntent: 'card_arrival', verificationReason: null });
    expect(Math.abs(onA.verifiedConfidence! - a.prediction!.confidence)).toBeLessThan(1e-4);
    expect(Math.abs(onB.verifiedConfidence! - b.prediction!.confidence)).toBeLessThan(1e-4);

    // A's figures under B's name: B's run disagrees, and the reason says where.
    const crossed = naming(a, hashB);
    expect(await storeTurnRecord(crossed)).toBe('stored');
    const onCrossed = await verify(crossed, verifier);
    expect(onCrossed).toMatchObject({ verification: 'mismatch', verifiedIntent: 'card_arrival' });
    expect(Math.abs(onCrossed.verifiedConfidence! - b.prediction!.confidence)).toBeLessThan(1e-4);
    expect(onCrossed.verificationReason).toMatch(/^the reported confidence \d+\.\d % is not the server's \d+\.\d %$/);
  });

  it('keeps the most recently used versions loaded, at most maxModels, and loads again what it let go', async () => {
    const text = 'how do I top up with my debit card';
    const turns = [await honestTurn(models.a, hashA, text), await honestTurn(models.b, hashB, text), await honestTurn(models.a, hashA, text)];
    const one = new Verifier({ windowMs: 1, maxModels: 1 });
    const three = new Verifier({ windowMs: 1 });
    try {
      for (const by of [one, three]) {
        for (const turn of turns) {
          const copy = naming(turn, turn.prediction!.modelVersion);
          expect(await storeTurnRecord(copy)).toBe('stored');
          expect((await verify(copy, by)).verification).toBe('verified');
        }
      }
      expect(one.stats.loads).toBe(3);
      expect(three.stats.loads).toBe(2);
    } finally {
      await one.close();
      await three.close();
    }
  });

  it('a version the store does not have ends failed, and the reason says so', async () => {
    const honest = await honestTurn(models.a, hashA, 'I forgot my PIN and now it is blocked');
    const unknown = naming(honest, 'e'.repeat(64));
    expect(await storeTurnRecord(unknown)).toBe('stored');
    expect(await verify(unknown, verifier)).toMatchObject({ verification: 'failed', verifiedIntent: null, verifiedConfidence: null, verificationReason: 'model version eeeeeeeeeeee is not a stored version of bot banking77' });
  });

  it('a prediction of a version retired since ends failed with the retirement and its reason, stored and shown on the admin’s panel', async () => {
    const pending = await honestTurn(models.c, hashC, 'why was my card payment declined');
    expect(await storeTurnRecord(pending)).toBe('stored');
    await retire(BOT, hashC, admin, 'It answered card questions worse than the active version.');
    const reason = `model version ${shortVersion(hashC)} was retired on ${today()}: It answered card questions worse than the active version.`;
    // Left pending before the retirement, picked up by the sweep after it.
    await verifier.verifyPending({ limit: 1000, minAgeMs: 0 });
    expect(await stored(pending)).toMatchObject({ verification: 'failed', verifiedIntent: null, verificationReason: reason });
    // A record still naming it (an open tab) ends the same way, live.
    const late = naming(pending, hashC);
    expect(await storeTurnRecord(late)).toBe('stored');
    expect(await verify(late, verifier)).toMatchObject({ verification: 'failed', verificationReason: reason });

    const detail = await predictionDetail(pending.prediction!.id);
    expect(detail.verificationReason).toBe(reason);
    const panel = renderToStaticMarkup(
      createElement(VerificationPanel, {
        verification: detail.verification,
        reported: { intent: detail.intent, confidence: detail.confidence, backend: detail.backend, modelVersion: detail.modelVersion },
        server: { intent: detail.verifiedIntent, confidence: detail.verifiedConfidence, at: detail.verifiedAt, reason: detail.verificationReason },
        labelOf: (intent: string) => intent,
      }),
    );
    expect(panel).toContain(`data-testid="verification-reason"`);
    expect(panel).toContain(`was retired on ${today()}: It answered card questions worse than the active version.</p>`);
    expect(panel).toContain(`title="${hashC}">${shortVersion(hashC)}</span>`);
  });

  it('ingest checks a record against the labels of the version it names when stored and not retired, else the active version’s', async () => {
    await promote(BOT, hashB, admin, 'Relabelled age questions.');
    expect((await activeFacts(BOT))!.version).toBe(hashB);
    const ageText = 'how old do I need to be to open an account';
    const onA = await honestTurn(models.a, hashA, ageText);
    const onB = await honestTurn(models.b, hashB, ageText);
    expect([onA.prediction!.intent, onB.prediction!.intent]).toEqual(['age_limit', 'minimum_age']);

    // A's label, named by A (an older stored version, not retired): stored, and verified against A.
    expect((await post(onA)).status).toBe(201);
    expect(await verify(onA, verifier)).toMatchObject({ verification: 'verified', modelVersion: hashA });
    // The same label under B's name, or an unknown version's (checked against the active B): not a label there.
    for (const version of [hashB, 'd'.repeat(64), hashC]) {
      const response = await post(naming(onA, version));
      expect(response.status, version).toBe(400);
      expect(await response.json()).toMatchObject({ error: { details: expect.arrayContaining([{ path: 'prediction.intent', message: 'is not a label of the banking77 model' }]) } });
    }
    expect((await post(onB)).status).toBe(201);
    expect(await verify(onB, verifier)).toMatchObject({ verification: 'verified', modelVersion: hashB });

    // A reviewer may mark A's prediction correct (its own version's label) or relabel to the active version's.
    const forA = await reviewLabels(BOT, hashA);
    expect(forA.has('age_limit') && forA.has('minimum_age')).toBe(true);
    const forActive = await reviewLabels(BOT);
    expect(forActive.has('minimum_age')).toBe(true);
    expect(forActive.has('age_limit')).toBe(false);
    // A retired version's prediction keeps its own labels too (C has A's); a version the store does not have adds nothing.
    expect(await reviewLabels(BOT, hashC)).toEqual(forA);
    expect(await reviewLabels(BOT, 'd'.repeat(64))).toEqual(forActive);

    await rollBack(BOT, admin, 'Back to the bundled model.');
    expect((await activeFacts(BOT))!.version).toBe(hashA);
  });

  it('keeps a stored version’s hash as it is, where the redaction would mask its digits; a version it does not have is masked as free text', async () => {
    // A hash whose run of digits reads as a phone number to the redaction.
    const digitsHash = 'bbb965ab0c80d6538cf2184babad2a564a010376712012bd07b0af92dcd3097d';
    expect(redact(digitsHash).text).not.toBe(digitsHash);
    // Stored (a row of the bot's versions) but its files are not in this store: checked against the active version's labels.
    await db().modelVersion.create({ data: { botId: BOT, hash: digitsHash, name: 'banking77', source: 'registered' } });
    expect(await recordFacts(BOT, digitsHash)).toMatchObject({ named: false, stored: true, facts: { version: hashA } });
    const honest = await honestTurn(models.a, hashA, 'my card has not arrived yet');
    const kept = naming(honest, digitsHash);
    expect((await post(kept)).status).toBe(201);
    expect(await verify(kept, verifier)).toMatchObject({
      modelVersion: digitsHash,
      verification: 'failed',
      verificationReason: 'the files of model version bbb965ab0c80 of bot banking77 are not in the model store',
    });
    expect(versionDir(BOT, digitsHash)).not.toBeNull();

    const unknownHash = 'a68b412c4282555f15546cf6e1fc42893b7e07f271557ceb021821098dd66c1b';
    const masked = naming(honest, unknownHash);
    expect((await post(masked)).status).toBe(201);
    const row = await stored(masked);
    expect(row.modelVersion).toBe(redact(unknownHash).text);
    expect(row.modelVersion).toContain('•');
    // Verified from what the browser sent, not from the masked copy: the reason names the hash it was told.
    expect((await verify(masked, verifier)).verificationReason).toBe('model version a68b412c4282 is not a stored version of bot banking77');
  });
});

describe('npm run models', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'glassdesk-models-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const databaseFile = path.join(dir, 'cli.db');
  const models = (...args: string[]) => {
    const run = spawnSync('npm', ['run', '--silent', 'models', '--', ...args], {
      cwd: process.cwd(),
      env: { ...process.env, DATABASE_URL: `file:${databaseFile}`, MODEL_STORE_DIR: path.join(dir, 'store') },
      encoding: 'utf8',
    });
    return { status: run.status, out: run.stdout.trim(), err: run.stderr.trim() };
  };
  const short = { a: shortVersion(hashA), c: shortVersion(hashC) };

  it('registers, lists, promotes by the start of a hash, rolls back and retires, logging each change with its reason', () => {
    const registered = models('register', '--bot', BOT, '--model', dirC);
    expect(registered).toMatchObject({ status: 0, err: '' });
    expect(registered.out).toBe(`Stored version ${short.c} (banking77) of bot ${BOT}. Customers get it once it is promoted: npm run models -- promote --bot ${BOT} --version ${short.c} --reason "…"`);

    const listed = models('list', '--bot', BOT);
    expect(listed.status).toBe(0);
    expect(listed.out.split('\n').map((line) => line.split(/\s+/).slice(0, 3))).toEqual([
      ['state', 'version', 'source'],
      ['active', short.a, 'bundled'],
      ['candidate', short.c, 'registered'],
    ]);

    expect(models('promote', '--bot', BOT, '--version', hashC.slice(0, 6), '--reason', 'Calibrated on last month’s traffic.')).toEqual({
      status: 0,
      out: `promoted: ${short.a} → ${short.c} for bot ${BOT} (npm run models: Calibrated on last month’s traffic.)`,
      err: '',
    });
    expect(models('rollback', '--bot', BOT, '--reason', 'More hand-offs than before.')).toMatchObject({ status: 0, out: `rolled back: ${short.c} → ${short.a} for bot ${BOT} (npm run models: More hand-offs than before.)` });
    expect(models('retire', '--bot', BOT, '--version', short.c, '--reason', 'Superseded.')).toMatchObject({ status: 0, out: `retired ${short.c} for bot ${BOT} (npm run models: Superseded.)` });
    expect(models('list', '--bot', BOT).out).toMatch(new RegExp(`^retired\\s+${short.c}\\s+registered\\s+\\S+\\s+banking77\\s+retired \\S+: Superseded\\.$`, 'm'));

    const database = new Database(databaseFile, { readonly: true });
    try {
      const changes = database.prepare('SELECT action, fromHash, toHash, actorId, actorName, reason FROM ModelChange ORDER BY createdAt, rowid').all();
      expect(changes).toEqual([
        { action: 'register', fromHash: hashA, toHash: null, actorId: null, actorName: 'glassdesk', reason: expect.any(String) },
        { action: 'activate', fromHash: null, toHash: hashA, actorId: null, actorName: 'glassdesk', reason: 'the version this build ships' },
        { action: 'register', fromHash: hashC, toHash: null, actorId: null, actorName: 'npm run models', reason: expect.stringMatching(/^stored from /) },
        { action: 'promote', fromHash: hashA, toHash: hashC, actorId: null, actorName: 'npm run models', reason: 'Calibrated on last month’s traffic.' },
        { action: 'rollback', fromHash: hashC, toHash: hashA, actorId: null, actorName: 'npm run models', reason: 'More hand-offs than before.' },
        { action: 'retire', fromHash: hashC, toHash: null, actorId: null, actorName: 'npm run models', reason: 'Superseded.' },
      ]);
    } finally {
      database.close();
    }
  });

  it('refuses in one sentence, with exit code 2: a retired or unknown version, a missing reason, a bad bot, folder or command', () => {
    const unknownPrefix = ['ffff', 'eeee', 'dddd'].find((prefix) => !hashA.startsWith(prefix) && !hashC.startsWith(prefix))!;
    const refusals: [string[], string][] = [
      [['promote', '--bot', BOT, '--version', short.c, '--reason', 'again'], `Version ${short.c} was retired: it can no longer be served.`],
      [['promote', '--bot', BOT, '--version', unknownPrefix, '--reason', 'x'], `Bot ${BOT} has no stored version starting with ${unknownPrefix}; npm run models -- list --bot ${BOT} lists them.`],
      [['promote', '--bot', BOT, '--version', 'abc', '--reason', 'x'], '--version "abc": give a version\'s hash, or its first 4 or more characters (0-9, a-f).'],
      [['rollback', '--bot', BOT, '--reason', '   '], 'rollback needs --reason.'],
      [['list', '--bot', '../etc'], '--bot "../etc": not a bot id (letters, digits, _ and -).'],
      [['register', '--bot', BOT, '--model', path.join(dir, 'nothing-here')], `${path.join(dir, 'nothing-here')} is not a model folder: model-card.json, config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx are missing.`],
      [['deploy', '--bot', BOT], '"deploy" is not a command: list, register, promote, rollback, retire.'],
    ];
    for (const [args, sentence] of refusals) {
      const run = models(...args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.err.split('\n')[0], args.join(' ')).toBe(sentence);
      expect(run.out).toBe('');
    }
  });
});
