import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GET as getConversation } from '@/app/api/conversations/[id]/route';
import { POST as postTurn } from '@/app/api/turns/route';
import { attemptLogin, LOGIN_LIMITS } from '@/lib/auth/login';
import { ConfigError, parseConfig } from '@/lib/config';
import { db } from '@/lib/db/client';
import { hitRateLimit, sweepRateLimitBuckets } from '@/lib/db/queries/rate-limit';
import { errorResponse } from '@/lib/http/errors';
import { chatRateLimit, enforceRateLimit } from '@/lib/http/rate-limit';
import { testProviders, withScratchDatabase } from '../support/databases';
import { turnRecord as turn } from '../support/turns';

const from = (address: string) => new Headers({ 'x-forwarded-for': address });

/** The error a call throws, turned into the answer the API gives for it. */
async function answerTo(work: Promise<unknown>): Promise<Response | null> {
  try {
    await work;
    return null;
  } catch (error) {
    return errorResponse(error);
  }
}


const postTurnFrom = (address: string, body: unknown) =>
  postTurn(new Request('http://chat.example/api/turns', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify(body) }));

const getConversationFrom = (address: string, id: string) =>
  getConversation(new Request(`http://chat.example/api/conversations/${id}`, { headers: { 'x-forwarded-for': address } }), { params: Promise.resolve({ id }) });

describe('the chat rate limit setting', () => {
  it('defaults to a budget a real visitor never meets and can be raised', () => {
    expect(parseConfig({}).CHAT_RATE_LIMIT_PER_MINUTE).toBe(180);
    expect(parseConfig({ CHAT_RATE_LIMIT_PER_MINUTE: '100000' }).CHAT_RATE_LIMIT_PER_MINUTE).toBe(100_000);
  });

  it.each(['0', '1.5', '-3', 'many'])('refuses %s', (value) => {
    expect(() => parseConfig({ CHAT_RATE_LIMIT_PER_MINUTE: value })).toThrow(ConfigError);
  });
});

