import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLogQuery } from '@/lib/admin/filters';
import { turnRecordSchema } from '@/lib/chat/records';
import { db, connectDatabase } from '@/lib/db/client';
import { migrateDatabase } from '@/lib/db/migrate';
import { iterateLog, iterateTrainingRows, listPredictions, predictionDetail, reviewPrediction, reviewQueue, riskScore } from '@/lib/db/queries/admin';
import { authenticate, createAdminUser, createSession, findSession, revokeSession, setAdminPassword, SESSION_TTL_MS } from '@/lib/db/queries/admin-auth';
import { hitRateLimit } from '@/lib/db/queries/rate-limit';
import { attemptLogin, LOGIN_LIMITS } from '@/lib/auth/login';
import { storeTurn, saveFeedback } from '@/lib/db/queries/chat';
import { createScratchDatabase, testProviders, type ScratchDatabase } from '../support/databases';

type Seed = {
  text: string;
  intent: string;
  confidence: number;
  decision?: 'answer' | 'clarify' | 'handoff';
  at: string;
  feedback?: boolean;
  verification?: 'pending' | 'verified' | 'mismatch' | 'failed';
  minFaithfulness?: number;
  methodsDisagree?: boolean;
};

const SEEDS: Seed[] = [
  { text: 'my card never arrived', intent: 'card_arrival', confidence: 0.95, at: '2026-01-01T10:00:00Z', feedback: true, verification: 'verified', minFaithfulness: 0.6, methodsDisagree: false },
  { text: 'How do I change my PIN?', intent: 'change_pin', confidence: 0.88, at: '2026-01-02T10:00:00Z', verification: 'verified', minFaithfulness: 0.05, methodsDisagree: true },
  { text: 'the ATM kept my CARD', intent: 'card_swallowed', confidence: 0.41, decision: 'clarify', at: '2026-01-03T10:00:00Z', feedback: false, minFaithfulness: 0.2 },
  { text: 'I want to speak to a person', intent: 'contactless_not_working', confidence: 0.22, decision: 'handoff', at: '2026-01-04T10:00:00Z', verification: 'mismatch' },
  { text: 'top up failed again', intent: 'top_up_failed', confidence: 0.76, at: '2026-01-05T10:00:00Z', feedback: false, verification: 'failed', minFaithfulness: 0.3, methodsDisagree: false },
];

