import fc from 'fast-check';
import { expect, test, type APIRequestContext, type APIResponse } from '@playwright/test';
import { MAX_TURN_BATCH_BYTES, MAX_TURN_BYTES, MAX_TURNS_PER_BATCH, feedbackSchema, turnRecordSchema } from '@/lib/records/turn';
import { MAX_EXPLANATIONS_BYTES, explanationsRecordSchema } from '@/lib/records/explanation';
import { agentMessageSchema, resolutionSchema } from '@/lib/records/handoff';
import { createAdminAccount, signInThroughApi, type AdminApiSession } from './support/admin-session';
import { queryE2eDatabase } from './support/database';
import {
  batchOfInvalidTurns,
  invalidBody,
  invalidTurnBatch,
  invalidId,
  junkQuery,
  unicodeEdgeString,
  validCredentials,
  validExplanations,
  validFeedback,
  validReview,
  validTurn,
  validTurnBatch,
  type BodyCase,
  type RawBody,
} from './support/fuzz';

// Every API route gets hostile bodies, ids and query strings from a fixed seed: no answer may
// be a 5xx, invalid input stores nothing, and the server stays healthy.
const SEED = 7_2026;
const RUNS = 100;
const options = (numRuns = RUNS) => ({ seed: SEED, numRuns, endOnFailure: true });

/** What the server stores from requests; rate-limit counters are bookkeeping, not input. */
const STORED_TABLES = ['Conversation', 'Message', 'Prediction', 'Explanation', 'Feedback', 'Review', 'AdminUser', 'AdminSession', 'Handoff', 'AgentMessage'] as const;
type RowCounts = Record<(typeof STORED_TABLES)[number], number>;

function rowCounts(): RowCounts {
  return Object.fromEntries(STORED_TABLES.map((table) => [table, queryE2eDatabase<{ n: number }>(`SELECT COUNT(*) AS n FROM "${table}"`)[0]!.n])) as RowCounts;
}

/** A query string with one named parameter of any value (the route's own parameter, which `junkQuery` does not name). */
const namedJunk = (name: string) =>
  fc.oneof(unicodeEdgeString, fc.constantFrom('', '2026-01-01T00:00:00Z', '2026-13-45T99:00:00Z', '00000000-0000-0000-0000-000000000000', 'mine', 'waiting')).map((value) => new URLSearchParams([[name, value]]).toString());

const isValid = (schema: { safeParse(value: unknown): { success: boolean } }) => (body: unknown) => schema.safeParse(body).success;

const BODIES = {
  turn: { valid: validTurn(), isValid: isValid(turnRecordSchema), bodyCap: MAX_TURN_BYTES, stringPath: ['user', 'text'] },
  feedback: { valid: validFeedback(), isValid: isValid(feedbackSchema), bodyCap: 4 * 1024, stringPath: ['comment'] },
  explanations: {
    valid: validExplanations(),
    isValid: isValid(explanationsRecordSchema),
    bodyCap: MAX_EXPLANATIONS_BYTES,
    opaque: ['settings', 'extra'],
    stringPath: ['explanations', 0, 'words', 0, 'text'],
    freeFormPath: ['explanations', 0, 'extra'],
  },
  // The admin routes' schemas live in their route files; a body is valid when it has their shape.
  review: {
    valid: validReview(),
    isValid: (body: unknown) => isRecord(body) && ['correct', 'relabel', 'flag', 'note'].includes(body.action as string) && optionalString(body.intent, 1, 100) && optionalString(body.note, 0, 2000),
    bodyCap: 8 * 1024,
    stringPath: ['note'],
  },
  agentMessage: { valid: { text: 'Hello, I can help.' }, isValid: isValid(agentMessageSchema), bodyCap: 16 * 1024, stringPath: ['text'] },
  resolution: { valid: { resolution: 'new_topic', topic: 'Crypto wallets' }, isValid: isValid(resolutionSchema), bodyCap: 8 * 1024, stringPath: ['topic'] },
  login: {
    valid: validCredentials(),
    isValid: (body: unknown) => isRecord(body) && typeof body.email === 'string' && body.email.trim().length >= 3 && body.email.trim().length <= 254 && optionalString(body.password, 1, 256) && body.password !== undefined,
    bodyCap: 4 * 1024,
    stringPath: ['password'],
  },
} satisfies Record<string, BodyCase>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function optionalString(value: unknown, min: number, max: number): boolean {
  return value === undefined || (typeof value === 'string' && value.length >= min && value.length <= max);
}

