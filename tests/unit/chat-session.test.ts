// The chat session's orchestration on the real demo model: the worker's own request handling
// (lib/chat/inference-jobs) runs in this process behind a MessageChannel, so the real
// InferenceClient, transport, explainers and outbox (in memory) take part. Only the model's
// loading in a browser is stood in for: the "worker" answers `load` from the model card.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBotContent } from '@/lib/bot/answers';
import { InferenceClient } from '@/lib/chat/inference-client';
import { MemoryOutboxStore, Outbox } from '@/lib/chat/outbox';
import type { ConversationUpdates } from '@/lib/chat/handoff';
import { agentChatMessage } from '@/lib/chat/messages';
import { ChatSession, type ExplainState } from '@/lib/chat/session';
import type { Explanation } from '@/lib/explain';
import type { IntentModel } from '@/lib/model/model';
import { loadModelFromDir, readSimilarIndex } from '@/lib/model/node';
import type { SimilarIndex } from '@/lib/model/similar';
import type { RestoredConversation, RestoredMessage, TurnRecord } from '@/lib/records/turn';
import { inProcessWorker, TEST_MODEL_VERSION } from '../support/in-process-worker';
import { DEMO_BOT } from '../support/turns';
import { askTyped, showInChat } from '../support/chat-transport';
import { until } from '../support/until';

const dir = path.join(process.cwd(), 'public', 'models', DEMO_BOT);
const METHODS = ['attention', 'counterfactual', 'lime', 'occlusion', 'rollout', 'similar'];
/** The methods explained, SHAP left aside: it runs only when its floor fits what the 400 ms budget leaves it. */
const methodsOf = (explanations: readonly { method: string }[]) => explanations.map((e) => e.method).filter((m) => m !== 'shap').sort();

let model: IntentModel;
let similar: SimilarIndex | null;

beforeAll(async () => {
  model = await loadModelFromDir(dir);
  similar = readSimilarIndex(dir, model.labels);
});
afterAll(async () => {
  await model?.dispose();
});


type Posted = { url: string; method: string; body: unknown };

/** A session on the in-process worker, an in-memory outbox whose posts are recorded, and its own storage. */
function sessionUnderTest(options: { restored?: RestoredConversation; storage?: Map<string, string>; updates?: () => ConversationUpdates } = {}) {
  const worker = inProcessWorker(model, similar);
  const posted: Posted[] = [];
  const polls: string[] = [];
  const fetchImpl = (async (url: string, init?: RequestInit) => {
    if (url.startsWith('/api/conversations/') && url.includes('/updates')) {
      polls.push(url);
      return Response.json(options.updates?.() ?? { status: 'bot', handoff: null, agentMessages: [] });
    }
    if (url.startsWith('/api/conversations/')) {
      return options.restored ? Response.json(options.restored) : new Response(null, { status: 404 });
    }
    posted.push({ url, method: init!.method!, body: JSON.parse(String(init!.body)) });
    return Response.json({}, { status: 201 });
  }) as typeof fetch;
  const storage = options.storage ?? new Map<string, string>();
  const session = new ChatSession(loadBotContent(DEMO_BOT), {
    inference: () => new InferenceClient(worker.worker),
    outbox: new Outbox({ store: new MemoryOutboxStore(), fetch: fetchImpl }),
    storage: { getItem: (key) => storage.get(key) ?? null, setItem: (key, value) => void storage.set(key, value), removeItem: (key) => void storage.delete(key) },
    fetch: fetchImpl,
    pollIntervalMs: 20,
  });
  // Every state each reply went through, in order.
  const history = new Map<string, (ExplainState | undefined)[]>();
  session.subscribe(() => {
    for (const replyId of new Set([...history.keys(), ...Object.keys(session.getState().explanations)])) {
      const seen = history.get(replyId) ?? [];
      const now = session.explanationOf(replyId);
      if (seen.at(-1) !== now) seen.push(now);
      history.set(replyId, seen);
    }
  });
  return { session, posted, polls, history, storage, ...worker };
}


