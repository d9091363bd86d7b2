// The replay on a seeded database: two banking77 model versions trained by the pipeline
// (tests/support/candidate-models.mjs; B knows one more intent), customer messages stored through
// the real ingest (so through the real redaction) over several conversations, with reviews and
// resolved hand-offs. Every figure of the report is checked against a hand computation: each
// version's own predict and the policy's answer (`answerOf`) run here on each stored text.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewPrediction } from '@/lib/admin/predictions';
import { answerOf, type Answer } from '@/lib/audit/classifier';
import { openAuditModel, type AuditModel } from '@/lib/audit/model';
import { createAdminUser, type AdminSessionInfo } from '@/lib/auth/admins';
import { redact } from '@/lib/bot/redact';
import { db } from '@/lib/db/client';
import { insertReplay, latestReplay, replayHistory } from '@/lib/db/queries/replays';
import { claimHandoff, resolveHandoff } from '@/lib/ingest/handoff-service';
import { storeTurnRecord } from '@/lib/ingest/turns';
import { activeVersion, promote, registerVersion, rollBack, versionDir } from '@/lib/model/versions';
import { DECISIONS } from '@/lib/records/turn';
import type { ResolutionInput } from '@/lib/records/handoff';
import { normalizeForGrouping } from '@/lib/replay/grouping';
import { replay } from '@/lib/replay/replay';
import { replayReportSchema, type ReplayReport } from '@/lib/replay/report';
import { candidateModelDirs, CANDIDATE_BOT } from '../support/candidate-models.mjs';
import { withScratchDatabase } from '../support/databases';
import { classifiedTurn, handoffRequestTurn } from '../support/turns';

const BOT = CANDIDATE_BOT;
const NOW = new Date();
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

type Review = { action: 'correct' } | { action: 'relabel'; intent: string } | { action: 'flag' };
type Seeded = { text: string; review?: Review; handoff?: ResolutionInput; storedIntent?: string };
/** A conversation: its customer messages in order, and how old its first one is (days). */
type SeededConversation = { ageDays?: number; messages: Seeded[] };

const EMAIL_TEXT = 'there is a fee on my card payment, mail me at jo.smith@bank.example';

// Similar questions across conversations (case, punctuation, masked addresses), some of them
// asked twice in one conversation, reviews and hand-offs of every kind, and rows older than the window.
const CONVERSATIONS: SeededConversation[] = [
  { messages: [{ text: 'when will my card arrive' }, { text: 'i lost my card', review: { action: 'relabel', intent: 'lost_or_stolen_card' } }] },
  { messages: [{ text: 'When will my card arrive?' }, { text: 'why was i charged a fee for my card payment', handoff: { resolution: 'intent', intent: 'card_payment_fee_charged' } }] },
  { messages: [{ text: 'when will my card arrive!!' }, { text: 'what is the exchange rate', storedIntent: 'exchange_rate', review: { action: 'correct' } }] },
  { messages: [{ text: 'why was i charged a fee for my card payment' }, { text: 'my top up failed' }, { text: 'hello', handoff: { resolution: 'not_support' } }] },
  { messages: [{ text: 'Why was I charged a FEE for my card payment!' }, { text: 'how long does a transfer take', review: { action: 'flag' } }] },
  { messages: [{ text: EMAIL_TEXT }, { text: 'tell me a joke', review: { action: 'relabel', intent: 'oos' } }] },
  { messages: [{ text: 'there is a fee on my card payment, mail me at ann.lee@example.org' }, { text: 'where is my money', handoff: { resolution: 'new_topic', topic: 'missing money' } }] },
  { messages: [{ text: 'fee for card payment' }, { text: 'my card arrived broken' }, { text: 'what is the weather', review: { action: 'relabel', intent: 'oos' } }] },
  { messages: [{ text: 'is my card on its way' }, { text: 'someone stole my card' }, { text: 'the card has not come' }, { text: 'the card has not come' }, { text: 'the card has not come' }] },
  {
    messages: [
      { text: 'transfer to my friend taking long' },
      // A review and a hand-off on one message: the review's label counts.
      { text: 'can i get a refund', review: { action: 'relabel', intent: 'top_up_failed' }, handoff: { resolution: 'intent', intent: 'exchange_rate' } },
      { text: 'top up declined' },
    ],
  },
  { messages: [{ text: 'fee for card payment' }, { text: 'my card payment has an extra fee' }, { text: 'hello' }] },
  { messages: [{ text: 'when will my card arrive' }, { text: 'exchange rate for dollars' }, { text: '我的卡丢了' }] },
  { ageDays: 40, messages: [{ text: 'when will my card arrive' }, { text: 'fee for card payment' }, { text: 'i lost my card', review: { action: 'relabel', intent: 'lost_or_stolen_card' } }] },
  { ageDays: 31, messages: [{ text: 'hello' }, { text: 'why was i charged a fee for my card payment' }] },
];