type Sent = { method: string; path: string; body?: RawBody; headers?: Record<string, string> };

// Each request as from its own client (an IPv6 documentation address), so that per-client rate
// limits neither turn the fuzz's answers into 429s nor spend the budget the other specs share.
let clients = 0;
const clientAddress = () => `2001:db8::${(++clients).toString(16)}`;

async function send(request: APIRequestContext, { method, path, body, headers = {} }: Sent): Promise<APIResponse> {
  return request.fetch(path, {
    method,
    headers: { 'x-forwarded-for': clientAddress(), ...headers, ...(body?.contentType !== undefined ? { 'content-type': body.contentType } : {}) },
    data: body?.data,
    maxRedirects: 0,
    failOnStatusCode: false,
  });
}

/** The request in a failure message: short enough to read, exact enough to replay. */
function summarise({ method, path, body }: Sent): string {
  const text = body?.data ? body.data.subarray(0, 300).toString('utf8') : '(none)';
  return `${method} ${path.slice(0, 200)} — ${body?.kind ?? 'no body'}, ${body?.contentType ?? 'no content type'}, ${body?.data?.length ?? 0} bytes: ${JSON.stringify(text)}`;
}

/** A refusal that says what is wrong: 4xx, and the API's JSON error. */
async function expectJsonRefusal(response: APIResponse, sent: Sent, statuses?: number[]) {
  const what = summarise(sent);
  const status = response.status();
  // A rate limit's 429 is a refusal too.
  if (statuses) expect([...statuses, 429], `${what} → ${status}`).toContain(status);
  expect(status, what).toBeGreaterThanOrEqual(400);
  expect(status, what).toBeLessThan(500);
  expect(response.headers()['content-type'], what).toContain('application/json');
  const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
  expect(typeof body.error?.code, what).toBe('string');
  expect(typeof body.error?.message, what).toBe('string');
}

async function expectHealthy(request: APIRequestContext) {
  const health = await request.get('/api/health');
  expect(health.status()).toBe(200);
  expect((await health.json()).status).toBe('ok');
}

const existing = { conversationId: '', replyId: '', predictionId: '', unexplainedPredictionId: '', handoffConversationId: '' };
let admin: AdminApiSession;