async function started(session: ChatSession) {
  session.resumeConversation();
  const stop = session.start({ runtimePath: '/ort/', device: 'wasm', version: TEST_MODEL_VERSION });
  await until(session.subscribe, () => session.getState().model.status === 'ready', 'the model');
  return stop;
}

/** Each session's conversation so far, as useChat holds it. */
/** Asks through the session's transport; returns the reply's id, the intent and the prediction's id. */
async function ask(session: ChatSession, text: string): Promise<{ replyId: string; intent: string; predictionId: string }> {
  const { replyId, prediction } = await askTyped(session, text);
  return { replyId, intent: prediction.intent, predictionId: prediction.id };
}

const readyState = (session: ChatSession, replyId: string) => () => session.explanationOf(replyId)?.status === 'ready';
const explanationsOf = (session: ChatSession, replyId: string) => {
  const state = session.explanationOf(replyId);
  if (state?.status !== 'ready') throw new Error(`reply ${replyId} is ${state?.status ?? 'not explained'}`);
  return state.explanations;
};
const storedExplanations = (posted: Posted[], predictionId: string) =>
  posted.filter((post) => post.url === `/api/predictions/${predictionId}/explanations`).map((post) => (post.body as { explanations: Explanation[] }).explanations);
/** Lets the outbox finish what it started. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('the chat session', () => {
  it('follows a hand-off: polls once a hand-off turn is stored; while a person holds it the bot stays quiet, the message is classified and stored outside the team’s messages, and not explained', async () => {
    const since = '2026-01-01T10:00:00.000Z';
    let updates: ConversationUpdates = { status: 'waiting', handoff: { reason: 'out_of_scope', since, claimedAt: null, busy: false }, agentMessages: [] };
    const { session, posted, polls } = sessionUnderTest({ updates: () => updates });
    const stop = await started(session);
    try {
      const outOfScope = await ask(session, 'what will the weather be like in Paris tomorrow?');
      expect(outOfScope.intent).toBe('oos');
      await until(session.subscribe, () => session.getState().handoff.status === 'waiting', 'the hand-off to show as waiting');
      expect(polls[0]).toBe(`/api/conversations/${session.conversationId}/updates`);

      const agentMessage = { id: crypto.randomUUID(), text: 'Hello, this is Sam.', createdAt: '2026-01-01T10:01:30.000Z', author: { displayName: 'Sam' } };
      updates = { status: 'assigned', handoff: { reason: 'out_of_scope', since, claimedAt: '2026-01-01T10:01:00.000Z', busy: false }, agentMessages: [agentMessage] };
      await until(session.subscribe, () => session.getState().handoff.agentMessages.length === 1, 'the agent’s message');
      expect(session.getState().handoff.status).toBe('assigned');
      // The chat shows the team's message among the turns.
      showInChat(session, agentChatMessage(agentMessage));

      const text = 'my new card still has not arrived';
      const held = await ask(session, text);
      expect(held.intent).toBe('card_arrival');
      await settle();
      const turns = posted.filter((post) => post.url === '/api/turns').map((post) => post.body as TurnRecord);
      const last = turns.at(-1)!;
      expect(last.reply).toMatchObject({ seq: 3, text: 'Sent to the team.', parts: { kind: 'with-agent' } });
      expect(last.user).toMatchObject({ seq: 2, text });
      expect(last.prediction?.intent).toBe('card_arrival');
      expect(session.explanationOf(held.replyId)).toBeUndefined();
      expect(posted.filter((post) => post.url.startsWith(`/api/predictions/${held.predictionId}/`))).toEqual([]);
      // Polls after the first ask only for what is newer than the message it has.
      expect(polls.at(-1)).toBe(`/api/conversations/${session.conversationId}/updates?after=${agentMessage.id}`);

      updates = { status: 'bot', handoff: null, agentMessages: [] };
      await until(session.subscribe, () => session.getState().handoff.status === 'bot', 'the conversation back with the bot');
      const count = polls.length;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(polls.length).toBe(count);
      expect(session.handoffFeed.following).toBe(false);
    } finally {
      stop();
      session.handoffFeed.stop();
    }
  });

  it('explains a classified reply without being asked, with progress, and stores exactly what its state shows', async () => {
    const { session, posted, history, requests } = sessionUnderTest();
    const stop = await started(session);
    try {
      const text = 'my new card still has not arrived';
      const { replyId, intent, predictionId } = await ask(session, text);
      expect(session.explanationOf(replyId)?.status).toBe('computing');
      await until(session.subscribe, readyState(session, replyId), 'the explanation');
      const explanations = explanationsOf(session, replyId);
      expect(methodsOf(explanations)).toEqual(METHODS);
      for (const e of explanations) {
        expect(e.target.label).toBe(intent);
        expect(e.words.map((w) => w.text).join(' ')).toBe(text);
      }
      const progress = history.get(replyId)!.flatMap((state) => (state?.status === 'computing' && state.progress ? [state.progress.done] : []));
      // Every method, SHAP included when the budget drops it.
      expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(history.get(replyId)!.at(-1)?.status).toBe('ready');

      await settle();
      const turns = posted.filter((post) => post.url === '/api/turns').map((post) => post.body as TurnRecord);
      expect(turns.map((turn) => [turn.reply.id, turn.user.text, turn.prediction?.id])).toEqual([[replyId, text, predictionId]]);
      expect(storedExplanations(posted, predictionId)).toEqual([explanations]);
      expect(requests.filter((request) => request.type === 'cancel')).toEqual([]);
    } finally {
      stop();
    }
  });

  it('a newer message cancels the older reply’s explanation, never shown as failed, and explains it when its panel opens', async () => {
    const { session, posted, history, requests, events } = sessionUnderTest();
    const stop = await started(session);
    try {
      const older = await ask(session, 'I forgot my PIN and now it is blocked');
      expect(session.explanationOf(older.replyId)?.status).toBe('computing');
      const newer = await ask(session, 'can I use Apple Pay with this account');
      await until(session.subscribe, readyState(session, newer.replyId), 'the newer explanation');

      // The older one went back to "not explained": cancelled in the worker, with nothing sent back for it.
      expect(session.explanationOf(older.replyId)).toBeUndefined();
      expect(history.get(older.replyId)!.some((state) => state?.status === 'failed')).toBe(false);
      const olderRequest = requests.find((request) => request.type === 'explain' && request.text === 'I forgot my PIN and now it is blocked')!;
      expect(requests).toContainEqual({ type: 'cancel', requestId: (olderRequest as { requestId: number }).requestId });
      expect(events.filter((event) => 'requestId' in event && event.requestId === (olderRequest as { requestId: number }).requestId && event.type !== 'explain-progress')).toEqual([]);
      await settle();
      expect(storedExplanations(posted, older.predictionId)).toEqual([]);
      expect(storedExplanations(posted, newer.predictionId)).toEqual([explanationsOf(session, newer.replyId)]);

      // Its panel opens: explained on demand, for its own intent, stored once.
      session.explain(older.replyId);
      expect(session.explanationOf(older.replyId)?.status).toBe('computing');
      await until(session.subscribe, readyState(session, older.replyId), 'the older explanation');
      const explanations = explanationsOf(session, older.replyId);
      expect(methodsOf(explanations)).toEqual(METHODS);
      expect(explanations.every((e) => e.target.label === older.intent)).toBe(true);
      // Asking again once it is there computes nothing more.
      session.explain(older.replyId);
      expect(session.explanationOf(older.replyId)).toEqual({ status: 'ready', explanations });
      await settle();
      expect(storedExplanations(posted, older.predictionId)).toEqual([explanations]);
      expect(requests.filter((request) => request.type === 'explain')).toHaveLength(3);
    } finally {
      stop();
    }
  });

  it('a reply whose panel is open is not cancelled by a newer message', async () => {
    const { session, posted, requests } = sessionUnderTest();
    const stop = await started(session);
    try {
      const watched = await ask(session, 'the exchange rate on my payment looks wrong');
      session.explain(watched.replyId);
      const newer = await ask(session, 'my top up has been pending for hours');
      await until(session.subscribe, () => readyState(session, watched.replyId)() && readyState(session, newer.replyId)(), 'both explanations');
      expect(requests.filter((request) => request.type === 'cancel')).toEqual([]);
      expect(requests.filter((request) => request.type === 'explain')).toHaveLength(2);
      await settle();
      expect(storedExplanations(posted, watched.predictionId)).toEqual([explanationsOf(session, watched.replyId)]);
      expect(storedExplanations(posted, newer.predictionId)).toEqual([explanationsOf(session, newer.replyId)]);
    } finally {
      stop();
    }
  });

  it('restores an earlier visit: stored explanations show as they were, the others are explained when their panel opens, even before the model is ready', async () => {
    // A first visit: two turns, only the first one's explanations stored.
    const first = sessionUnderTest();
    const stopFirst = await started(first.session);
    let conversation: RestoredConversation;
    let firstExplanations: readonly Explanation[];
    let withoutStored: { replyId: string; intent: string; predictionId: string };
    try {
      const explained = await ask(first.session, 'how do I change my PIN');
      await until(first.session.subscribe, readyState(first.session, explained.replyId), 'the first explanation');
      firstExplanations = explanationsOf(first.session, explained.replyId);
      withoutStored = await ask(first.session, 'I want to close my account');
      await settle();
      const turns = first.posted.filter((post) => post.url === '/api/turns').map((post) => post.body as TurnRecord);
      expect(turns).toHaveLength(2);
      conversation = restoredFrom(turns, { [explained.replyId]: storedExplanations(first.posted, explained.predictionId)[0]! });
    } finally {
      stopFirst();
    }

    // The second visit, same browser storage: restored before the model has loaded.
    const second = sessionUnderTest({ restored: conversation, storage: first.storage });
    const messages = await second.session.restoreConversation();
    expect(second.session.conversationId).toBe(conversation.id);
    expect(messages.map((message) => message.id)).toEqual(conversation.messages.map((message) => message.id));
    const [, firstReply, , secondReply] = conversation.messages as [RestoredMessage, RestoredMessage, RestoredMessage, RestoredMessage];
    expect(second.session.explanationOf(firstReply.id)).toEqual({ status: 'ready', explanations: firstExplanations });
    expect(second.session.explanationOf(secondReply.id)).toBeUndefined();

    second.session.explain(secondReply.id);
    expect(second.session.explanationOf(secondReply.id)).toEqual({ status: 'computing', progress: null });
    const stop = await started(second.session);
    try {
      await until(second.session.subscribe, readyState(second.session, secondReply.id), 'the restored reply’s explanation');
      const explanations = explanationsOf(second.session, secondReply.id);
      expect(explanations.every((e) => e.target.label === withoutStored.intent && e.words.map((w) => w.text).join(' ') === 'I want to close my account')).toBe(true);
      await settle();
      expect(storedExplanations(second.posted, withoutStored.predictionId)).toEqual([explanations]);
      // Nothing is stored again for the reply whose explanations came back with it.
      expect(second.posted.filter((post) => post.url.endsWith('/explanations'))).toHaveLength(1);
      expect(second.requests.filter((request) => request.type === 'explain')).toHaveLength(1);
    } finally {
      stop();
    }
  });
});

/** The conversation as the server gives it back for the turns posted, with the explanations it stored. */
function restoredFrom(turns: TurnRecord[], explanations: Record<string, Explanation[]>): RestoredConversation {
  const createdAt = new Date().toISOString();
  return {
    id: turns[0]!.conversationId,
    botId: turns[0]!.botId,
    messages: turns.flatMap((turn): RestoredMessage[] => [
      { id: turn.user.id, seq: turn.user.seq, role: 'user', text: turn.user.text, parts: turn.user.parts, prediction: null, feedback: null, createdAt },
      {
        id: turn.reply.id,
        seq: turn.reply.seq,
        role: 'assistant',
        text: turn.reply.text,
        parts: turn.reply.parts,
        prediction: turn.prediction ?? null,
        feedback: null,
        ...(explanations[turn.reply.id] ? { explanations: explanations[turn.reply.id] as RestoredMessage['explanations'] } : {}),
        createdAt,
      },
    ]),
  };
}