describe.each(testProviders)('admin on %s', (provider) => {
  let database: ScratchDatabase;
  const ids: string[] = [];
  let reviewer: string;

  beforeAll(async () => {
    database = await createScratchDatabase(provider);
    await migrateDatabase(database.url);
    await connectDatabase(database.url);
    for (const seed of SEEDS) {
      const turn = turnRecordSchema.parse({
        conversationId: randomUUID(),
        botId: 'banking77',
        user: { id: randomUUID(), seq: 0, text: seed.text, parts: { kind: 'typed' } },
        reply: { id: randomUUID(), seq: 1, text: 'A reply.', parts: { kind: seed.decision ?? 'answer' } },
        prediction: {
          id: randomUUID(),
          modelId: 'banking77',
          modelVersion: 'test',
          intent: seed.intent,
          confidence: seed.confidence,
          topK: [{ intent: seed.intent, probability: seed.confidence }],
          decision: seed.decision ?? 'answer',
          backend: 'wasm',
          latencyMs: 3,
        },
      });
      await storeTurn(turn);
      const id = turn.prediction!.id;
      ids.push(id);
      await db().prediction.update({
        where: { id },
        data: {
          createdAt: new Date(seed.at),
          verification: seed.verification ?? 'pending',
          minFaithfulness: seed.minFaithfulness ?? null,
          methodsDisagree: seed.methodsDisagree ?? null,
        },
      });
      if (seed.feedback !== undefined) await saveFeedback(turn.reply.id, { id: randomUUID(), helpful: seed.feedback });
    }
    reviewer = (await createAdminUser('Reviewer@Example.com', 'a long enough password')).id;
  });

  afterAll(async () => {
    await db().$disconnect();
    await database.drop();
  });

  // Every view here fits on one page, so the count (SQL of its own) must equal the rows listed.
  const list = async (params: Record<string, string>) => {
    const page = await listPredictions(parseLogQuery(params));
    expect(page.total, JSON.stringify(params)).toBe(page.rows.length);
    return page.rows.map((row) => row.text);
  };

  describe('access', () => {
    it('stores an argon2id hash, lower-cases the e-mail, and never replaces an existing admin', async () => {
      const user = await db().adminUser.findUniqueOrThrow({ where: { email: 'reviewer@example.com' } });
      expect(user.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(user.passwordHash).not.toContain('a long enough password');
      expect(await createAdminUser('reviewer@example.com', 'another password 123')).toEqual({ created: false, id: user.id });
      expect(await authenticate('reviewer@example.com', 'another password 123')).toBeNull();
      expect(await authenticate('REVIEWER@example.com ', 'a long enough password')).toEqual({ id: user.id, email: 'reviewer@example.com' });
      expect(await authenticate('nobody@example.com', 'a long enough password')).toBeNull();
    });

    it('keeps only the SHA-256 of the session token, and ends sessions on logout, expiry and password change', async () => {
      const now = new Date();
      const session = await createSession(reviewer, now);
      const row = await db().adminSession.findUniqueOrThrow({ where: { id: createHash('sha256').update(session.token).digest('hex') } });
      expect(row.csrfToken).toBe(session.csrfToken);
      expect(await db().adminSession.count({ where: { id: session.token } })).toBe(0);
      expect((await findSession(session.token))?.user.email).toBe('reviewer@example.com');
      expect(await findSession(session.token, new Date(now.getTime() + SESSION_TTL_MS + 1))).toBeNull();
      expect(await findSession(`${session.token}x`)).toBeNull();
      await revokeSession(session.token);
      expect(await findSession(session.token)).toBeNull();

      const other = await createSession(reviewer);
      expect(await setAdminPassword('reviewer@example.com', 'a long enough password')).toBe(true);
      expect(await findSession(other.token)).toBeNull();
    });

    it('locks sign-in for one e-mail after too many attempts, even with the right password, and per client', async () => {
      await createAdminUser('locked@example.com', 'the right password!');
      const at = new Date('2026-03-02T12:00:00Z');
      for (let i = 0; i < LOGIN_LIMITS.perEmail; i++) {
        expect(await attemptLogin('locked@example.com', 'wrong password', `client-${i}`, at)).toEqual({ ok: false, reason: 'invalid' });
      }
      const locked = await attemptLogin('Locked@example.com', 'the right password!', 'client-x', at);
      expect(locked).toMatchObject({ ok: false, reason: 'rate_limited' });
      const later = await attemptLogin('locked@example.com', 'the right password!', 'client-x', new Date(at.getTime() + LOGIN_LIMITS.windowMs));
      expect(later).toMatchObject({ ok: true, user: { email: 'locked@example.com' } });

      const at2 = new Date('2026-03-03T12:00:00Z');
      for (let i = 0; i < LOGIN_LIMITS.perClient; i++) await hitRateLimit('login:client:one-client', LOGIN_LIMITS.perClient, LOGIN_LIMITS.windowMs, at2);
      expect(await attemptLogin('locked@example.com', 'the right password!', 'one-client', at2)).toMatchObject({ ok: false, reason: 'rate_limited' });
      // An unknown client address shares no bucket with anyone.
      expect(await attemptLogin('locked@example.com', 'the right password!', null, at2)).toMatchObject({ ok: true });
      expect(await db().rateLimitBucket.count({ where: { key: { startsWith: 'login:client:null' } } })).toBe(0);
    });
  });

  describe('the log', () => {
    it('lists newest first by default and sorts by confidence, intent and faithfulness', async () => {
      expect(await list({})).toEqual(SEEDS.map((s) => s.text).reverse());
      expect(await list({ sort: 'confidence', dir: 'asc' })).toEqual(['I want to speak to a person', 'the ATM kept my CARD', 'top up failed again', 'How do I change my PIN?', 'my card never arrived']);
      expect((await listPredictions(parseLogQuery({ sort: 'intent' }))).rows.map((r) => r.intent)).toEqual(['card_arrival', 'card_swallowed', 'change_pin', 'contactless_not_working', 'top_up_failed']);
      expect(await list({ sort: 'faithfulness', dir: 'asc' })).toEqual(['How do I change my PIN?', 'the ATM kept my CARD', 'top up failed again', 'my card never arrived', 'I want to speak to a person']);
    });

    it('pages with a total', async () => {
      const page = await listPredictions(parseLogQuery({ size: '25', page: '1' }));
      expect(page.total).toBe(5);
      expect(page.pages).toBe(1);
      const second = await listPredictions({ ...parseLogQuery({}), size: 2, page: 2 });
      expect(second.rows.map((r) => r.text)).toEqual(['the ATM kept my CARD', 'How do I change my PIN?']);
      expect(second.pages).toBe(3);
    });

    it('filters on every field', async () => {
      expect(await list({ intent: 'change_pin' })).toEqual(['How do I change my PIN?']);
      expect(await list({ decision: 'handoff' })).toEqual(['I want to speak to a person']);
      expect(await list({ minConf: '0.4', maxConf: '0.8' })).toEqual(['top up failed again', 'the ATM kept my CARD']);
      expect(await list({ from: '2026-01-02', to: '2026-01-03' })).toEqual(['the ATM kept my CARD', 'How do I change my PIN?']);
      expect(await list({ feedback: 'down' })).toEqual(['top up failed again', 'the ATM kept my CARD']);
      expect(await list({ feedback: 'up' })).toEqual(['my card never arrived']);
      expect(await list({ feedback: 'none' })).toEqual(['I want to speak to a person', 'How do I change my PIN?']);
      expect(await list({ faithBelow: '0.25' })).toEqual(['the ATM kept my CARD', 'How do I change my PIN?']);
      expect(await list({ disagree: 'yes' })).toEqual(['How do I change my PIN?']);
      expect(await list({ verification: 'mismatch' })).toEqual(['I want to speak to a person']);
      expect(await list({ review: 'unreviewed', decision: 'clarify' })).toEqual(['the ATM kept my CARD']);
    });

    it('searches message text regardless of case', async () => {
      expect(await list({ q: 'card' })).toEqual(['the ATM kept my CARD', 'my card never arrived']);
      expect(await list({ q: 'PIN' })).toEqual(['How do I change my PIN?']);
      expect(await list({ q: 'nothing like this' })).toEqual([]);
      // LIKE wildcards are searched for literally.
      expect(await list({ q: '%' })).toEqual([]);
      expect(await list({ q: 'my_card' })).toEqual([]);
      expect(await list({ q: 'PIN?' })).toEqual(['How do I change my PIN?']);
      expect(await list({ q: 'card', feedback: 'down', decision: 'clarify', maxConf: '0.5', from: '2026-01-03', to: '2026-01-03' })).toEqual(['the ATM kept my CARD']);
      expect(await list({ from: '2026-01-03T10:00:00.000Z', to: '2026-01-04T10:00:00.000Z' })).toEqual(['I want to speak to a person', 'the ATM kept my CARD']);
    });

    it('refuses invalid filters instead of ignoring them', () => {
      expect(() => parseLogQuery({ minConf: '2' })).toThrow(/minConf/);
      expect(() => parseLogQuery({ decision: 'maybe' })).toThrow(/decision/);
      expect(() => parseLogQuery({ from: 'yesterday' })).toThrow(/from/);
    });

    it('exports every row of a filtered view', async () => {
      const rows = [];
      for await (const row of iterateLog({ ...parseLogQuery({ q: 'card' }) }, 1)) rows.push(row);
      expect(rows.map((r) => [r.text, r.intent, r.feedback])).toEqual([
        ['the ATM kept my CARD', 'card_swallowed', 'down'],
        ['my card never arrived', 'card_arrival', 'up'],
      ]);
    });
  });

  describe('review', () => {
    it('shows the conversation, and records correct, relabel, flag and note with who and when', async () => {
      const known = new Set(['card_arrival', 'card_swallowed', 'change_pin', 'out_of_scope']);
      await reviewPrediction(ids[0]!, reviewer, { action: 'correct' }, known);
      const relabel = await reviewPrediction(ids[3]!, reviewer, { action: 'relabel', intent: 'out_of_scope', note: 'asks for a human' }, known);
      expect(relabel).toMatchObject({ action: 'relabel', intent: 'out_of_scope', note: 'asks for a human', reviewer: 'reviewer@example.com' });
      await reviewPrediction(ids[2]!, reviewer, { action: 'flag' }, known);
      await reviewPrediction(ids[2]!, reviewer, { action: 'note', note: 'check the policy' }, known);
      await expect(reviewPrediction(ids[1]!, reviewer, { action: 'relabel', intent: 'made_up' }, known)).rejects.toMatchObject({ status: 400 });
      await expect(reviewPrediction(randomUUID(), reviewer, { action: 'correct' }, known)).rejects.toMatchObject({ status: 404 });

      const detail = await predictionDetail(ids[3]!);
      expect(detail.reviewStatus).toBe('relabelled');
      expect(detail.reviewedIntent).toBe('out_of_scope');
      expect(detail.conversation.map((line) => [line.role, line.text])).toEqual([['user', 'I want to speak to a person'], ['assistant', 'A reply.']]);
      expect(detail.reviews).toHaveLength(1);
      const flagged = await predictionDetail(ids[2]!);
      expect(flagged.reviewStatus).toBe('flagged');
      expect(flagged.reviews.map((r) => r.action)).toEqual(['note', 'flag']);
      expect(flagged.feedback).toBe('down');
      expect((await predictionDetail(ids[0]!)).reviewedIntent).toBe('card_arrival');
      expect(await list({ review: 'reviewed' })).toEqual(['I want to speak to a person', 'my card never arrived']);
    });

    it('orders the queue by the documented risk score, leaving out reviewed predictions', async () => {
      const queue = await reviewQueue(1, 50);
      expect(queue.total).toBe(3);
      expect(queue.rows.map((r) => r.text)).toEqual(['the ATM kept my CARD', 'top up failed again', 'How do I change my PIN?']);
      // 3×0.59 + 3 (thumbs down) + 1 (faithfulness < 0.25) + 0.5 (clarify) + 1 (flagged)
      expect(queue.rows[0]!.risk).toBeCloseTo(3 * 0.59 + 3 + 1 + 0.5 + 1, 6);
      for (const row of queue.rows) expect(row.risk).toBeCloseTo(riskScore(row), 6);
      // A period: only what came in since then.
      const recent = await reviewQueue(1, 50, new Date('2026-01-04T00:00:00Z'));
      expect(recent.total).toBe(1);
      expect(recent.rows.map((r) => r.text)).toEqual(['top up failed again']);
    });

    it('exports reviewed messages with their reviewed label for training', async () => {
      const rows = [];
      for await (const row of iterateTrainingRows(1)) rows.push(row);
      expect(rows.sort((a, b) => a.text.localeCompare(b.text))).toEqual([
        { text: 'I want to speak to a person', intent: 'out_of_scope' },
        { text: 'my card never arrived', intent: 'card_arrival' },
      ]);
    });
  });
});

describe.each(testProviders)('admin overview on %s', (provider) => {
  let database: ScratchDatabase;

  beforeAll(async () => {
    database = await createScratchDatabase(provider);
    await migrateDatabase(database.url);
    await connectDatabase(database.url);
    const items = [
      { text: 'my card has not arrived', intent: 'card_arrival', confidence: 0.95, day: '2026-02-01T08:00:00Z', helpful: true, lime: [0.05, 0.5, 0.01, 0.3] },
      { text: 'my card still not arrived', intent: 'card_arrival', confidence: 0.85, day: '2026-02-01T09:00:00Z', helpful: false, lime: [0.03, 0.7, 0.02, 0.1] },
      { text: 'change my pin', intent: 'change_pin', confidence: 0.42, day: '2026-02-02T09:00:00Z', decision: 'clarify' as const },
      { text: 'old one', intent: 'change_pin', confidence: 0.99, day: '2025-12-01T09:00:00Z' },
    ];
    for (const item of items) {
      const words = item.text.split(' ').reduce<{ text: string; start: number; end: number }[]>((all, word) => {
        const start = all.length ? all[all.length - 1]!.end + 1 : 0;
        return [...all, { text: word, start, end: start + word.length }];
      }, []);
      const turn = turnRecordSchema.parse({
        conversationId: randomUUID(),
        botId: 'banking77',
        user: { id: randomUUID(), seq: 0, text: item.text, parts: { kind: 'typed' } },
        reply: { id: randomUUID(), seq: 1, text: 'A reply.', parts: { kind: item.decision ?? 'answer' } },
        prediction: { id: randomUUID(), modelId: 'banking77', modelVersion: 't', intent: item.intent, confidence: item.confidence, topK: [{ intent: item.intent, probability: item.confidence }], decision: item.decision ?? 'answer', backend: 'wasm', latencyMs: 1 },
      });
      await storeTurn(turn);
      const at = new Date(item.day);
      await db().prediction.update({ where: { id: turn.prediction!.id }, data: { createdAt: at } });
      if (item.helpful !== undefined) {
        await saveFeedback(turn.reply.id, { id: randomUUID(), helpful: item.helpful });
        await db().feedback.update({ where: { messageId: turn.reply.id }, data: { createdAt: at } });
      }
      if (item.lime) {
        const payload = { method: 'lime', version: 1, target: { index: 0, label: item.intent, probability: item.confidence }, settings: {}, words: words.slice(0, item.lime.length), scores: item.lime, extra: {}, timing: { ms: 1, forwardPasses: 1 } };
        await db().explanation.create({ data: { id: randomUUID(), predictionId: turn.prediction!.id, method: 'lime', settings: {}, payload, comprehensiveness: item.confidence / 2, durationMs: 1, createdAt: at } });
      }
    }
  });

  afterAll(async () => {
    await db().$disconnect();
    await database.drop();
  });

  it('aggregates volume, intents, decisions, confidence, feedback and faithfulness since a date', async () => {
    const { overview } = await import('@/lib/db/queries/admin-overview');
    const result = await overview(new Date('2026-01-01T00:00:00Z'));
    expect(result.total).toBe(3);
    expect(result.volume).toEqual([{ day: '2026-02-01', count: 2 }, { day: '2026-02-02', count: 1 }]);
    expect(result.intents).toEqual([{ intent: 'card_arrival', count: 2 }, { intent: 'change_pin', count: 1 }]);
    expect(result.decisions).toEqual([{ decision: 'answer', count: 2 }, { decision: 'clarify', count: 1 }, { decision: 'handoff', count: 0 }]);
    expect(result.confidence.map((b) => b.count)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 1, 1]);
    expect(result.feedback).toEqual({ helpful: 1, unhelpful: 1, replies: 3 });
    expect(result.faithfulness).toHaveLength(1);
    expect(result.faithfulness[0]).toMatchObject({ day: '2026-02-01', method: 'lime', count: 2 });
    expect(result.faithfulness[0]!.mean).toBeCloseTo((0.95 + 0.85) / 4, 10);
    // A period that covers the whole log.
    const all = await overview(new Date('2000-01-01T00:00:00Z'));
    expect(all.total).toBe(4);
    expect(all.confidence.map((b) => b.count)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 1, 2]);
    // A period holding a small part of the log.
    const lastDay = await overview(new Date('2026-02-02T00:00:00Z'));
    expect(lastDay.total).toBe(1);
    expect(lastDay.confidence.map((b) => b.count)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
    expect(lastDay.volume).toEqual([{ day: '2026-02-02', count: 1 }]);
  });

  it('averages stored LIME weights per word for an intent', async () => {
    const { limeWordImportance } = await import('@/lib/db/queries/admin-overview');
    const result = await limeWordImportance('card_arrival', new Date('2026-01-01T00:00:00Z'));
    expect(result.explanations).toBe(2);
    // "has" and "still" occur once each and are left out.
    expect(result.words.map((w) => w.word)).toEqual(['card', 'not', 'my']);
    expect(result.words.map((w) => w.mean)).toEqual([expect.closeTo(0.6, 10), expect.closeTo(0.2, 10), expect.closeTo(0.04, 10)]);
    expect(result.words.map((w) => w.count)).toEqual([2, 2, 2]);
  });
});