test.describe('API fuzz', () => {
  test.describe.configure({ timeout: 180_000 });

  test.beforeAll(async ({ request, playwright, baseURL }) => {
    // Real records to aim at: hostile bodies against ids that exist reach further into the routes.
    const turn = validTurn();
    expect((await request.post('/api/turns', { data: turn })).status()).toBe(201);
    expect((await request.post(`/api/predictions/${turn.prediction.id}/explanations`, { data: validExplanations() })).status()).toBe(201);
    expect((await request.put(`/api/messages/${turn.reply.id}/feedback`, { data: validFeedback() })).status()).toBe(204);
    // And one with no explanation yet, where a body that got through would be stored.
    const unexplained = validTurn('where is my new card');
    expect((await request.post('/api/turns', { data: unexplained })).status()).toBe(201);
    // And a conversation handed off and claimed, where a message or resolution that got through would be stored.
    const handedOff = validTurn('book me a flight to the moon', 'card_arrival');
    handedOff.reply.parts = { kind: 'handoff-requested', handoffReason: 'requested' } as unknown as typeof handedOff.reply.parts;
    expect((await request.post('/api/turns', { data: handedOff })).status()).toBe(201);
    Object.assign(existing, {
      conversationId: turn.conversationId,
      replyId: turn.reply.id,
      predictionId: turn.prediction.id,
      unexplainedPredictionId: unexplained.prediction.id,
      handoffConversationId: handedOff.conversationId,
    });
    admin = await signInThroughApi(playwright.request, baseURL!, await createAdminAccount('fuzz-admin@example.com'));
    expect((await request.post(`/api/admin/conversations/${handedOff.conversationId}/claim`, { headers: admin.headers(), data: {} })).status()).toBe(200);
  });

  test('chat routes refuse every malformed, huge, nested and type-confused body with a JSON 4xx, and store nothing', async ({ request }) => {
    const before = rowCounts();
    // Mostly the real record: that is where a body gets furthest.
    const idOr = (known: () => string) => fc.oneof({ arbitrary: fc.constant(null).map(known), weight: 2 }, invalidId, fc.uuid());
    const cases: [string, fc.Arbitrary<Sent>][] = [
      ['POST /api/turns', invalidBody(BODIES.turn).map((body) => ({ method: 'POST', path: '/api/turns', body }))],
      [
        'PUT /api/messages/:id/feedback',
        fc.tuple(idOr(() => existing.replyId), invalidBody(BODIES.feedback)).map(([id, body]) => ({ method: 'PUT', path: `/api/messages/${id}/feedback`, body })),
      ],
      [
        'POST /api/predictions/:id/explanations',
        fc.tuple(fc.oneof(idOr(() => existing.unexplainedPredictionId), idOr(() => existing.predictionId)), invalidBody(BODIES.explanations)).map(([id, body]) => ({ method: 'POST', path: `/api/predictions/${id}/explanations`, body })),
      ],
    ];
    for (const [, arbitrary] of cases) {
      await fc.assert(
        fc.asyncProperty(arbitrary, async (sent) => {
          await expectJsonRefusal(await send(request, sent), sent);
        }),
        options(),
      );
    }
    // Ids that are not UUIDs, in every route that takes one.
    await fc.assert(
      fc.asyncProperty(invalidId, fc.constantFrom('GET /api/conversations/:id', 'PUT /api/messages/:id/feedback', 'POST /api/predictions/:id/explanations'), async (id, route) => {
        const [method, template] = route.split(' ') as [string, string];
        const data = route.includes('feedback') ? validFeedback() : route.includes('explanations') ? validExplanations() : undefined;
        const sent: Sent = { method, path: template.replace(':id', id), body: data ? { kind: 'valid record', contentType: 'application/json', data: Buffer.from(JSON.stringify(data)) } : undefined };
        await expectJsonRefusal(await send(request, sent), sent, [400, 404]);
      }),
      options(),
    );
    expect(rowCounts()).toEqual(before);
    await expectHealthy(request);
  });

  test('turn batches: a wrong batch is a JSON 4xx, invalid turns in a batch are refused one by one, and neither stores anything', async ({ request }) => {
    const before = rowCounts();
    await fc.assert(
      fc.asyncProperty(invalidTurnBatch(BODIES.turn, MAX_TURNS_PER_BATCH, MAX_TURN_BATCH_BYTES), async (body) => {
        const sent: Sent = { method: 'POST', path: '/api/turns', body };
        // 415: a body not declared application/json, whatever it holds.
        await expectJsonRefusal(await send(request, sent), sent, [400, 413, 415]);
      }),
      options(RUNS / 2),
    );
    await fc.assert(
      fc.asyncProperty(batchOfInvalidTurns(BODIES.turn), async (body) => {
        const sent: Sent = { method: 'POST', path: '/api/turns', body };
        const what = summarise(sent);
        const response = await send(request, sent);
        expect(response.status(), what).toBe(200);
        const { outcomes } = (await response.json()) as { outcomes: { outcome: string; status: number; error: { code: string; message: string } }[] };
        expect(outcomes, what).toHaveLength(body.turns);
        for (const outcome of outcomes) expect(outcome, what).toMatchObject({ outcome: 'refused', status: 400, error: { code: 'bad_request', message: expect.any(String) } });
      }),
      options(),
    );
    expect(rowCounts()).toEqual(before);
    // A valid batch is stored once, however often it is posted.
    const batch = validTurnBatch(3);
    for (const expected of ['stored', 'duplicate']) {
      const response = await request.post('/api/turns', { data: batch, headers: { 'x-forwarded-for': clientAddress() } });
      expect(response.status()).toBe(200);
      expect(((await response.json()) as { outcomes: unknown[] }).outcomes).toEqual(batch.turns.map(() => ({ outcome: expected })));
    }
    expect(rowCounts()).toEqual({ ...before, Conversation: before.Conversation + 3, Message: before.Message + 6, Prediction: before.Prediction + 3 });
    await expectHealthy(request);
  });

  test('valid turns whose text is full of unicode edge cases are stored intact or refused, never a 5xx', async ({ request }) => {
    const before = rowCounts();
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(unicodeEdgeString, async (text) => {
        const turn = validTurn(text);
        const sent: Sent = { method: 'POST', path: '/api/turns', body: { kind: 'unicode text', contentType: 'application/json', data: Buffer.from(JSON.stringify(turn)) } };
        const response = await send(request, sent);
        if (response.status() !== 201) return expectJsonRefusal(response, sent, [400]);
        accepted++;
        const restored = await send(request, { method: 'GET', path: `/api/conversations/${turn.conversationId}` });
        expect(restored.status()).toBe(200);
        const stored = (await restored.json()) as { messages: { text: string }[] };
        // As sent, trimmed, lone surrogates as U+FFFD; personal data masked character for character.
        const codePoints = (chars: string[]) => chars.map((char) => char.codePointAt(0)!.toString(16)).join(' ');
        const expected = [...text.trim().toWellFormed().replaceAll('\u0000', '\uFFFD')];
        const got = [...stored.messages[0]!.text];
        const what = `sent ${codePoints(expected)}, stored ${codePoints(got)}`;
        expect(got.length, what).toBe(expected.length);
        got.forEach((char, i) => expect([expected[i], '•'], what).toContain(char));
      }),
      options(),
    );
    expect(accepted).toBeGreaterThan(RUNS / 2);
    expect(rowCounts()).toEqual({ ...before, Conversation: before.Conversation + accepted, Message: before.Message + 2 * accepted, Prediction: before.Prediction + accepted });
    await expectHealthy(request);
  });

  test('admin routes answer 401 to anonymous and forged-cookie callers, whatever they send', async ({ request, baseURL }) => {
    const before = rowCounts();
    const origin = new URL(baseURL!).origin;
    const forgedCookie = fc.oneof(
      fc.constant(undefined),
      fc.stringMatching(/^[A-Za-z0-9_-]{0,300}$/),
      fc.constantFrom('', 'null', admin.token.slice(1), `${admin.token}x`, admin.token.toUpperCase(), 'a'.repeat(5000)),
    );
    const routes = fc.oneof(
      fc.tuple(fc.constantFrom('/api/admin/predictions', '/api/admin/queue', '/api/admin/overview', '/api/admin/export'), junkQuery).map(([path, query]) => ({ method: 'GET', path: `${path}?${query}` })),
      fc.tuple(fc.oneof(invalidId, fc.uuid(), fc.constant(existing.predictionId)), junkQuery).map(([id, query]) => ({ method: 'GET', path: `/api/admin/predictions/${id}?${query}` })),
      fc.tuple(fc.oneof(invalidId, fc.constant(existing.predictionId)), invalidBody(BODIES.review)).map(([id, body]) => ({ method: 'POST', path: `/api/admin/predictions/${id}/review`, body })),
      fc.constant(existing.predictionId).map((id) => ({ method: 'POST', path: `/api/admin/predictions/${id}/review`, body: { kind: 'valid review', contentType: 'application/json', data: Buffer.from(JSON.stringify(validReview())) } })),
      invalidBody(BODIES.review).map((body) => ({ method: 'POST', path: '/api/admin/logout', body })),
      fc.tuple(fc.constantFrom('/api/admin/inbox', '/api/admin/inbox/count'), junkQuery).map(([path, query]) => ({ method: 'GET', path: `${path}?${query}` })),
      fc.oneof(invalidId, fc.uuid(), fc.constant(existing.handoffConversationId)).map((id) => ({ method: 'GET', path: `/api/admin/conversations/${id}` })),
      fc.oneof(invalidId, fc.constant(existing.handoffConversationId)).map((id) => ({ method: 'POST', path: `/api/admin/conversations/${id}/claim` })),
      fc.tuple(fc.oneof(invalidId, fc.constant(existing.handoffConversationId)), invalidBody(BODIES.agentMessage)).map(([id, body]) => ({ method: 'POST', path: `/api/admin/conversations/${id}/messages`, body })),
      fc.constant(existing.handoffConversationId).map((id) => ({ method: 'POST', path: `/api/admin/conversations/${id}/messages`, body: { kind: 'valid message', contentType: 'application/json', data: Buffer.from(JSON.stringify(BODIES.agentMessage.valid)) } })),
      fc.tuple(fc.oneof(invalidId, fc.constant(existing.handoffConversationId)), invalidBody(BODIES.resolution)).map(([id, body]) => ({ method: 'POST', path: `/api/admin/conversations/${id}/resolve`, body })),
    );
    await fc.assert(
      fc.asyncProperty(routes, forgedCookie, fc.boolean(), async (route, cookie, sameOrigin) => {
        const sent: Sent = {
          ...route,
          headers: { ...(cookie !== undefined ? { cookie: `${admin.cookieName}=${cookie}` } : {}), ...(sameOrigin ? { origin } : {}), 'x-csrf-token': admin.csrfToken },
        };
        const response = await send(request, sent);
        await expectJsonRefusal(response, sent, [401]);
        expect((await response.json()).error.code).toBe('unauthorised');
      }),
      options(),
    );
    expect(rowCounts()).toEqual(before);
  });

  test('sign-in refuses every malformed body with a JSON 4xx, before any password is checked', async ({ request, baseURL }) => {
    const before = rowCounts();
    const buckets = queryE2eDatabase<{ n: number }>(`SELECT COUNT(*) AS n FROM RateLimitBucket WHERE key LIKE 'login:%'`)[0]!.n;
    const origin = new URL(baseURL!).origin;
    await fc.assert(
      fc.asyncProperty(invalidBody(BODIES.login), async (body) => {
        const sent: Sent = { method: 'POST', path: '/api/admin/login', body, headers: { origin } };
        const response = await send(request, sent);
        await expectJsonRefusal(response, sent, [400, 413, 415]);
        expect(response.headers()['set-cookie'], summarise(sent)).toBeUndefined();
      }),
      options(),
    );
    expect(rowCounts()).toEqual(before);
    // Refused before the attempt counted: a malformed body cannot spend an admin's sign-in allowance.
    expect(queryE2eDatabase<{ n: number }>(`SELECT COUNT(*) AS n FROM RateLimitBucket WHERE key LIKE 'login:%'`)[0]!.n).toBe(buckets);
  });

  test('signed in with the CSRF defence satisfied, admin routes refuse bad input with a JSON 4xx and never fail', async ({ request }) => {
    const before = rowCounts();
    const headers = admin.headers();
    // Reviews: every malformed body, against a real prediction, a random one and non-ids.
    await fc.assert(
      fc.asyncProperty(fc.oneof(invalidId, fc.uuid(), fc.constant(existing.predictionId)), invalidBody(BODIES.review), async (id, body) => {
        const sent: Sent = { method: 'POST', path: `/api/admin/predictions/${id}/review`, body, headers };
        await expectJsonRefusal(await send(request, sent), sent);
      }),
      options(),
    );
    // Prediction detail: ids that are not UUIDs, or not known.
    await fc.assert(
      fc.asyncProperty(fc.oneof(invalidId, fc.uuid()), async (id) => {
        const sent: Sent = { method: 'GET', path: `/api/admin/predictions/${id}`, headers };
        await expectJsonRefusal(await send(request, sent), sent, [400, 404]);
      }),
      options(),
    );
    // Agent messages and resolutions: every malformed body, against the claimed conversation, a random one and non-ids.
    for (const route of ['messages', 'resolve'] as const) {
      await fc.assert(
        fc.asyncProperty(fc.oneof(invalidId, fc.uuid(), fc.constant(existing.handoffConversationId)), invalidBody(route === 'messages' ? BODIES.agentMessage : BODIES.resolution), async (id, body) => {
          const sent: Sent = { method: 'POST', path: `/api/admin/conversations/${id}/${route}`, body, headers };
          await expectJsonRefusal(await send(request, sent), sent);
        }),
        options(),
      );
    }
    // Conversations and claims: ids that are not UUIDs, or not known.
    await fc.assert(
      fc.asyncProperty(fc.oneof(invalidId, fc.uuid()), fc.constantFrom('GET', 'POST'), async (id, method) => {
        const sent: Sent = { method, path: `/api/admin/conversations/${id}${method === 'POST' ? '/claim' : ''}`, headers };
        await expectJsonRefusal(await send(request, sent), sent, [400, 404]);
      }),
      options(),
    );
    // The customer's poll: junk ids and `after` values are refused or read, never a failure.
    await fc.assert(
      fc.asyncProperty(fc.oneof(invalidId, fc.uuid(), fc.constant(existing.handoffConversationId)), fc.oneof(junkQuery, namedJunk('after')), async (id, query) => {
        const sent: Sent = { method: 'GET', path: `/api/conversations/${id}/updates?${query}` };
        const response = await send(request, sent);
        if (response.status() !== 200) return expectJsonRefusal(response, sent, [400, 404]);
        expect((await response.json()).status, summarise(sent)).toBe('assigned');
      }),
      options(),
    );
    // Lists, queue, overview and exports: junk query strings are read as filters or refused, never a failure.
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/api/admin/predictions', '/api/admin/queue', '/api/admin/overview', '/api/admin/export', '/api/admin/inbox', '/api/admin/inbox/count'), fc.oneof(junkQuery, namedJunk('status')), async (path, query) => {
        const sent: Sent = { method: 'GET', path: `${path}?${query}`, headers };
        const response = await send(request, sent);
        if (response.status() !== 200) return expectJsonRefusal(response, sent);
        const text = await response.text();
        if (path.endsWith('/export')) expect(response.headers()['content-type'], summarise(sent)).toMatch(/^(text\/csv|application\/x-ndjson)/);
        else expect(() => JSON.parse(text), summarise(sent)).not.toThrow();
      }),
      options(),
    );
    expect(rowCounts()).toEqual(before);
    // The session survived the fuzz: it still reads, and nothing was reviewed.
    expect((await request.get('/api/admin/queue', { headers })).status()).toBe(200);
    await expectHealthy(request);
  });

  test('methods a route does not take are refused, never failed', async ({ request }) => {
    const before = rowCounts();
    const routes: [string, string[]][] = [
      ['/api/turns', ['POST']],
      ['/api/health', ['GET']],
      [`/api/conversations/${existing.conversationId}`, ['GET']],
      [`/api/messages/${existing.replyId}/feedback`, ['PUT']],
      [`/api/predictions/${existing.predictionId}/explanations`, ['POST']],
      ['/api/admin/login', ['POST']],
      ['/api/admin/logout', ['POST']],
      ['/api/admin/predictions', ['GET']],
      [`/api/admin/predictions/${existing.predictionId}`, ['GET']],
      [`/api/admin/predictions/${existing.predictionId}/review`, ['POST']],
      [`/api/admin/predictions/${existing.predictionId}/contrasts`, ['POST']],
      ['/api/admin/queue', ['GET']],
      ['/api/admin/overview', ['GET']],
      ['/api/admin/export', ['GET']],
      [`/api/conversations/${existing.handoffConversationId}/updates`, ['GET']],
      ['/api/admin/inbox', ['GET']],
      ['/api/admin/inbox/count', ['GET']],
      [`/api/admin/conversations/${existing.handoffConversationId}`, ['GET']],
      [`/api/admin/conversations/${existing.handoffConversationId}/claim`, ['POST']],
      [`/api/admin/conversations/${existing.handoffConversationId}/messages`, ['POST']],
      [`/api/admin/conversations/${existing.handoffConversationId}/resolve`, ['POST']],
    ];
    for (const [path, allowed] of routes) {
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => !allowed.includes(m))) {
        const response = await send(request, { method, path, headers: admin.headers(), body: { kind: 'valid-looking', contentType: 'application/json', data: Buffer.from('{}') } });
        expect(response.status(), `${method} ${path}`).toBe(405);
      }
    }
    expect(rowCounts()).toEqual(before);
    await expectHealthy(request);
  });
});