/** A stored customer message as the test knows it: its stored text, its conversation, when, and the label it should carry. */
type Expected = { text: string; conversationId: string; createdAt: Date; label: string | null; source: 'review' | 'handoff' | null };

/** The label a seeded message teaches, as the report defines it: a review's (correct keeps the stored intent), else the hand-off's. */
function expectedLabel(message: Seeded): { label: string | null; source: 'review' | 'handoff' | null } {
  if (message.review?.action === 'relabel') return { label: message.review.intent, source: 'review' };
  if (message.review?.action === 'correct') return { label: message.storedIntent ?? 'card_arrival', source: 'review' };
  const handoff = message.handoff;
  if (!handoff) return { label: null, source: null };
  // The fixture models' out-of-scope label (their card's), as the training export writes "not a support request".
  if (handoff.resolution === 'not_support') return { label: 'out_of_scope', source: 'handoff' };
  if (handoff.resolution === 'new_topic') return { label: 'new_topic.missing_money', source: 'handoff' };
  return { label: handoff.intent, source: 'handoff' };
}

async function adminSession(): Promise<AdminSessionInfo> {
  const { id } = await createAdminUser(`replay-${randomUUID()}@bank.example`, 'a long enough password');
  return { user: { id, email: 'replay@bank.example', role: 'admin' }, sessionId: randomUUID(), csrfToken: 'csrf', expiresAt: new Date(Date.now() + 3_600_000) };
}

/** Stores the seeded conversations through the ingest, the reviews and hand-offs through their services; returns every classified message, newest first. */
async function seed(): Promise<Expected[]> {
  const session = await adminSession();
  const known = new Set(['card_arrival', 'lost_or_stolen_card', 'exchange_rate', 'top_up_failed', 'transfer_timing', 'card_payment_fee_charged', 'oos']);
  const stored: Expected[] = [];
  let minutes = 0;
  for (const conversation of CONVERSATIONS) {
    const conversationId = randomUUID();
    let seq = 0;
    for (const message of conversation.messages) {
      const turn = classifiedTurn({ conversationId, seq, text: message.text, botId: BOT, intent: message.storedIntent ?? 'card_arrival' });
      await storeTurnRecord(turn);
      seq += 2;
      const createdAt = new Date(NOW.getTime() - (conversation.ageDays ?? 0) * DAY - ++minutes * MINUTE);
      await db().message.update({ where: { id: turn.user.id }, data: { createdAt } });
      if (message.review) await reviewPrediction(turn.prediction.id, session.user.id, message.review, known);
      if (message.handoff) {
        // "Talk to a person" hands off the message before it; a person resolves it.
        await storeTurnRecord(handoffRequestTurn(conversationId, seq));
        seq += 2;
        await claimHandoff(conversationId, session);
        await resolveHandoff(conversationId, session, message.handoff);
      }
      stored.push({ text: redact(message.text).text, conversationId, createdAt, ...expectedLabel(message) });
    }
  }
  return stored.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}

