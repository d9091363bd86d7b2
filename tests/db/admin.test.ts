import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLogQuery } from '@/lib/admin/filters';
import { reviewLabels } from '@/lib/verify/bots';
import { turnRecordSchema } from '@/lib/records/turn';
import { wordSpans } from '@/lib/model/spans';
import { db, connectDatabase } from '@/lib/db/client';
import { migrateDatabase } from '@/lib/db/migrate';
import { iterateLog, iterateTrainingRows, listPredictions } from '@/lib/db/queries/admin';
import { predictionDetail, reviewPrediction, reviewQueue } from '@/lib/admin/predictions';
import { riskScore } from '@/lib/admin/risk';
import { authenticate, createAdminUser, createSession, findSession, revokeSession, setAdminPassword, SESSION_TTL_MS } from '@/lib/auth/admins';
import { hitRateLimit } from '@/lib/db/queries/rate-limit';
import { attemptLogin, LOGIN_LIMITS } from '@/lib/auth/login';
import { clientKey } from '@/lib/http/rate-limit';
import { storeTurnRecord } from '@/lib/ingest/turns';
import { saveFeedback } from '@/lib/ingest/feedback';
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
      await storeTurnRecord(turn);
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

  /** A stored turn whose prediction reports `intent` (written to the row: ingest may refuse it today, older rows hold it). */
  async function storeForgedTurn(intent: string): Promise<string> {
    const turn = turnRecordSchema.parse({
      conversationId: randomUUID(),
      botId: 'banking77',
      user: { id: randomUUID(), seq: 0, text: 'a reported intent', parts: { kind: 'typed' } },
      reply: { id: randomUUID(), seq: 1, text: 'A reply.', parts: { kind: 'answer' } },
      prediction: { id: randomUUID(), modelId: 'banking77', modelVersion: 'test', intent: 'card_arrival', confidence: 0.9, topK: [{ intent: 'card_arrival', probability: 0.9 }], decision: 'answer', backend: 'wasm', latencyMs: 1 },
    });
    await storeTurnRecord(turn);
    await db().prediction.update({ where: { id: turn.prediction!.id }, data: { intent, createdAt: new Date('2025-06-01T00:00:00Z') } });
    return turn.prediction!.id;
  }

  describe('access', () => {
    it('stores an argon2id hash, lower-cases the e-mail, and never replaces an existing admin', async () => {
      const user = await db().adminUser.findUniqueOrThrow({ where: { email: 'reviewer@example.com' } });
      expect(user.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(user.passwordHash).not.toContain('a long enough password');
      expect(await createAdminUser('reviewer@example.com', 'another password 123')).toEqual({ created: false, id: user.id });
      expect(await authenticate('reviewer@example.com', 'another password 123')).toBeNull();
      expect(await authenticate('REVIEWER@example.com ', 'a long enough password')).toEqual({ id: user.id, email: 'reviewer@example.com', role: 'admin' });
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

    // Found by attack: ten wrong passwords, each from another (spoofed) address, locked the real
    // admin out for the rest of the window, renewable forever.
    it('lets the real admin in from a clean address while wrong passwords flood in from many others', async () => {
      await createAdminUser('flooded@example.com', 'the right password!');
      const at = new Date('2026-03-02T12:00:00Z');
      const flood = LOGIN_LIMITS.perAccount + 20;
      const outcomes = await Promise.all(Array.from({ length: flood }, (_, i) => attemptLogin('flooded@example.com', 'wrong password', `198.18.${i >> 8}.${i & 255}`, at)));
      // Each address had one try, so each was checked and failed: none was locked out.
      expect(outcomes.filter((outcome) => outcome.ok === false && outcome.reason === 'invalid')).toHaveLength(flood);
      const bucket = await db().rateLimitBucket.findFirstOrThrow({ where: { key: { startsWith: 'login:email:flooded@example.com@' } } });
      expect(bucket.count).toBe(flood);
      // The account is under attack; its owner, from an address with a clean record, still signs in.
      expect(await attemptLogin('Flooded@example.com', 'the right password!', '203.0.113.10', at)).toMatchObject({ ok: true, user: { email: 'flooded@example.com' } });
      // And may mistype on the way.
      expect(await attemptLogin('flooded@example.com', 'the wrong password', '203.0.113.11', at)).toEqual({ ok: false, reason: 'invalid' });
      expect(await attemptLogin('flooded@example.com', 'the right password!', '203.0.113.11', at)).toMatchObject({ ok: true });
    });

    it('limits guessing per account and address, tighter while the account is under attack', async () => {
      await createAdminUser('guessed@example.com', 'the right password!');
      const at = new Date('2026-03-03T12:00:00Z');
      for (let i = 0; i < LOGIN_LIMITS.perAccountAndClient; i++) {
        expect(await attemptLogin('guessed@example.com', `guess ${i}`, '203.0.113.20', at)).toEqual({ ok: false, reason: 'invalid' });
      }
      // The guessing address is refused, even with the right password, until the window ends.
      const refused = await attemptLogin('guessed@example.com', 'the right password!', '203.0.113.20', at);
      expect(refused).toEqual({ ok: false, reason: 'rate_limited', retryAfterSeconds: LOGIN_LIMITS.windowMs / 1000 });
      // Other addresses, and other accounts from that address, are not.
      expect(await attemptLogin('guessed@example.com', 'the right password!', '203.0.113.21', at)).toMatchObject({ ok: true });
      expect(await attemptLogin('someone-else@example.com', 'a guess', '203.0.113.20', at)).toEqual({ ok: false, reason: 'invalid' });
      expect(await attemptLogin('guessed@example.com', 'the right password!', '203.0.113.20', new Date(at.getTime() + LOGIN_LIMITS.windowMs))).toMatchObject({ ok: true });

      // Under attack, an address that has spent its few tries on the account is refused.
      const attacked = new Date('2026-03-04T12:00:00Z');
      await Promise.all(Array.from({ length: LOGIN_LIMITS.perAccount }, (_, i) => attemptLogin('guessed@example.com', 'wrong', `198.18.1.${i}`, attacked)));
      for (let i = 0; i < LOGIN_LIMITS.perAccountAndClientUnderAttack; i++) {
        expect(await attemptLogin('guessed@example.com', `guess ${i}`, '203.0.113.22', attacked)).toEqual({ ok: false, reason: 'invalid' });
      }
      expect(await attemptLogin('guessed@example.com', 'the right password!', '203.0.113.22', attacked)).toMatchObject({ ok: false, reason: 'rate_limited' });
      expect(await attemptLogin('guessed@example.com', 'the right password!', '203.0.113.23', attacked)).toMatchObject({ ok: true });
    });

    it('limits one address trying many accounts, and requests of unknown address share one bucket', async () => {
      const at = new Date('2026-03-05T12:00:00Z');
      for (let i = 0; i < LOGIN_LIMITS.perClient; i++) await hitRateLimit('login:client:one-client', LOGIN_LIMITS.perClient, LOGIN_LIMITS.windowMs, at);
      expect(await attemptLogin('flooded@example.com', 'the right password!', 'one-client', at)).toMatchObject({ ok: false, reason: 'rate_limited' });
      expect(await attemptLogin('flooded@example.com', 'the right password!', 'another-client', at)).toMatchObject({ ok: true });
      // Found by attack: an empty X-Forwarded-For made the address unknown, which had no limit at all.
      for (let i = 0; i < LOGIN_LIMITS.perClient; i++) {
        expect(await attemptLogin(`nobody-${i}@example.com`, 'wrong', clientKey(new Headers({ 'x-forwarded-for': ',' }), 0), at)).toEqual({ ok: false, reason: 'invalid' });
      }
      expect(await attemptLogin('nobody@example.com', 'wrong', clientKey(new Headers({ 'x-forwarded-for': '' }), 0), at)).toMatchObject({ ok: false, reason: 'rate_limited' });
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

    // Found by attack: "Mark correct" copied whatever intent the browser reported into the training label.
    it('marks a prediction correct only when its reported intent is one of the model’s labels', async () => {
      const labels = reviewLabels('banking77');
      const forged = await storeForgedTurn('-2-3');
      await expect(reviewPrediction(forged, reviewer, { action: 'correct' }, () => labels)).rejects.toMatchObject({ status: 400 });
      await expect(reviewPrediction(forged, reviewer, { action: 'relabel', intent: '4111111111111111' }, () => labels)).rejects.toMatchObject({ status: 400 });
      expect(await db().prediction.findUniqueOrThrow({ where: { id: forged }, select: { reviewStatus: true, reviewedIntent: true } })).toEqual({ reviewStatus: 'unreviewed', reviewedIntent: null });
      expect(await db().review.count({ where: { predictionId: forged } })).toBe(0);
      // Relabelling it to a real label is how such a message becomes training data.
      await reviewPrediction(forged, reviewer, { action: 'relabel', intent: 'card_arrival' }, () => labels);
      const real = await storeForgedTurn('card_arrival');
      expect(await reviewPrediction(real, reviewer, { action: 'correct' }, () => labels)).toMatchObject({ action: 'correct', intent: 'card_arrival' });
      // Back to what the training export below expects.
      await db().prediction.updateMany({ where: { id: { in: [forged, real] } }, data: { reviewStatus: 'unreviewed', reviewedIntent: null } });
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
      const words = wordSpans(item.text, 'en').map(({ text, start, end }) => ({ text, start, end }));
      const turn = turnRecordSchema.parse({
        conversationId: randomUUID(),
        botId: 'banking77',
        user: { id: randomUUID(), seq: 0, text: item.text, parts: { kind: 'typed' } },
        reply: { id: randomUUID(), seq: 1, text: 'A reply.', parts: { kind: item.decision ?? 'answer' } },
        prediction: { id: randomUUID(), modelId: 'banking77', modelVersion: 't', intent: item.intent, confidence: item.confidence, topK: [{ intent: item.intent, probability: item.confidence }], decision: item.decision ?? 'answer', backend: 'wasm', latencyMs: 1 },
      });
      await storeTurnRecord(turn);
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
    expect(result.decisions).toEqual([{ decision: 'answer', count: 2 }, { decision: 'clarify', count: 1 }, { decision: 'handoff', count: 0 }, { decision: 'unreadable', count: 0 }]);
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

describe.each(testProviders)('overview word importance, bounded, on %s', (provider) => {
  let database: ScratchDatabase;
  const TEXT = 'my card has not arrived';
  const INJECTED = '<img src=x onerror=alert(1)>';
  const at = (i: number) => new Date(Date.UTC(2026, 1, 1) + i * 60_000);

  /** The LIME payload the browser stores for TEXT, with `extra` room to make it large. */
  function limePayload(words: { text: string; start: number; end: number }[], padding = '') {
    return { method: 'lime', version: 1, target: { index: 0, label: 'card_arrival', probability: 0.9 }, settings: {}, words, scores: words.map((_, i) => (i === 1 ? 0.6 : 0.05)), extra: { padding }, timing: { ms: 1, forwardPasses: 1 } };
  }
  const wordsOf = (text: string) => wordSpans(text, 'en').map(({ text: word, start, end }) => ({ text: word, start, end }));

  beforeAll(async () => {
    database = await createScratchDatabase(provider);
    await migrateDatabase(database.url);
    await connectDatabase(database.url);
    // 240 explanations, oldest first: 10 old ones with made-up words, then, among the newest 200,
    // 20 of 200 KB and 30 whose words are not the message's (injected markup, or a real word at the wrong place).
    const rows = Array.from({ length: 240 }, (_, i) => {
      const newest = 240 - i;
      const kind = i < 10 ? 'forged' : newest <= 200 && newest % 10 === 0 ? 'huge' : newest <= 200 && newest % 10 === 5 ? 'forged' : newest <= 200 && newest % 10 === 7 ? 'misplaced' : 'real';
      const words = wordsOf(TEXT);
      const payload =
        kind === 'huge' ? limePayload(words, 'x'.repeat(200 * 1024))
        : kind === 'forged' ? limePayload([...words, { text: INJECTED, start: 0, end: INJECTED.length }])
        : kind === 'misplaced' ? limePayload(words.map((word) => (word.text === 'card' ? { ...word, text: 'loan', start: word.start } : word)))
        : limePayload(words);
      return { i, kind, payload, ids: { conversation: randomUUID(), message: randomUUID(), prediction: randomUUID() } };
    });
    await db().conversation.createMany({ data: rows.map(({ ids }) => ({ id: ids.conversation, botId: 'banking77' })) });
    await db().message.createMany({ data: rows.map(({ ids }) => ({ id: ids.message, conversationId: ids.conversation, seq: 0, role: 'user' as const, text: TEXT })) });
    await db().prediction.createMany({
      data: rows.map(({ i, ids }) => ({ id: ids.prediction, messageId: ids.message, modelId: 'banking77', modelVersion: 't', intent: 'card_arrival', confidence: 0.9, topK: [{ intent: 'card_arrival', probability: 0.9 }], decision: 'answer' as const, backend: 'wasm' as const, latencyMs: 1, createdAt: at(i) })),
    });
    for (const { i, payload, ids } of rows) {
      await db().explanation.create({ data: { id: randomUUID(), predictionId: ids.prediction, method: 'lime', settings: {}, payload, durationMs: 1, createdAt: at(i) } });
    }
  });

  afterAll(async () => {
    await db().$disconnect();
    await database.drop();
  });

  // Found by attack: the overview loaded every LIME payload of an intent (1,000 rows of up to 1 MB each).
  it('reads at most the newest N explanations, and of those only payloads up to the size bound', async () => {
    const { LIME_OVERVIEW_LIMITS, limeOverviewRows } = await import('@/lib/db/queries/admin-overview');
    const rows = await limeOverviewRows('card_arrival', new Date('2026-01-01T00:00:00Z'));
    // The newest 200, less the 20 huge ones among them.
    expect(rows).toHaveLength(LIME_OVERVIEW_LIMITS.rows - 20);
    const sizes = rows.map((row) => Buffer.byteLength(JSON.stringify(row.payload)));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(LIME_OVERVIEW_LIMITS.payloadBytes);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBeLessThan(LIME_OVERVIEW_LIMITS.rows * 2 * 1024);
    // Tighter limits are honoured as given.
    expect(await limeOverviewRows('card_arrival', new Date('2026-01-01T00:00:00Z'), { rows: 15, payloadBytes: 64 * 1024 })).toHaveLength(15 - 1);
    expect(await limeOverviewRows('card_arrival', new Date('2026-01-01T00:00:00Z'), { rows: 50, payloadBytes: 100 })).toEqual([]);
  });

  it('counts only words that are the stored message’s own text at their place', async () => {
    const { limeWordImportance } = await import('@/lib/db/queries/admin-overview');
    const result = await limeWordImportance('card_arrival', new Date('2026-01-01T00:00:00Z'));
    expect(result.explanations).toBe(180);
    const words = Object.fromEntries(result.words.map((word) => [word.word, word.count]));
    expect(words).not.toHaveProperty(INJECTED.toLowerCase());
    expect(words).not.toHaveProperty('loan');
    // "card" is left out of the misplaced ones (20 of the 180), every other word counts in all 180.
    expect(words).toEqual({ card: 160, my: 180, has: 180, not: 180, arrived: 180 });
  });
});
