import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseLogQuery } from '@/lib/admin/filters';
import { db } from '@/lib/db/client';
import { listPredictions } from '@/lib/db/queries/admin';
import { overview } from '@/lib/db/queries/admin-overview';
import { storeTurnRecord, storeTurnRecords } from '@/lib/ingest/turns';
import { testProviders, withScratchDatabase } from '../support/databases';
import { classifiedTurn, classifierFacts, handoffRequestTurn } from '../support/turns';

const OUT_OF_SCOPE = classifierFacts().outOfScopeLabel!;

/** The demo bot's turn on a Chinese message: the model is confidently wrong (out of scope), the policy says it cannot read it. */
const chineseTurn = (conversationId: string, seq = 0) => classifiedTurn({ conversationId, seq, text: '我的卡丢了怎么办', intent: OUT_OF_SCOPE, confidence: 0.98 });


describe.each(testProviders)('a message the bot cannot read, on %s', (provider) => {
  withScratchDatabase(provider);

  it('is stored as its own decision and opens a hand-off with reason unreadable, which accepting the offer keeps', async () => {
    const conversationId = randomUUID();
    const turn = chineseTurn(conversationId);
    expect(turn.prediction.decision).toBe('unreadable');
    expect(turn.reply.text).toBe('I can only read English for now — shall I pass you to a person?');
    await storeTurnRecord(turn);
    const stored = await db().prediction.findUniqueOrThrow({ where: { id: turn.prediction.id } });
    expect(stored).toMatchObject({ decision: 'unreadable', intent: OUT_OF_SCOPE });
    let handoffs = await db().handoff.findMany({ where: { conversationId } });
    expect(handoffs).toHaveLength(1);
    expect(handoffs[0]).toMatchObject({ reason: 'unreadable', triggerMessageId: turn.user.id, status: 'waiting' });
    expect((handoffs[0]!.snapshot as { decision: string }).decision).toBe('unreadable');

    await storeTurnRecord(handoffRequestTurn(conversationId, 2));
    handoffs = await db().handoff.findMany({ where: { conversationId } });
    expect(handoffs).toHaveLength(1);
    expect(handoffs[0]!.reason).toBe('unreadable');
  });

  it('a request for a person posted with the unreadable turn in one batch opens the hand-off as unreadable', async () => {
    const conversationId = randomUUID();
    const turn = chineseTurn(conversationId);
    // The browser reported a reply that does not hand off (an older client): the request derives its reason from the stored decision.
    const quiet = { ...turn, reply: { ...turn.reply, parts: { kind: 'answer' as const, intent: OUT_OF_SCOPE } } };
    const outcomes = await storeTurnRecords([quiet, handoffRequestTurn(conversationId, 2)]);
    expect(outcomes).toEqual(['stored', 'stored']);
    const handoffs = await db().handoff.findMany({ where: { conversationId } });
    expect(handoffs.map((row) => ({ reason: row.reason, trigger: row.triggerMessageId }))).toEqual([{ reason: 'unreadable', trigger: turn.user.id }]);
  });

  it('the admin log filters on it, and the overview counts it apart from hand-offs', async () => {
    const conversationId = randomUUID();
    const unreadable = chineseTurn(conversationId);
    const outOfScope = classifiedTurn({ conversationId, seq: 2, text: 'what is the weather on mars', intent: OUT_OF_SCOPE, confidence: 0.98 });
    const answered = classifiedTurn({ conversationId, seq: 4, text: 'my card has not arrived', intent: 'card_arrival', confidence: 0.95 });
    expect(outOfScope.prediction.decision).toBe('handoff');
    await storeTurnRecords([unreadable, outOfScope, answered]);
    // The earlier tests' messages are in the same database: every unreadable one is listed, nothing else.
    const unreadableIds = (await db().prediction.findMany({ where: { decision: 'unreadable' }, select: { id: true } })).map((row) => row.id).sort();
    expect(unreadableIds).toHaveLength(3);
    const page = await listPredictions(parseLogQuery({ decision: 'unreadable' }));
    expect(page.rows.map((row) => row.id).sort()).toEqual(unreadableIds);
    expect(page.rows.every((row) => row.decision === 'unreadable')).toBe(true);
    expect((await listPredictions(parseLogQuery({ decision: 'handoff' }))).rows.map((row) => row.id)).toEqual([outOfScope.prediction.id]);
    const figures = await overview(new Date('2000-01-01T00:00:00Z'));
    expect(figures.decisions).toEqual([
      { decision: 'answer', count: 1 },
      { decision: 'clarify', count: 0 },
      { decision: 'handoff', count: 1 },
      { decision: 'unreadable', count: 3 },
    ]);
  });
});