/** The report's figures computed here, message by message, from each version's predict and answerOf. */
async function handReplay(messages: Expected[], active: AuditModel, candidate: AuditModel) {
  const texts = messages.map((message) => message.text);
  const [pa, pc] = [await active.classifier.predict(texts), await candidate.classifier.predict(texts)];
  const isOutOfScope = (label: string) => label === 'out_of_scope' || label === 'oos';
  const right = (answer: Answer, label: string) => (isOutOfScope(label) ? answer.kind === 'handoff' : answer.intent === label);
  let agreed = 0;
  let sameTop = 0;
  const pairs = new Map<string, number>();
  const mix = Object.fromEntries(DECISIONS.map((kind) => [kind, { active: 0, candidate: 0 }]));
  const transitions = new Map<string, number>();
  const labelled = { review: { messages: 0, activeCorrect: 0, candidateCorrect: 0 }, handoff: { messages: 0, activeCorrect: 0, candidateCorrect: 0 } };
  const groups = new Map<string, { text: string; messages: number; customers: Set<string>; a: Answer; c: Answer; pa: number; pc: number; label: string | null }>();
  messages.forEach((message, i) => {
    const a = answerOf(active.classifier, message.text, pa[i]!);
    const c = answerOf(candidate.classifier, message.text, pc[i]!);
    if (a.intent === c.intent) sameTop++;
    mix[a.kind]!.active++;
    mix[c.kind]!.candidate++;
    if (a.kind !== c.kind) transitions.set(`${a.kind} → ${c.kind}`, (transitions.get(`${a.kind} → ${c.kind}`) ?? 0) + 1);
    if (message.label !== null) {
      const counts = labelled[message.source!];
      counts.messages++;
      if (right(a, message.label)) counts.activeCorrect++;
      if (right(c, message.label)) counts.candidateCorrect++;
    }
    if (a.key === c.key) {
      agreed++;
      return;
    }
    pairs.set(`${a.key} → ${c.key}`, (pairs.get(`${a.key} → ${c.key}`) ?? 0) + 1);
    const key = `${normalizeForGrouping(message.text)} | ${a.key} → ${c.key}`;
    const group = groups.get(key) ?? { text: message.text, messages: 0, customers: new Set<string>(), a, c, pa: pa[i]![a.index]!, pc: pc[i]![c.index]!, label: message.label };
    group.messages++;
    group.customers.add(message.conversationId);
    groups.set(key, group);
  });
  return { agreed, sameTop, pairs, mix, transitions, labelled, groups: [...groups.values()] };
}

