import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { iterateTrainingExport } from '@/lib/admin/export';
import { createAdminUser, type AdminSessionInfo } from '@/lib/auth/admins';
import { db } from '@/lib/db/client';
import {
  agentConversation,
  claimHandoff,
  conversationUpdates,
  inbox,
  inboxCount,
  replyToConversation,
  resolveHandoff,
  restoreConversation,
} from '@/lib/ingest/handoff-service';
import { newTopicLabel } from '@/lib/handoff/rules';
import { ApiError } from '@/lib/http/errors';
import { storeTurnRecord, storeTurnRecords } from '@/lib/ingest/turns';
import type { TurnRecord } from '@/lib/records/turn';
import { activeBot } from '@/lib/verify/bots';
import { testProviders, withScratchDatabase } from '../support/databases';
import { classifiedTurn, classifierFacts, DEMO_BOT, handoffRequestTurn } from '../support/turns';

const OUT_OF_SCOPE = classifierFacts().outOfScopeLabel!;

/** The customer's turn that is out of scope: the policy hands off with reason out_of_scope. */
const outOfScopeTurn = (conversationId: string, seq = 0, text = 'what is the weather on mars') =>
  classifiedTurn({ conversationId, seq, text, intent: OUT_OF_SCOPE, confidence: 0.9 });


/** A turn while a person holds the conversation: classified, stored, the reply only a delivery note. */
function withAgentTurn(conversationId: string, seq: number, text: string): TurnRecord {
  const turn = classifiedTurn({ conversationId, seq, text });
  return { ...turn, reply: { ...turn.reply, text: 'Sent to the team.', parts: { kind: 'with-agent' } } };
}

async function account(email: string, role: 'admin' | 'agent'): Promise<AdminSessionInfo> {
  const { id } = await createAdminUser(email, 'a long enough password', role);
  return { user: { id, email, role }, sessionId: randomUUID(), csrfToken: 'csrf', expiresAt: new Date(Date.now() + 3_600_000) };
}

async function refusal(work: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await work;
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, code: error.code };
    throw error;
  }
  throw new Error('expected the operation to be refused');
}

const handoffRows = (conversationId: string) => db().handoff.findMany({ where: { conversationId }, orderBy: { createdAt: 'asc' } });
const statusOf = async (conversationId: string) => (await db().conversation.findUniqueOrThrow({ where: { id: conversationId } })).status;

