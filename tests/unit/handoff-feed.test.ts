import { describe, expect, it } from 'vitest';
import { HandoffFeed, mergeAgentMessages, readUpdates, type AgentMessage, type ConversationUpdates, type HandoffState } from '@/lib/chat/handoff';
import { agentChatMessage, isTurnMessage, messageText, withTeamUpdates, type ChatMessage } from '@/lib/chat/messages';

const agent = (id: string, createdAt: string, text = `reply ${id}`): AgentMessage => ({ id, text, createdAt, author: { displayName: 'Sam' } });

/** Timers the test runs by hand: `runNext()` fires the earliest one. */
function manualTimers() {
  const pending: { fn: () => void; ms: number; handle: number }[] = [];
  let next = 1;
  return {
    pending,
    set: (fn: () => void, ms: number) => {
      pending.push({ fn, ms, handle: next });
      return next++;
    },
    clear: (handle: unknown) => {
      const index = pending.findIndex((timer) => timer.handle === handle);
      if (index >= 0) pending.splice(index, 1);
    },
    async runNext() {
      pending.sort((a, b) => a.ms - b.ms);
      const timer = pending.shift();
      if (!timer) throw new Error('no timer scheduled');
      timer.fn();
      // Let the poll's fetch and json settle.
      for (let i = 0; i < 10; i++) await Promise.resolve();
      return timer.ms;
    },
  };
}

/** A feed whose server answers from `answers` in order (a thrown entry is a network failure); requests are logged. */
function feedUnderTest(answers: (ConversationUpdates | 404 | Error)[], turnsWaiting = () => 0) {
  const timers = manualTimers();
  const requests: string[] = [];
  const states: HandoffState[] = [];
  const feed = new HandoffFeed({
    conversationId: () => 'c1',
    turnsWaiting,
    timers,
    intervalMs: 1500,
    onChange: (state) => states.push(state),
    fetch: (async (url: string) => {
      requests.push(url);
      const answer = answers.shift();
      if (answer === undefined) throw new Error('unexpected request');
      if (answer instanceof Error) throw answer;
      if (answer === 404) return new Response('{}', { status: 404 });
      return Response.json(answer);
    }) as typeof fetch,
  });
  return { feed, timers, requests, states };
}

const waiting: ConversationUpdates = { status: 'waiting', handoff: { reason: 'requested', since: '2026-01-01T10:00:00.000Z', claimedAt: null, busy: false }, agentMessages: [] };
const assigned = (messages: AgentMessage[] = []): ConversationUpdates => ({
  status: 'assigned',
  handoff: { reason: 'requested', since: '2026-01-01T10:00:00.000Z', claimedAt: '2026-01-01T10:01:00.000Z', busy: false },
  agentMessages: messages,
});
const back: ConversationUpdates = { status: 'bot', handoff: null, agentMessages: [] };

describe('the hand-off feed', () => {
  it('polls every 1.5 s while a hand-off is open, asks only for newer messages, and stops once the bot has it back', async () => {
    const { feed, timers, requests, states } = feedUnderTest([waiting, assigned([agent('a1', '2026-01-01T10:02:00.000Z')]), assigned([agent('a2', '2026-01-01T10:03:00.000Z')]), back]);
    feed.expect();
    expect(await timers.runNext()).toBe(0);
    expect(feed.getState().status).toBe('waiting');
    expect(await timers.runNext()).toBe(1500);
    expect(feed.getState().agentMessages.map((m) => m.id)).toEqual(['a1']);
    await timers.runNext();
    await timers.runNext();
    expect(requests).toEqual(['/api/conversations/c1/updates', '/api/conversations/c1/updates', '/api/conversations/c1/updates?after=a1', '/api/conversations/c1/updates?after=a2']);
    expect(feed.getState().status).toBe('bot');
    expect(feed.getState().agentMessages.map((m) => m.id)).toEqual(['a1', 'a2']);
    expect(timers.pending).toHaveLength(0);
    expect(feed.following).toBe(false);
    expect(states.map((s) => s.status)).toEqual(['waiting', 'assigned', 'assigned', 'bot']);
  });

  it('keeps asking while the hand-off turn still waits in the outbox, and gives up once nothing waits and the server says "bot"', async () => {
    let turnsWaiting = 1;
    const { feed, timers, requests } = feedUnderTest([404, back, back], () => turnsWaiting);
    feed.expect();
    await timers.runNext();
    await timers.runNext();
    expect(feed.following).toBe(true);
    turnsWaiting = 0;
    await timers.runNext();
    expect(requests).toHaveLength(3);
    expect(feed.following).toBe(false);
  });

  it('takes the state a restore returned at once, before its first poll', () => {
    const { feed, requests } = feedUnderTest([]);
    feed.know([agent('a1', '2026-01-01T10:02:00.000Z')], { status: 'assigned', handoff: assigned().handoff });
    expect(feed.getState()).toMatchObject({ status: 'assigned', handoff: { claimedAt: '2026-01-01T10:01:00.000Z' } });
    expect(feed.getState().agentMessages.map((m) => m.id)).toEqual(['a1']);
    expect(requests).toEqual([]);
  });

  it('after a restore, asks once and polls only if a hand-off is open', async () => {
    const { feed, timers, requests } = feedUnderTest([back]);
    feed.check();
    await timers.runNext();
    expect(requests).toHaveLength(1);
    expect(timers.pending).toHaveLength(0);
  });

  it('backs off while the server is unreachable, says so, and recovers', async () => {
    const { feed, timers } = feedUnderTest([waiting, new Error('offline'), new Error('offline'), assigned()]);
    feed.check();
    await timers.runNext();
    expect(await timers.runNext()).toBe(1500);
    expect(feed.getState().unreachable).toBe(true);
    expect(await timers.runNext()).toBe(3000);
    expect(await timers.runNext()).toBe(6000);
    expect(feed.getState()).toMatchObject({ status: 'assigned', unreachable: false });
    expect(timers.pending[0]!.ms).toBe(1500);
  });

  it('drops an answer that arrives after a new conversation started', async () => {
    let release: (response: Response) => void = () => {};
    const timers = manualTimers();
    const feed = new HandoffFeed({
      conversationId: () => 'c1',
      turnsWaiting: () => 0,
      timers,
      onChange: () => {},
      fetch: (() => new Promise<Response>((resolve) => (release = resolve))) as typeof fetch,
    });
    feed.check();
    await timers.runNext();
    feed.reset();
    release(Response.json(assigned([agent('a1', '2026-01-01T10:02:00.000Z')])));
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(feed.getState()).toEqual({ status: 'bot', handoff: null, agentMessages: [], unreachable: false });
    expect(timers.pending).toHaveLength(0);
  });
});