describe.each(testProviders)('rate limits on %s', (provider) => {
  withScratchDatabase(provider);

  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts requests per key and window in one row, atomically, and refuses past the limit', async () => {
    const at = new Date('2026-03-01T12:00:00Z');
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await hitRateLimit('test:key', 3, 60_000, at));
    expect(results.map((r) => [r.allowed, r.count])).toEqual([[true, 1], [true, 2], [true, 3], [false, 4]]);
    expect(results[3]!.retryAfterSeconds).toBe(60);
    expect(await db().rateLimitBucket.count({ where: { key: { startsWith: 'test:key@' } } })).toBe(1);
    // The next window starts afresh.
    expect((await hitRateLimit('test:key', 3, 60_000, new Date(at.getTime() + 60_000))).count).toBe(1);
    // Parallel requests are each counted once.
    const parallel = await Promise.all(Array.from({ length: 8 }, () => hitRateLimit('test:parallel', 10, 60_000, at)));
    expect(parallel.map((r) => r.count).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('lets a client through under its limit and answers past it with a 429 JSON error and Retry-After', async () => {
    const policy = { name: 'test-chat', limit: 3, windowMs: 60_000 };
    const at = new Date('2026-03-02T12:00:15Z');
    for (let i = 0; i < 3; i++) expect(await answerTo(enforceRateLimit(from('203.0.113.1'), policy, at))).toBeNull();
    const refused = await answerTo(enforceRateLimit(from('203.0.113.1'), policy, at));
    expect(refused?.status).toBe(429);
    // 45 s are left of the window that began at 12:00:00.
    expect(refused?.headers.get('retry-after')).toBe('45');
    expect(await refused?.json()).toEqual({
      error: { code: 'rate_limited', message: 'Too many requests from this address; try again in 45 seconds.', details: { retryAfterSeconds: 45 } },
    });
  });

  it('gives separate clients separate budgets, and a client a new one in the next window', async () => {
    const policy = { name: 'test-clients', limit: 2, windowMs: 60_000 };
    const at = new Date('2026-03-03T12:00:59.500Z');
    for (let i = 0; i < 2; i++) await enforceRateLimit(from('203.0.113.10'), policy, at);
    expect((await answerTo(enforceRateLimit(from('203.0.113.10'), policy, at)))?.status).toBe(429);
    expect(await answerTo(enforceRateLimit(from('203.0.113.11'), policy, at))).toBeNull();
    // An address the client wrote itself in front of the one our proxy wrote changes nothing.
    expect(await answerTo(enforceRateLimit(from('198.51.100.99, 203.0.113.11'), policy, at))).toBeNull();
    expect((await answerTo(enforceRateLimit(from('198.51.100.98, 203.0.113.11'), policy, at)))?.status).toBe(429);
    // Half a second later a new window begins.
    const next = new Date('2026-03-03T12:01:00Z');
    expect(await answerTo(enforceRateLimit(from('203.0.113.10'), policy, next))).toBeNull();
    expect(await answerTo(enforceRateLimit(from('203.0.113.11'), policy, next))).toBeNull();
  });

  // Found by attack: an empty or malformed X-Forwarded-For made the client "unknown", and unknown clients had no limit.
  it('limits requests whose address is empty or malformed: by the socket address, else in one shared bucket', async () => {
    const policy = { name: 'test-unknown', limit: 3, windowMs: 60_000 };
    const at = new Date('2026-03-03T13:00:00Z');
    const headers = ['', ',', ' , ', 'garbage', 'unknown'];
    for (let i = 0; i < 3; i++) expect(await answerTo(enforceRateLimit(from(headers[i]!), policy, at))).toBeNull();
    for (const header of headers) expect((await answerTo(enforceRateLimit(from(header), policy, at)))?.status, JSON.stringify(header)).toBe(429);
    expect((await answerTo(enforceRateLimit(new Headers(), policy, at)))?.status).toBe(429);
    // Outside a server that records socket addresses, that one bucket holds them all; real addresses keep their own.
    const bucket = await db().rateLimitBucket.findFirstOrThrow({ where: { key: { startsWith: 'test-unknown:client:unknown@' } } });
    expect(bucket.count).toBe(3 + headers.length + 1);
    expect(await answerTo(enforceRateLimit(from('203.0.113.12'), policy, at))).toBeNull();
  });

  it('limits the chat routes for a client that sends an empty X-Forwarded-For', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-04T13:00:00Z'));
    const { limit } = chatRateLimit();
    const missing = randomUUID();
    for (let i = 0; i < limit; i++) expect((await getConversationFrom(i % 2 ? '' : ',', missing)).status).toBe(404);
    const refusedTurn = turn();
    expect((await postTurnFrom('', refusedTurn)).status).toBe(429);
    expect(await db().message.count({ where: { conversationId: refusedTurn.conversationId } })).toBe(0);
  });

  it('limits the chat routes with one budget per client from the configuration, storing nothing it refuses', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-04T12:00:00Z'));
    const { limit } = chatRateLimit();
    const missing = randomUUID();
    // Restoring a conversation and posting turns draw on the same budget.
    expect((await postTurnFrom('198.51.100.7', turn())).status).toBe(201);
    for (let i = 1; i < limit; i++) expect((await getConversationFrom('198.51.100.7', missing)).status).toBe(404);

    const refusedTurn = turn();
    const refused = await postTurnFrom('198.51.100.7', refusedTurn);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect(await db().message.count({ where: { conversationId: refusedTurn.conversationId } })).toBe(0);
    expect((await getConversationFrom('198.51.100.7', missing)).status).toBe(429);

    // Another visitor is not affected; the limited one is served again in the next minute.
    expect((await postTurnFrom('198.51.100.8', turn())).status).toBe(201);
    vi.setSystemTime(new Date('2026-03-04T12:01:00Z'));
    expect((await postTurnFrom('198.51.100.7', refusedTurn)).status).toBe(201);
    expect(await db().message.count({ where: { conversationId: refusedTurn.conversationId } })).toBe(2);
  });

  it('still limits sign-in attempts per client, in the same table', async () => {
    const at = new Date('2026-03-05T12:00:00Z');
    for (let i = 0; i < LOGIN_LIMITS.perClient; i++) {
      expect(await attemptLogin(`nobody-${i}@example.com`, 'wrong password', '203.0.113.50', at)).toEqual({ ok: false, reason: 'invalid' });
    }
    const refused = await attemptLogin('nobody@example.com', 'wrong password', '203.0.113.50', at);
    expect(refused).toEqual({ ok: false, reason: 'rate_limited', retryAfterSeconds: LOGIN_LIMITS.windowMs / 1000 });
    const bucket = await db().rateLimitBucket.findFirstOrThrow({ where: { key: { startsWith: 'login:client:203.0.113.50@' } } });
    expect(bucket.count).toBe(LOGIN_LIMITS.perClient + 1);
    expect(await attemptLogin('nobody@example.com', 'wrong password', '203.0.113.51', at)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('sweeps the counters of windows a day old and keeps the rest', async () => {
    const now = new Date('2026-03-10T12:00:00Z');
    await hitRateLimit('test:old', 5, 60_000, new Date(now.getTime() - 25 * 60 * 60 * 1000));
    await hitRateLimit('test:recent', 5, 60_000, new Date(now.getTime() - 60 * 60 * 1000));
    expect(await sweepRateLimitBuckets(now)).toBeGreaterThanOrEqual(1);
    expect(await db().rateLimitBucket.count({ where: { key: { startsWith: 'test:old@' } } })).toBe(0);
    expect(await db().rateLimitBucket.count({ where: { key: { startsWith: 'test:recent@' } } })).toBe(1);
  });
});
