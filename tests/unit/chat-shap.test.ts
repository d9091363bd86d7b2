// SHAP when the panel's time budget drops it, on the real demo model: the worker's own request
// handling (lib/chat/inference-jobs) runs in this process behind a MessageChannel, so the real
// InferenceClient, explainers and outbox (in memory) take part; only the model's loading in a
// browser is stood in for. Whether SHAP fits the 400 ms depends on the device, so the model runs
// here as on a slower one (each text of a forward pass costs 2 ms more) while the reply is
// explained: SHAP's floor of 400 coalitions then cannot fit, whatever this machine's speed.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerEvent, WorkerRequest } from '@/lib/chat/protocol';
import { ChatSession } from '@/lib/chat/session';
import type { SkippedState } from '@/lib/chat/skipped';
import { shapExplainer, type Explanation } from '@/lib/explain';
import type { IntentModel } from '@/lib/model/model';
import { loadModelFromDir } from '@/lib/model/node';
import { wordSpans } from '@/lib/model/spans';
import type { RestoredConversation } from '@/lib/records/turn';
import { inProcessWorker, restoredSessionOn, TEST_MODEL_VERSION } from '../support/in-process-worker';
import { classifiedTurn, DEMO_BOT } from '../support/turns';
import { until } from '../support/until';

const dir = path.join(process.cwd(), 'public', 'models', DEMO_BOT);
/** More than 10 words: SHAP samples (its floor is 400 coalitions, not the 2^n of a short message). */
const TEXT = 'I ordered a new debit card three weeks ago and it has still not arrived at my home address';

let model: IntentModel;

beforeAll(async () => {
  model = await loadModelFromDir(dir);
});
afterAll(async () => {
  await model?.dispose();
});

/** The demo model as on a slower device while `slow.on`: every text of a forward pass costs `msPerText` more. */
function onSlowerDevice(real: IntentModel, slow: { on: boolean; msPerText: number }): IntentModel {
  const predict: IntentModel['predict'] = async (texts) => {
    if (slow.on) await new Promise((resolve) => setTimeout(resolve, texts.length * slow.msPerText));
    return real.predict(texts);
  };
  return Object.create(real, { predict: { value: predict } }) as IntentModel;
}




/**
 * A session that restored a conversation of one classified turn on `TEXT` with nothing stored for
 * it (its panel explains it when opened), on the in-process worker, with its posts recorded.
 */
async function sessionWithReply(workerModel: IntentModel) {
  const [probabilities] = await model.predict([TEXT]);
  const turn = classifiedTurn({ text: TEXT, probabilities: probabilities! });
  const createdAt = new Date().toISOString();
  const conversation: RestoredConversation = {
    id: turn.conversationId,
    botId: turn.botId,
    messages: [
      { id: turn.user.id, seq: 0, role: 'user', text: TEXT, parts: turn.user.parts, prediction: null, feedback: null, createdAt },
      { id: turn.reply.id, seq: 1, role: 'assistant', text: turn.reply.text, parts: turn.reply.parts, prediction: turn.prediction, feedback: null, createdAt },
    ],
  };
  const worker = inProcessWorker(workerModel);
  const { session, posted } = await restoredSessionOn<Explanation>(worker.worker, conversation);
  const stop = session.start({ runtimePath: '/ort/', device: 'wasm', version: TEST_MODEL_VERSION });
  await until(session.subscribe, () => session.getState().model.status === 'ready', 'the model');
  return { session, stop, posted, replyId: turn.reply.id, predictionId: turn.prediction.id, intent: turn.prediction.intent, ...worker };
}

