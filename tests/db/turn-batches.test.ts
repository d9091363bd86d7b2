import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ingestTurns } from '@/lib/ingest/turns';
import { MAX_TURN_BATCH_BYTES, MAX_TURNS_PER_BATCH, type TurnBatchAnswer } from '@/lib/records/turn';
import { db } from '@/lib/db/client';
import { storeTurnRecords } from '@/lib/ingest/turns';
import { respond } from '@/lib/http/errors';
import { chatRateLimit } from '@/lib/http/rate-limit';
import { wordSpans } from '@/lib/model/spans';
import { testProviders, withScratchDatabase } from '../support/databases';
import { turnRecord as turn } from '../support/turns';

type Posted = { user: { id: string }; reply: { id: string } };

function explanation(method: string) {
  // The words of the turns' message (tests/support/turns.ts), as the browser splits it.
  const words = wordSpans('my card has not arrived', 'en');
  return {
    method,
    version: 1,
    target: { index: 0, label: 'card_arrival', probability: 0.91 },
    settings: { seed: 1 },
    words,
    scores: [0.1, 0.6, 0.05, 0.02, 0.2],
    extra: {},
    faithfulness: {
      comprehensiveness: [{ k: '1', value: 0.4 }],
      sufficiency: [{ k: '1', value: 0.1 }],
      meanComprehensiveness: 0.4,
      meanSufficiency: 0.1,
      deletionAuc: 0.3,
    },
    timing: { ms: 5, forwardPasses: 4 },
  };
}

/** Posts through the route's handler; verification tasks are collected, not run (no model here). */
async function post(body: unknown, address = '198.51.100.20', raw?: string) {
  const verifications: (() => Promise<void>)[] = [];
  const request = new Request('http://chat.example/api/turns', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: raw ?? JSON.stringify(body),
  });
  const response = await respond(() => ingestTurns(request, (task) => verifications.push(task)));
  return { response, verifications };
}

async function storedMessages(turns: Posted[]) {
  return db().message.count({ where: { id: { in: turns.flatMap((t) => [t.user.id, t.reply.id]) } } });
}