describe.each(testProviders)('hand-off on %s', (provider) => {
  withScratchDatabase(provider);

  it('opens one hand-off with the bot’s evidence when an out-of-scope turn is stored; a request for a person updates its reason; a retry changes nothing', async () => {
    const conversationId = randomUUID();
    const first = outOfScopeTurn(conversationId, 0, 'write to me at jane.doe@example.com about mars');
    expect(first.reply.parts).toMatchObject({ kind: 'handoff', handoffReason: 'out_of_scope' });
    await storeTurnRecord(first);
    let rows = await handoffRows(conversationId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ reason: 'out_of_scope', status: 'waiting', triggerMessageId: first.user.id, openConversationId: conversationId, assigneeId: null });
    const snapshot = rows[0]!.snapshot as { text: string; intent: string; confidence: number; topK: { intent: string; probability: number }[]; predictionId: string };
    // The evidence is the message as stored: personal data masked.
    expect(snapshot.text).not.toContain('jane.doe');
    expect(snapshot.text).toBe((await db().message.findUniqueOrThrow({ where: { id: first.user.id } })).text);
    expect(snapshot).toMatchObject({ intent: OUT_OF_SCOPE, confidence: 0.9, predictionId: first.prediction.id });
    expect(snapshot.topK).toEqual(first.prediction.topK.slice(0, 5));
    expect(await statusOf(conversationId)).toBe('waiting');

    const request = handoffRequestTurn(conversationId, 2);
    await storeTurnRecord(request);
    expect(await storeTurnRecord(request)).toBe('duplicate');
    await storeTurnRecord(outOfScopeTurn(conversationId, 4));
    rows = await handoffRows(conversationId);
    expect(rows).toHaveLength(1);
    // The customer asked for a person: that reason wins; a later policy hand-off does not replace it.
    expect(rows[0]).toMatchObject({ reason: 'requested', triggerMessageId: first.user.id, status: 'waiting' });
  });

  it('a request for a person with no hand-off open is triggered by the latest classified message, in the same batch or stored before', async () => {
    const stored = randomUUID();
    const answered = classifiedTurn({ conversationId: stored, seq: 0, text: 'my card still has not come' });
    await storeTurnRecord(answered);
    expect(await statusOf(stored)).toBe('bot');
    await storeTurnRecord(handoffRequestTurn(stored, 2));
    expect(await handoffRows(stored)).toMatchObject([{ reason: 'requested', triggerMessageId: answered.user.id }]);
    expect((await handoffRows(stored))[0]!.snapshot).toMatchObject({ text: 'my card still has not come', intent: 'card_arrival' });

    const batched = randomUUID();
    const earlier = classifiedTurn({ conversationId: batched, seq: 0, text: 'first question' });
    const later = classifiedTurn({ conversationId: batched, seq: 2, text: 'second question' });
    expect(await storeTurnRecords([handoffRequestTurn(batched, 4), earlier, later])).toEqual(['stored', 'stored', 'stored']);
    expect(await handoffRows(batched)).toMatchObject([{ reason: 'requested', triggerMessageId: later.user.id }]);

    const bare = randomUUID();
    const only = handoffRequestTurn(bare, 0);
    await storeTurnRecord(only);
    expect(await handoffRows(bare)).toMatchObject([{ reason: 'requested', triggerMessageId: only.user.id, snapshot: { text: 'Talk to a person', predictionId: null, topK: [] } }]);
  });

  it('two agents claiming at once: exactly one wins, the other is told 409; replies and resolving follow the rules', async () => {
    const conversationId = randomUUID();
    await storeTurnRecord(outOfScopeTurn(conversationId));
    const [ana, ben, boss] = await Promise.all([account(`ana-${provider}@bank.example`, 'agent'), account(`ben-${provider}@bank.example`, 'agent'), account(`boss-${provider}@bank.example`, 'admin')]);

    // Before anyone claims: an agent may neither reply nor resolve.
    expect(await refusal(replyToConversation(conversationId, ana, 'hello'))).toEqual({ status: 409, code: 'conflict' });
    expect(await refusal(resolveHandoff(conversationId, ana, { resolution: 'not_support' }))).toEqual({ status: 409, code: 'conflict' });

    const results = await Promise.allSettled([claimHandoff(conversationId, ana), claimHandoff(conversationId, ben)]);
    const won = results.filter((result) => result.status === 'fulfilled');
    const lost = results.filter((result) => result.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ status: 409 });
    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof claimHandoff>>>).value.assignee!.id === ana.user.id ? ana : ben;
    const loser = winner === ana ? ben : ana;
    expect(await statusOf(conversationId)).toBe('assigned');
    const [row] = await handoffRows(conversationId);
    expect(row).toMatchObject({ status: 'assigned', assigneeId: winner.user.id });
    expect(row!.claimedAt).toBeInstanceOf(Date);

    // Claiming it again is harmless for the winner, a conflict for anyone else (an admin too).
    expect((await claimHandoff(conversationId, winner)).assignee!.id).toBe(winner.user.id);
    expect(await refusal(claimHandoff(conversationId, loser))).toEqual({ status: 409, code: 'conflict' });
    expect(await refusal(claimHandoff(conversationId, boss))).toEqual({ status: 409, code: 'conflict' });
    expect(await refusal(replyToConversation(conversationId, loser, 'me too'))).toEqual({ status: 403, code: 'forbidden' });
    expect(await refusal(resolveHandoff(conversationId, loser, { resolution: 'not_support' }))).toEqual({ status: 403, code: 'forbidden' });

    const reply = await replyToConversation(conversationId, winner, 'Hi, I am here. <b>not markup</b>');
    const note = await replyToConversation(conversationId, boss, 'An admin may step in.');
    expect(reply).toMatchObject({ text: 'Hi, I am here. <b>not markup</b>', author: { displayName: winner === ana ? 'Ana' : 'Ben' } });
    expect(note.author.displayName).toBe('Boss');
    expect(await db().agentMessage.count({ where: { conversationId } })).toBe(2);
  });

  it('the customer’s poll sees the status, the hand-off and the agent messages after a point; busy after the configured wait', async () => {
    const conversationId = randomUUID();
    const turn = outOfScopeTurn(conversationId);
    await storeTurnRecord(turn);
    const agent = await account(`cara-${provider}@bank.example`, 'agent');
    const opened = (await handoffRows(conversationId))[0]!.createdAt;

    let updates = await conversationUpdates(conversationId, null, new Date(opened.getTime() + 1000));
    expect(updates).toEqual({ status: 'waiting', handoff: { reason: 'out_of_scope', since: opened.toISOString(), claimedAt: null, busy: false }, agentMessages: [] });
    // HANDOFF_BUSY_AFTER_S defaults to 120 s.
    expect((await conversationUpdates(conversationId, null, new Date(opened.getTime() + 121_000))).handoff!.busy).toBe(true);

    await claimHandoff(conversationId, agent);
    const first = await replyToConversation(conversationId, agent, 'first');
    const second = await replyToConversation(conversationId, agent, 'second');
    updates = await conversationUpdates(conversationId, null);
    expect(updates.status).toBe('assigned');
    expect(updates.handoff).toMatchObject({ busy: false, claimedAt: expect.any(String) });
    expect(updates.agentMessages.map((message) => message.text)).toEqual(['first', 'second']);
    expect(updates.agentMessages[0]).toEqual({ id: first.id, text: 'first', createdAt: first.createdAt, author: { displayName: 'Cara' } });
    expect((await conversationUpdates(conversationId, { messageId: first.id })).agentMessages.map((message) => message.id)).toEqual([second.id]);
    expect((await conversationUpdates(conversationId, { messageId: second.id })).agentMessages).toEqual([]);
    expect((await conversationUpdates(conversationId, { time: new Date(new Date(first.createdAt).getTime() - 1) })).agentMessages).toHaveLength(2);
    expect(await refusal(conversationUpdates(conversationId, { messageId: randomUUID() }))).toEqual({ status: 404, code: 'not_found' });
    expect(await refusal(conversationUpdates(randomUUID(), null))).toEqual({ status: 404, code: 'not_found' });

    // The customer's turns while assigned are stored as posted; no second hand-off opens.
    await storeTurnRecord(withAgentTurn(conversationId, 2, 'thanks, it is about my card'));
    expect(await handoffRows(conversationId)).toHaveLength(1);
    const restored = await restoreConversation(conversationId);
    expect(restored.messages.map((message) => message.seq)).toEqual([0, 1, 2, 3]);
    expect(restored.agentMessages.map((message) => message.text)).toEqual(['first', 'second']);
    expect(restored).toMatchObject({ status: 'assigned', handoff: { reason: 'out_of_scope' } });
  });

  it('resolving labels the hand-off, masks a new topic’s name, gives the conversation back to the bot; the training export carries the label', async () => {
    const agent = await account(`dan-${provider}@bank.example`, 'agent');
    const labelled = async (text: string, resolution: Parameters<typeof resolveHandoff>[2]) => {
      const conversationId = randomUUID();
      await storeTurnRecord(outOfScopeTurn(conversationId, 0, text));
      await claimHandoff(conversationId, agent);
      return { conversationId, resolved: await resolveHandoff(conversationId, agent, resolution) };
    };
    const bad = randomUUID();
    await storeTurnRecord(outOfScopeTurn(bad));
    await claimHandoff(bad, agent);
    expect(await refusal(resolveHandoff(bad, agent, { resolution: 'intent', intent: 'not_an_intent' }))).toEqual({ status: 400, code: 'bad_request' });

    const asIntent = await labelled('the machine ate my card', { resolution: 'intent', intent: 'card_swallowed' });
    expect(asIntent.resolved).toMatchObject({ status: 'resolved', resolution: 'intent', resolutionIntent: 'card_swallowed', resolvedAt: expect.any(String) });
    expect(await statusOf(asIntent.conversationId)).toBe('bot');
    expect((await conversationUpdates(asIntent.conversationId, null)).handoff).toBeNull();
    const asTopic = await labelled('crypto wallet questions', { resolution: 'new_topic', topic: 'Crypto wallets, ask ops@bank.example' });
    expect(asTopic.resolved.resolutionTopic).not.toContain('ops@bank');
    expect(asTopic.resolved.resolutionTopic).toMatch(/^Crypto wallets, ask /);
    await labelled('hello lovely bot', { resolution: 'not_support' });
    // Resolved: nobody may act on it any more, and a later hand-off opens a new one.
    expect(await refusal(replyToConversation(asIntent.conversationId, agent, 'late'))).toEqual({ status: 409, code: 'conflict' });
    await storeTurnRecord(outOfScopeTurn(asIntent.conversationId, 2, 'and the weather on venus'));
    expect((await handoffRows(asIntent.conversationId)).map((row) => row.status)).toEqual(['resolved', 'waiting']);

    const exported: { text: string; intent: string }[] = [];
    for await (const row of iterateTrainingExport()) exported.push(row);
    expect(exported).toContainEqual({ text: 'the machine ate my card', intent: 'card_swallowed' });
    const topicLabel = newTopicLabel(asTopic.resolved.resolutionTopic!);
    expect(topicLabel).toMatch(/^new_topic\.crypto_wallets_ask_/);
    expect(exported).toContainEqual({ text: 'crypto wallet questions', intent: topicLabel });
    expect(exported).toContainEqual({ text: 'hello lovely bot', intent: (await activeBot(DEMO_BOT)).reviewOutOfScopeLabel });
    expect(exported.filter((row) => row.text === 'and the weather on venus')).toEqual([]);
  });

  it('the inbox lists waiting hand-offs oldest first with their wait, assigned and mine; the counts agree; the agent’s view has the transcript and the evidence', async () => {
    await db().handoff.deleteMany({ where: { status: { not: 'resolved' } } });
    const agent = await account(`eve-${provider}@bank.example`, 'agent');
    const other = await account(`fay-${provider}@bank.example`, 'agent');
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    // Texts without digit runs: a UUID's digits can read as a phone number, and the stored text is masked.
    const question = (index: number) => `question number ${['one', 'two', 'three'][index]}`;
    for (const [index, id] of ids.entries()) await storeTurnRecord(outOfScopeTurn(id, 0, question(index)));
    const base = Date.now() - 600_000;
    for (const [index, id] of ids.entries()) await db().handoff.updateMany({ where: { conversationId: id }, data: { createdAt: new Date(base + index * 60_000) } });
    await claimHandoff(ids[1]!, agent);
    await claimHandoff(ids[2]!, other);
    const now = new Date(base + 300_000);

    const waiting = await inbox({ status: 'waiting', page: 1 }, agent, now);
    expect(waiting.rows.map((row) => row.conversationId)).toEqual([ids[0]]);
    expect(waiting.rows[0]).toMatchObject({ waitSeconds: 300, reason: 'out_of_scope', triggerText: question(0), assignee: null, botId: DEMO_BOT });
    expect((await inbox({ status: 'assigned', page: 1 }, agent, now)).rows.map((row) => row.conversationId)).toEqual([ids[1], ids[2]]);
    expect((await inbox({ status: 'mine', page: 1 }, agent, now)).rows.map((row) => row.conversationId)).toEqual([ids[1]]);
    expect(await inboxCount(agent)).toEqual({ waiting: 1, mine: 1 });

    const view = await agentConversation(ids[1]!);
    expect(view.status).toBe('assigned');
    expect(view.messages.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(view.handoff).toMatchObject({ reason: 'out_of_scope', status: 'assigned', assignee: { id: agent.user.id }, snapshot: { text: question(1), intent: OUT_OF_SCOPE } });
    expect(view.handoffs).toHaveLength(1);
  });
});