const explanationsOf = (session: ChatSession, replyId: string) => {
  const state = session.explanationOf(replyId);
  if (state?.status !== 'ready') throw new Error(`reply ${replyId} is ${state?.status ?? 'not explained'}`);
  return state.explanations;
};
const explainRequests = (requests: WorkerRequest[]) => requests.filter((request): request is Extract<WorkerRequest, { type: 'explain' }> => request.type === 'explain');
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('SHAP dropped by the panel’s time budget', () => {
  it('is kept as dropped, then computed on request alone and without the budget, added to the reply’s explanations and stored', async () => {
    const slow = { on: true, msPerText: 2 };
    const { session, stop, posted, requests, events, replyId, predictionId, intent } = await sessionWithReply(onSlowerDevice(model, slow));
    try {
      session.explain(replyId);
      await until(session.subscribe, () => session.explanationOf(replyId)?.status === 'ready', 'the reply’s explanation');
      const first = explanationsOf(session, replyId);
      expect(first.map((explanation) => explanation.method)).not.toContain('shap');
      expect(first.map((explanation) => explanation.method)).toContain('lime');
      const dropped: SkippedState[] = [{ method: 'shap', reason: 'time budget' }];
      expect(session.skippedOf(replyId)).toEqual(dropped);
      // What the worker said is what the session keeps.
      const explained = events.find((event): event is Extract<WorkerEvent, { type: 'explained' }> => event.type === 'explained')!;
      expect(explained.skipped).toEqual(dropped);
      await settle();
      expect(posted).toEqual([{ url: `/api/predictions/${predictionId}/explanations`, body: { explanations: first } }]);

      // The reader asks for it: computing, then among the explanations and no longer dropped.
      slow.on = false;
      const runs: (string | undefined)[] = [];
      session.subscribe(() => {
        const run = session.skippedOf(replyId)?.[0]?.run?.status ?? (session.skippedOf(replyId) ? 'dropped' : 'gone');
        if (runs.at(-1) !== run) runs.push(run);
      });
      session.explainSkipped(replyId, 'shap');
      expect(session.skippedOf(replyId)).toEqual([{ method: 'shap', reason: 'time budget', run: { status: 'computing', progress: null } }]);
      await until(session.subscribe, () => session.skippedOf(replyId) === undefined, 'SHAP on request');
      expect(runs.at(-1)).toBe('gone');
      expect(runs).not.toContain('failed');

      const now = explanationsOf(session, replyId);
      expect(now.slice(0, first.length)).toEqual(first);
      const shap = now.at(-1)!;
      expect(now).toHaveLength(first.length + 1);
      expect(shap.method).toBe('shap');
      expect(shap.target.label).toBe(intent);
      expect(shap.words).toEqual(wordSpans(TEXT, 'en'));
      expect(shap.scores).toHaveLength(shap.words.length);
      // It scores words, so it has its faithfulness like the others; it kept its own budget, not a share of the panel's.
      expect(shap.faithfulness?.meanComprehensiveness).toEqual(expect.any(Number));
      expect((shap.settings as { timeBudgetMs?: unknown }).timeBudgetMs).toBe(shapExplainer.defaults.timeBudgetMs);
      const extra = shap.extra as { baseValue: number; fx: number; samples: number; exact: boolean };
      expect(extra.exact).toBe(false);
      expect(extra.samples).toBeGreaterThanOrEqual(shapExplainer.defaults.minSamples);
      // Additivity: the values sum to f(x) − f(∅).
      expect(shap.scores!.reduce((sum, score) => sum + score, 0)).toBeCloseTo(extra.fx - extra.baseValue, 6);

      // The worker was asked for SHAP alone, on demand, and ran nothing else.
      const asked = explainRequests(requests);
      expect(asked).toHaveLength(2);
      expect(asked[1]).toMatchObject({ text: TEXT, target: model.labels.indexOf(intent), onDemand: ['shap'] });
      expect(asked[1]!.versus).toBeUndefined();
      const answered = events.filter((event): event is Extract<WorkerEvent, { type: 'explained' }> => event.type === 'explained' && event.requestId === asked[1]!.requestId);
      expect(answered.map((event) => event.explanations.map((explanation) => explanation.method))).toEqual([['shap']]);
      expect(answered[0]!.skipped).toEqual([]);

      // Stored through the outbox like every explanation: SHAP alone, for the same prediction.
      await settle();
      expect(posted).toHaveLength(2);
      expect(posted[1]).toEqual({ url: `/api/predictions/${predictionId}/explanations`, body: { explanations: [shap] } });

      // Asked again once it is there: nothing more is computed or stored.
      session.explainSkipped(replyId, 'shap');
      await settle();
      expect(explainRequests(requests)).toHaveLength(2);
      expect(posted).toHaveLength(2);
    } finally {
      stop();
    }
  });

  it('a request stopped with the worker is not failed: the method is offered as dropped again', async () => {
    const slow = { on: true, msPerText: 2 };
    const { session, stop, replyId, requests } = await sessionWithReply(onSlowerDevice(model, slow));
    let stopped = false;
    try {
      session.explain(replyId);
      await until(session.subscribe, () => session.explanationOf(replyId)?.status === 'ready', 'the reply’s explanation');
      expect(session.skippedOf(replyId)).toEqual([{ method: 'shap', reason: 'time budget' }]);
      session.explainSkipped(replyId, 'shap');
      expect(session.skippedOf(replyId)?.[0]?.run).toEqual({ status: 'computing', progress: null });
      // Asking twice while it is under way asks the worker once (still slow: it is under way for seconds).
      session.explainSkipped(replyId, 'shap');
      await settle();
      expect(explainRequests(requests).filter((request) => request.onDemand)).toHaveLength(1);
      stop();
      stopped = true;
      await until(session.subscribe, () => session.skippedOf(replyId)?.[0]?.run === undefined, 'the request dropped');
      expect(session.skippedOf(replyId)).toEqual([{ method: 'shap', reason: 'time budget' }]);
      expect(explanationsOf(session, replyId).map((explanation) => explanation.method)).not.toContain('shap');
    } finally {
      if (!stopped) stop();
    }
  });
});