describe('reading the updates', () => {
  it('keeps what fits the contract and drops the rest', () => {
    expect(readUpdates({ status: 'nonsense' })).toBeNull();
    expect(readUpdates('<b>hi</b>')).toBeNull();
    const read = readUpdates({
      status: 'assigned',
      handoff: { reason: 'out_of_scope', since: 'x', claimedAt: 5, busy: 'yes' },
      agentMessages: [agent('a1', 't1'), { id: 1, text: 'no' }, { id: 'a2', text: '<img src=x onerror=alert(1)>', createdAt: 't2', author: null }],
    });
    expect(read).toEqual({
      status: 'assigned',
      handoff: { reason: 'out_of_scope', since: 'x', claimedAt: null, busy: false },
      agentMessages: [agent('a1', 't1'), { id: 'a2', text: '<img src=x onerror=alert(1)>', createdAt: 't2', author: { displayName: '' } }],
    });
  });

  it('merges messages once each, by time', () => {
    const known = [agent('b', '2026-01-01T10:02:00.000Z')];
    const merged = mergeAgentMessages(known, [agent('b', '2026-01-01T10:02:00.000Z'), agent('a', '2026-01-01T10:01:00.000Z'), agent('c', '2026-01-01T10:03:00.000Z')]);
    expect(merged.map((m) => m.id)).toEqual(['a', 'b', 'c']);
    expect(mergeAgentMessages(merged, [agent('a', 'x')])).toBe(merged);
  });
});

describe('the team in the conversation', () => {
  const restored = (id: string, role: 'user' | 'assistant', createdAt: string): ChatMessage => ({ id, role, metadata: { createdAt }, parts: [{ type: 'text', text: id }] });
  const live = (id: string): ChatMessage => ({ id, role: 'user', metadata: {}, parts: [{ type: 'text', text: id }] });

  it('places the joined notice and the messages by the server clock among restored messages, once', () => {
    const messages = [restored('u0', 'user', '2026-01-01T10:00:00.000Z'), restored('r0', 'assistant', '2026-01-01T10:00:00.100Z'), restored('u1', 'user', '2026-01-01T10:05:00.000Z')];
    const update = { agentMessages: [agent('a1', '2026-01-01T10:02:00.000Z')], claimedAt: '2026-01-01T10:01:00.000Z' };
    const merged = withTeamUpdates(messages, update, 'A person from the team has joined.');
    expect(merged.map((m) => m.id)).toEqual(['u0', 'r0', 'joined-2026-01-01T10:01:00.000Z', 'a1', 'u1']);
    expect(messageText(merged[2]!)).toBe('A person from the team has joined.');
    expect(withTeamUpdates(merged, update, 'A person from the team has joined.')).toBe(merged);
  });

  it('never places a new message before what this page showed since', () => {
    const messages = [restored('u0', 'user', '2026-01-01T10:00:00.000Z'), live('u1'), restored('r9', 'assistant', '2026-01-01T10:09:00.000Z')];
    const merged = withTeamUpdates(messages, { agentMessages: [agent('a1', '2026-01-01T10:02:00.000Z')], claimedAt: null }, '');
    expect(merged.map((m) => m.id)).toEqual(['u0', 'u1', 'a1', 'r9']);
  });

  it('keeps the team outside the turns numbering', () => {
    const messages = [live('u0'), agentChatMessage(agent('a1', 't')), live('u1')];
    expect(messages.filter(isTurnMessage).map((m) => m.id)).toEqual(['u0', 'u1']);
  });
});