describe('replay', () => {
  withScratchDatabase('sqlite');
  let store: string;
  let dirs: { a: string; b: string };
  let hashes: { a: string; b: string };
  let stored: Expected[];
  let models: { a: AuditModel; b: AuditModel };

  beforeAll(async () => {
    const trained = candidateModelDirs({ log: () => {} });
    // The store the app's reads use (tests/support/databases.ts gives each test file its own).
    store = process.env.MODEL_STORE_DIR!;
    // A is what the bot serves (activated as a build's bundled version would be); B is registered as a candidate.
    const active = await activeVersion(BOT, { store, bundledDir: trained.a });
    const candidate = await registerVersion(BOT, trained.b, { id: null, name: 'test' }, { store });
    hashes = { a: active!.hash, b: candidate.hash };
    dirs = { a: versionDir(BOT, hashes.a, store)!, b: versionDir(BOT, hashes.b, store)! };
    // The hand-offs are resolved while B is served, so an agent could label one with the intent only B knows.
    const operator = { id: null, name: 'test' };
    await promote(BOT, hashes.b, operator, 'served while the messages were stored');
    stored = await seed();
    await rollBack(BOT, operator, 'A again for the replay');
    models = { a: await openAuditModel(dirs.a), b: await openAuditModel(dirs.b) };
  }, 600_000);

  afterAll(async () => {
    await Promise.all([models?.a.dispose(), models?.b.dispose()]);
  });

  const run = (options: { days?: number; limit?: number; explain?: number } = {}) =>
    replay({ botId: BOT, activeDir: dirs.a, activeVersion: hashes.a, candidateDir: dirs.b, candidateVersion: hashes.b, now: NOW, explain: 0, ...options });

  function expectMatchesHand(report: ReplayReport, hand: Awaited<ReturnType<typeof handReplay>>, messages: Expected[]) {
    const n = messages.length;
    expect(report.messages).toBe(n);
    expect(report.agreement).toBeCloseTo(hand.agreed / n, 12);
    expect(report.sameTopIntent).toBeCloseTo(hand.sameTop / n, 12);
    // Flip pairs: every pair with its count, most frequent first.
    expect(new Map(report.flipsByPair.map((pair) => [`${pair.from} → ${pair.to}`, pair.count]))).toEqual(hand.pairs);
    expect(report.flipsByPair.map((pair) => pair.count)).toEqual([...hand.pairs.values()].sort((x, y) => y - x));
    expect(report.otherFlips).toBe(0);
    expect(report.flipsByPair.reduce((sum, pair) => sum + pair.count, 0)).toBe(n - hand.agreed);
    expect(Object.fromEntries(report.decisionMix.kinds.map(({ kind, active, candidate }) => [kind, { active, candidate }]))).toEqual(hand.mix);
    expect(new Map(report.decisionMix.transitions.map((row) => [`${row.from} → ${row.to}`, row.count]))).toEqual(hand.transitions);
    const { review, handoff } = hand.labelled;
    expect(report.labelled.bySource).toEqual(hand.labelled);
    expect(report.labelled.messages).toBe(review.messages + handoff.messages);
    expect(report.labelled.activeCorrect).toBe(review.activeCorrect + handoff.activeCorrect);
    expect(report.labelled.candidateCorrect).toBe(review.candidateCorrect + handoff.candidateCorrect);
    expect(report.labelled.activeAccuracy).toBeCloseTo((review.activeCorrect + handoff.activeCorrect) / (review.messages + handoff.messages), 12);
    expect(report.labelled.candidateAccuracy).toBeCloseTo((review.candidateCorrect + handoff.candidateCorrect) / (review.messages + handoff.messages), 12);
    // The groups: the same questions, customers and answers.
    expect(report.flippedGroups).toBe(hand.groups.length);
    const byText = new Map(hand.groups.map((group) => [`${normalizeForGrouping(group.text)} | ${group.a.key} → ${group.c.key}`, group]));
    for (const group of report.flipped) {
      const key = (answer: { kind: string; intent: string }) => (answer.kind === 'answer' || answer.kind === 'clarify' ? `${answer.kind}:${answer.intent}` : answer.kind);
      const expected = byText.get(`${normalizeForGrouping(group.text)} | ${key(group.active)} → ${key(group.candidate)}`);
      expect(expected, group.text).toBeDefined();
      expect(group.text).toBe(expected!.text);
      expect(group.messages).toBe(expected!.messages);
      expect(group.customers).toBe(expected!.customers.size);
      // Probabilities to float precision: the replay predicts the distinct texts in batches of its own.
      expect(group.active).toEqual({ kind: expected!.a.kind, intent: expected!.a.intent, p: expect.closeTo(expected!.pa, 5) });
      expect(group.candidate).toEqual({ kind: expected!.c.kind, intent: expected!.c.intent, p: expect.closeTo(expected!.pc, 5) });
      expect(group.label).toBe(expected!.label ?? undefined);
    }
    // Sorted by customers, then messages.
    const order = report.flipped.map((group) => [group.customers, group.messages]);
    expect(order).toEqual([...order].sort((x, y) => y[0]! - x[0]! || y[1]! - x[1]!));
  }

  it('counts every figure as a hand computation does, on the window only', async () => {
    const inWindow = stored.filter((message) => message.createdAt.getTime() >= NOW.getTime() - 30 * DAY);
    expect(inWindow.length).toBeLessThan(stored.length);
    const report = await run({ days: 30 });
    const hand = await handReplay(inWindow, models.a, models.b);
    // The fixture's point: the versions disagree on some messages and not on others, and some flips are shared by several customers.
    expect(hand.agreed).toBeGreaterThan(0);
    expect(hand.agreed).toBeLessThan(inWindow.length);
    expect(hand.groups.some((group) => group.customers.size > 1)).toBe(true);
    expect(hand.labelled.review.messages).toBeGreaterThan(0);
    expect(hand.labelled.handoff.messages).toBeGreaterThan(0);
    // A message in characters neither version was trained on: both say they cannot read it.
    expect(hand.mix.unreadable).toEqual({ active: 1, candidate: 1 });
    expectMatchesHand(report, hand, inWindow);
    // A question one customer asked three times ranks below one that several customers asked.
    const repeated = report.flipped.findIndex((group) => normalizeForGrouping(group.text) === 'the card has not come');
    expect(report.flipped[repeated]).toMatchObject({ messages: 3, customers: 1 });
    expect(report.flipped.findIndex((group) => group.customers > 1 && group.messages < 3)).toBeLessThan(repeated);
    expect(report.window).toEqual({ days: 30, from: new Date(NOW.getTime() - 30 * DAY).toISOString(), to: NOW.toISOString() });
    expect(report.active).toEqual({ version: hashes.a, name: 'a', labels: models.a.classifier.labels.length });
    expect(report.candidate).toEqual({ version: hashes.b, name: 'b', labels: models.b.classifier.labels.length });
    expect(report.candidate.labels).toBe(report.active.labels + 1);
    expect(replayReportSchema.parse(report)).toEqual(report);
  });

  it('reads a longer window, and at most --limit messages, the newest first', async () => {
    const all = await run({ days: 60 });
    expectMatchesHand(all, await handReplay(stored, models.a, models.b), stored);
    const newest = stored.slice(0, 7);
    const limited = await run({ days: 60, limit: 7 });
    expect(limited.settings.limit).toBe(7);
    expectMatchesHand(limited, await handReplay(newest, models.a, models.b), newest);
  });

  it('lists the stored, masked texts: a flipped message with an e-mail address shows it masked', async () => {
    const report = await run();
    const masked = redact(EMAIL_TEXT).text;
    expect(masked).not.toContain('jo.smith');
    const rows = await db().message.findMany({ where: { role: 'user', text: { contains: 'mail me at' } }, select: { text: true } });
    expect(rows.map((row) => row.text)).toContain(masked);
    // Both addresses are masked, so both messages are one question.
    expect(normalizeForGrouping(masked)).toBe(normalizeForGrouping(redact('there is a fee on my card payment, mail me at ann.lee@example.org').text));
    const group = report.flipped.find((candidate) => normalizeForGrouping(candidate.text) === normalizeForGrouping(masked));
    expect(group, 'the fee question with an address flips: A does not know the intent, B does').toBeDefined();
    expect(group!.customers).toBe(2);
    for (const text of report.flipped.map((flipped) => flipped.text)) {
      expect(text).not.toMatch(/jo\.smith|ann\.lee|@bank\.example/);
      expect(stored.map((message) => message.text)).toContain(text);
    }
  });

  it('explains the first N groups with both versions, each for its own answer, and no others', async () => {
    const report = await run({ explain: 2 });
    expect(report.flipped.length).toBeGreaterThan(2);
    expect(report.settings.explain).toBe(2);
    for (const [i, group] of report.flipped.entries()) {
      if (i >= 2) {
        expect(group.explanations, `group ${i}`).toBeUndefined();
        continue;
      }
      expect(group.explanations!.active.length).toBeGreaterThan(0);
      expect(group.explanations!.candidate.length).toBeGreaterThan(0);
      const methods = group.explanations!.active.map((explanation) => explanation.method);
      expect(methods).toContain('occlusion');
      for (const explanation of group.explanations!.active) expect(explanation.target.label).toBe(group.active.intent);
      for (const explanation of group.explanations!.candidate) expect(explanation.target.label).toBe(group.candidate.intent);
      // Explained on the stored text: its words are the stored text's.
      for (const explanation of [...group.explanations!.active, ...group.explanations!.candidate]) {
        for (const word of explanation.words) expect(group.text.slice(word.start, word.end)).toBe(word.text);
      }
    }
  }, 120_000);

  it('compares the audits the pipeline wrote beside each model, and says which ones it used', async () => {
    const report = await run();
    // The fixture models were audited by npm run train (audit.json and the card's summary), none stored.
    expect(report.audit.sources).toEqual({ active: 'folder', candidate: 'folder' });
    const maxFlip = report.audit.deltas.find((row) => row.metric === 'maxFlipRate')!;
    expect(maxFlip.active).toBe(report.audit.active!.maxFlipRate);
    expect(maxFlip.candidate).toBe(report.audit.candidate!.maxFlipRate);
    expect(maxFlip.delta).toBeCloseTo(report.audit.candidate!.maxFlipRate - report.audit.active!.maxFlipRate, 12);
    const warnings = report.audit.deltas.find((row) => row.metric === 'warnings')!;
    expect(warnings.delta).toBe(report.audit.candidate!.warnings.length - report.audit.active!.warnings.length);
    expect(report.audit.note).toContain("audit.json");
  });

  it('stores reports and reads back the latest per candidate and the history', async () => {
    const first = await run({ limit: 5 });
    const firstId = await insertReplay(first);
    const second = await run({ limit: 6 });
    const secondId = await insertReplay(second);
    expect(firstId).not.toBe(secondId);
    const latest = await latestReplay(BOT, hashes.b);
    expect(latest).toMatchObject({ id: secondId, botId: BOT, candidateHash: hashes.b, activeHash: hashes.a, messages: 6, agreement: second.agreement });
    expect(latest!.report).toEqual(second);
    expect(await latestReplay(BOT, hashes.a)).toBeNull();
    const history = await replayHistory(BOT, 10);
    expect(history.map((row) => row.id).slice(0, 2)).toEqual([secondId, firstId]);
    expect(history[0]).not.toHaveProperty('report');
  });

  it('refuses settings out of range', async () => {
    await expect(run({ days: 0 })).rejects.toThrow(/days/);
    await expect(run({ limit: 0 })).rejects.toThrow(/limit/);
    await expect(run({ explain: 201 })).rejects.toThrow(/explain/);
  });
});