describe.each(testProviders)('turn batches on %s', (provider) => {
  withScratchDatabase(provider);

  afterEach(() => {
    vi.useRealTimers();
  });

  it('stores exactly the valid new turns of a batch and answers one outcome per turn, in order', async () => {
    const earlier = turn();
    expect((await post(earlier)).response.status).toBe(201);
    const fresh = turn();
    const sameConversation = turn(earlier.conversationId, 2);
    // Other ids at the position `earlier` holds: another message is stored there.
    const conflicting = { ...turn(earlier.conversationId, 0), conversationId: earlier.conversationId };
    const invalid = { ...turn(), user: { ...turn().user, text: '   ' } };
    const turns = [fresh, earlier, conflicting, invalid, sameConversation];

    const { response, verifications } = await post({ turns });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as TurnBatchAnswer;
    expect(answer.outcomes.map((o) => o.outcome)).toEqual(['stored', 'duplicate', 'refused', 'refused', 'stored']);
    expect(answer.outcomes[2]).toMatchObject({ status: 409, error: { code: 'conflict' } });
    expect(answer.outcomes[3]).toMatchObject({ status: 400, error: { code: 'bad_request', details: [{ path: 'user.text', message: 'must not be empty' }] } });

    expect(await storedMessages([fresh, sameConversation])).toBe(4);
    expect(await storedMessages([conflicting, invalid])).toBe(0);
    expect(await db().prediction.count({ where: { id: { in: turns.map((t) => t.prediction.id) } } })).toBe(3);
    // The earlier turn is still the one at its position, untouched.
    expect((await db().message.findUniqueOrThrow({ where: { id: earlier.user.id } })).seq).toBe(0);
    // One verification per turn stored by the batch.
    expect(verifications).toHaveLength(2);
  });

  it('stores a batch of new turns in one go and nothing twice when the batch is posted again', async () => {
    const conversation = randomUUID();
    const handoff = turn(conversation, 4);
    // A request for a person is not classified, so its turn carries no prediction.
    const turns = [turn(conversation, 0), turn(conversation, 2), turn(), { ...handoff, user: { ...handoff.user, parts: { kind: 'handoff-request' as const } }, prediction: undefined }];
    const first = await post({ turns });
    expect(((await first.response.json()) as TurnBatchAnswer).outcomes).toEqual(turns.map(() => ({ outcome: 'stored' })));
    expect(first.verifications).toHaveLength(3); // the turn without a prediction has nothing to verify

    const retried = await post({ turns });
    expect(((await retried.response.json()) as TurnBatchAnswer).outcomes).toEqual(turns.map(() => ({ outcome: 'duplicate' })));
    expect(retried.verifications).toHaveLength(0);
    expect(await storedMessages(turns)).toBe(8);
    expect(await db().message.count({ where: { conversationId: conversation } })).toBe(6);
    expect(await db().prediction.count({ where: { id: { in: turns.flatMap((t) => (t.prediction ? [t.prediction.id] : [])) } } })).toBe(3);
  });

  it('stores explanations posted with their turns, after the turns, one outcome each, and nothing twice on a retry', async () => {
    const [first, second] = [turn(), turn()];
    const known = turn();
    await storeTurnRecords([known]);
    const explained = (predictionId: string, ...methods: string[]) => ({ predictionId, explanations: methods.map((method) => explanation(method)) });
    const body = {
      turns: [first, second],
      explanations: [
        explained(first.prediction.id, 'occlusion', 'lime'),
        explained(randomUUID(), 'occlusion'),
        { predictionId: second.prediction.id, explanations: [{ method: 'lime' }] },
        explained(known.prediction.id, 'lime'),
      ],
    };
    const answer = (await (await post(body)).response.json()) as TurnBatchAnswer;
    expect(answer.outcomes).toEqual([{ outcome: 'stored' }, { outcome: 'stored' }]);
    expect(answer.explanationOutcomes!.map((o) => (o.outcome === 'refused' ? o.status : o))).toEqual([
      { outcome: 'stored', stored: 2, duplicates: 0 },
      404,
      400,
      { outcome: 'stored', stored: 1, duplicates: 0 },
    ]);

    const retried = (await (await post({ turns: [first], explanations: [explained(first.prediction.id, 'lime', 'occlusion')] })).response.json()) as TurnBatchAnswer;
    expect(retried.outcomes).toEqual([{ outcome: 'duplicate' }]);
    expect(retried.explanationOutcomes).toEqual([{ outcome: 'duplicate', stored: 0, duplicates: 2 }]);
    expect(await db().explanation.count({ where: { predictionId: first.prediction.id } })).toBe(2);
    expect(await db().explanation.count({ where: { predictionId: second.prediction.id } })).toBe(0);
    expect(await db().explanation.count({ where: { predictionId: known.prediction.id } })).toBe(1);
    const stored = await db().prediction.findUniqueOrThrow({ where: { id: first.prediction.id } });
    expect(stored.minFaithfulness).toBeCloseTo(0.4, 10);
  });

  it('takes a batch of explanations alone, and one prediction named twice in it', async () => {
    const known = turn();
    await storeTurnRecords([known]);
    const id = known.prediction.id;
    const answer = (await (await post({ turns: [], explanations: [{ predictionId: id, explanations: [explanation('lime')] }, { predictionId: id, explanations: [explanation('lime'), explanation('occlusion')] }] })).response.json()) as TurnBatchAnswer;
    expect(answer.outcomes).toEqual([]);
    expect(answer.explanationOutcomes).toEqual([
      { outcome: 'stored', stored: 1, duplicates: 0 },
      { outcome: 'stored', stored: 1, duplicates: 1 },
    ]);
    expect(await db().explanation.count({ where: { predictionId: id } })).toBe(2);
  });

  it('tells apart a turn posted twice in one batch and stores it once', async () => {
    const once = turn();
    const outcomes = await storeTurnRecords([once, once, turn()]);
    expect(outcomes).toEqual(['stored', 'duplicate', 'stored']);
    expect(await storedMessages([once])).toBe(2);
  });

  it('refuses a batch over its caps with a JSON 4xx and stores nothing', async () => {
    const padded = turn();
    const raw = JSON.stringify({ turns: [padded], padding: 'x'.repeat(MAX_TURN_BATCH_BYTES) });
    const tooLarge = await post(undefined, undefined, raw);
    expect(tooLarge.response.status).toBe(413);
    expect(((await tooLarge.response.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');

    const tooMany = Array.from({ length: MAX_TURNS_PER_BATCH + 1 }, () => turn());
    const refused = await post({ turns: tooMany });
    expect(refused.response.status).toBe(400);
    expect(((await refused.response.json()) as { error: { details: { path: string }[] } }).error.details[0]!.path).toBe('turns');

    for (const body of [{ turns: [] }, { turns: 'none' }]) expect((await post(body)).response.status).toBe(400);
    expect(await storedMessages([padded, ...tooMany])).toBe(0);
  });

  it('counts a batch against the rate limit by its records, storing what fits and refusing the rest with 429', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-06T12:00:15Z'));
    const { limit } = chatRateLimit();
    const address = '198.51.100.30';
    const full = Math.floor(limit / MAX_TURNS_PER_BATCH);
    for (let i = 0; i < full; i++) {
      const turns = Array.from({ length: MAX_TURNS_PER_BATCH }, () => turn());
      const answer = (await (await post({ turns }, address)).response.json()) as TurnBatchAnswer;
      expect(answer.outcomes.every((o) => o.outcome === 'stored')).toBe(true);
    }
    const left = limit - full * MAX_TURNS_PER_BATCH;
    const overflowing = Array.from({ length: MAX_TURNS_PER_BATCH }, () => turn());
    const { response } = await post({ turns: overflowing }, address);
    expect(response.status).toBe(200);
    expect(response.headers.get('retry-after')).toBe('45');
    const answer = (await response.json()) as TurnBatchAnswer;
    expect(answer.outcomes.filter((o) => o.outcome === 'stored')).toHaveLength(left);
    expect(answer.outcomes.slice(left)).toEqual(
      overflowing.slice(left).map(() => ({
        outcome: 'refused',
        status: 429,
        error: { code: 'rate_limited', message: 'Too many records from this address; try again in 45 seconds.', details: { retryAfterSeconds: 45 } },
      })),
    );
    expect(await storedMessages(overflowing.slice(0, left))).toBe(left * 2);
    expect(await storedMessages(overflowing.slice(left))).toBe(0);

    // The budget is spent: a single turn and a whole batch are refused, another client is served.
    expect((await post(turn(), address)).response.status).toBe(429);
    expect((await post({ turns: [turn(), turn()] }, address)).response.status).toBe(429);
    expect((await post({ turns: [turn(), turn()] }, '198.51.100.31')).response.status).toBe(200);
  });
});
