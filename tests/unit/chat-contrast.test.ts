// "Why this, and not that?" in the browser's runtime, on the real demo model: the worker's own
// request handling (lib/chat/inference-jobs) runs in this process behind a MessageChannel, so the
// real InferenceClient, explainers and outbox (in memory) take part; only the model's loading in a
// browser is stood in for. The chat's session works a contrast out on request and stores it; an
// operator's runner works one out on a stored, masked message, and the server's own fitting takes it.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redact } from '@/lib/bot/redact';
import type { ContrastState } from '@/lib/chat/contrast';
import { InferenceClient } from '@/lib/chat/inference-client';
import type { WorkerRequest } from '@/lib/chat/protocol';
import { StoredContrasts } from '@/lib/chat/stored-contrasts';
import { fitExplanation } from '@/lib/ingest/fit-explanation';
import type { IntentModel } from '@/lib/model/model';
import { loadModelFromDir } from '@/lib/model/node';
import { wordSpans } from '@/lib/model/spans';
import { versusOf } from '@/lib/records/explanation';
import type { RestoredConversation, RestoredMessage } from '@/lib/records/turn';
import { inProcessWorker, restoredSessionOn, TEST_MODEL_VERSION } from '../support/in-process-worker';
import { bundledFacts, classifiedTurn, DEMO_BOT } from '../support/turns';
import { until } from '../support/until';

const dir = path.join(process.cwd(), 'public', 'models', DEMO_BOT);
let model: IntentModel;

beforeAll(async () => {
  model = await loadModelFromDir(dir);
});
afterAll(async () => {
  await model?.dispose();
});



/** The model's answer to `text` and the intent it put second. */
async function answerAndRunnerUp(text: string) {
  const [probabilities] = await model.predict([text]);
  const ranked = model.labels.map((label, i) => ({ label, p: probabilities![i]! })).sort((a, b) => b.p - a.p);
  return { probabilities: probabilities!, answer: ranked[0]!.label, second: ranked[1]!.label, third: ranked[2]!.label };
}

/** A conversation of one classified turn as the server gives it back, with the explanations it stored for the reply. */
async function storedConversation(text: string, explanations: unknown[] = []) {
  const { probabilities, ...intents } = await answerAndRunnerUp(text);
  const turn = classifiedTurn({ text, probabilities });
  const createdAt = new Date().toISOString();
  const conversation: RestoredConversation = {
    id: turn.conversationId,
    botId: turn.botId,
    messages: [
      { id: turn.user.id, seq: 0, role: 'user', text, parts: turn.user.parts, prediction: null, feedback: null, createdAt },
      { id: turn.reply.id, seq: 1, role: 'assistant', text: turn.reply.text, parts: turn.reply.parts, prediction: turn.prediction, feedback: null, explanations: explanations as RestoredMessage['explanations'], createdAt },
    ],
  };
  return { conversation, replyId: turn.reply.id, predictionId: turn.prediction.id, ...intents };
}

/** A session that restores `conversation`, on the in-process worker, with an in-memory outbox whose posts are recorded. */
async function restoredSession(conversation: RestoredConversation) {
  const worker = inProcessWorker(model);
  return { ...(await restoredSessionOn(worker.worker, conversation)), requests: worker.requests };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
type Contrast = { method: string; target: { label: string }; words: { text: string; start: number; end: number }[]; scores: number[] | null; extra: { versus: string; change?: { removedWords: number[] } | null } };

describe('a contrast in the chat', () => {
  it('is worked out in the worker on request, even when asked before the model is ready, and stored once through the outbox', async () => {
    const text = 'my new card has still not arrived';
    const { conversation, replyId, predictionId, answer, second } = await storedConversation(text);
    const { session, posted, requests } = await restoredSession(conversation);
    const seen: (ContrastState['status'] | undefined)[] = [];
    session.subscribe(() => {
      const status = session.contrastsOf(replyId)?.[second]?.status;
      if (seen.at(-1) !== status) seen.push(status);
    });

    session.explainContrast(replyId, second);
    expect(session.contrastsOf(replyId)).toEqual({ [second]: { status: 'computing' } });
    const stop = session.start({ runtimePath: '/ort/', device: 'wasm', version: TEST_MODEL_VERSION });
    try {
      await until(session.subscribe, () => session.contrastsOf(replyId)?.[second]?.status === 'ready', 'the contrast');
      const state = session.contrastsOf(replyId)![second]!;
      const contrast = (state as Extract<ContrastState, { status: 'ready' }>).explanation as Contrast;
      expect(contrast.target.label).toBe(answer);
      expect(versusOf(contrast)).toBe(second);
      expect(contrast.words).toEqual(wordSpans(text, 'en'));
      // The answer's own explanation was not asked for: the contrast is not it.
      expect(session.explanationOf(replyId)).toBeUndefined();
      const asked = requests.filter((request): request is Extract<WorkerRequest, { type: 'explain' }> => request.type === 'explain');
      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatchObject({ text, target: model.labels.indexOf(answer), versus: model.labels.indexOf(second) });
      expect(seen).toEqual(['computing', 'ready']);

      // Asking again, or for a contrast under way, computes nothing more.
      session.explainContrast(replyId, second);
      await settle();
      expect(requests.filter((request) => request.type === 'explain')).toHaveLength(1);
      expect(posted).toEqual([{ url: `/api/predictions/${predictionId}/explanations`, body: { explanations: [contrast] } }]);
    } finally {
      stop();
    }
  });

  it('restores stored contrasts apart from the answer’s explanations, and asks the worker only for others', async () => {
    const text = 'I think someone stole my card';
    const first = await storedConversation(text);
    // The contrast the first visit stored.
    const firstVisit = await restoredSession(first.conversation);
    const stopFirst = firstVisit.session.start({ runtimePath: '/ort/', device: 'wasm', version: TEST_MODEL_VERSION });
    let stored: unknown;
    try {
      firstVisit.session.explainContrast(first.replyId, first.second);
      await until(firstVisit.session.subscribe, () => firstVisit.session.contrastsOf(first.replyId)?.[first.second]?.status === 'ready', 'the first contrast');
      stored = (firstVisit.session.contrastsOf(first.replyId)![first.second] as Extract<ContrastState, { status: 'ready' }>).explanation;
    } finally {
      stopFirst();
    }

    const conversation: RestoredConversation = { ...first.conversation, messages: first.conversation.messages.map((message) => (message.role === 'assistant' ? { ...message, explanations: [stored] as RestoredMessage['explanations'] } : message)) };
    const { session, requests, posted } = await restoredSession(conversation);
    expect(session.contrastsOf(first.replyId)).toEqual({ [first.second]: { status: 'ready', explanation: stored } });
    expect(session.explanationOf(first.replyId)).toBeUndefined();
    const stop = session.start({ runtimePath: '/ort/', device: 'wasm', version: TEST_MODEL_VERSION });
    try {
      await until(session.subscribe, () => session.getState().model.status === 'ready', 'the model');
      session.explainContrast(first.replyId, first.second);
      session.explainContrast(first.replyId, first.third);
      await until(session.subscribe, () => session.contrastsOf(first.replyId)?.[first.third]?.status === 'ready', 'the second contrast');
      const explained = requests.filter((request): request is Extract<WorkerRequest, { type: 'explain' }> => request.type === 'explain');
      expect(explained.map((request) => request.versus)).toEqual([model.labels.indexOf(first.third)]);
      await settle();
      expect(posted.map((post) => post.body.explanations.map((e) => versusOf(e as Contrast)))).toEqual([[first.third]]);
    } finally {
      stop();
    }
  });

  it('says in plain words why a contrast cannot be worked out, and drops those under way when the worker stops', async () => {
    const { conversation, replyId, answer, second } = await storedConversation('how do I change my PIN');
    const { session } = await restoredSession(conversation);
    const stop = session.start({ runtimePath: '/ort/', device: 'wasm', version: TEST_MODEL_VERSION });
    await until(session.subscribe, () => session.getState().model.status === 'ready', 'the model');
    session.explainContrast(replyId, 'teleport_my_card');
    session.explainContrast(replyId, answer);
    await until(session.subscribe, () => session.contrastsOf(replyId)?.[answer]?.status === 'failed', 'the refusals');
    expect(session.contrastsOf(replyId)).toEqual({
      teleport_my_card: { status: 'failed', error: '"teleport_my_card" is not an intent of the loaded model.' },
      [answer]: { status: 'failed', error: 'The answer cannot be compared with itself.' },
    });
    session.explainContrast(replyId, second);
    expect(session.contrastsOf(replyId)?.[second]).toEqual({ status: 'computing' });
    stop();
    // Stopped, not failed: asked again, it is worked out again.
    await until(session.subscribe, () => session.contrastsOf(replyId)?.[second] === undefined, 'the contrast dropped');
  });
});

describe('an operator’s contrast of a stored prediction', () => {
  it('runs the bot’s model on the masked message, cuts its words as the server does, and the server’s fitting takes it as it is', async () => {
    const typed = 'my card 4111 1111 1111 1111 never arrived, where is it';
    const storedText = redact(typed).text;
    expect(storedText).toContain('•••• •••• •••• 1111');
    const { answer, second } = await answerAndRunnerUp(storedText);
    const worker = inProcessWorker(model);
    const bot = bundledFacts();
    const fitted: unknown[] = [];
    const runner = new StoredContrasts({
      bot: DEMO_BOT,
      version: TEST_MODEL_VERSION,
      runtimePath: '/ort/',
      device: 'wasm',
      text: storedText,
      answer,
      inference: async () => new InferenceClient(worker.worker),
      // The server's own fitting (lib/ingest/fit-explanation), as the admin route applies it.
      store: async (explanation) => {
        const fit = fitExplanation(explanation as Parameters<typeof fitExplanation>[0], storedText, bot);
        if (!fit.ok) throw new Error(fit.problem);
        fitted.push(fit.explanation);
        return fit.explanation;
      },
    });
    const seen: string[] = [];
    runner.subscribe(() => {
      const state = runner.getState()[second];
      const label = state?.status === 'computing' ? (state.loadingModel ? 'loading' : 'computing') : state?.status === 'ready' ? `ready:${state.storing?.status}` : String(state?.status);
      if (seen.at(-1) !== label) seen.push(label);
    });
    runner.request(second);
    await until(runner.subscribe, () => runner.getState()[second]?.status === 'ready' && (runner.getState()[second] as { storing?: { status: string } }).storing?.status !== 'saving', 'the stored contrast');
    expect(runner.getState()[second]).toMatchObject({ status: 'ready', storing: { status: 'stored' } });
    expect(seen).toEqual(['loading', 'computing', 'ready:saving', 'ready:stored']);
    const [contrast] = fitted as Contrast[];
    expect(contrast!.target.label).toBe(answer);
    expect(versusOf(contrast!)).toBe(second);
    expect(contrast!.words.map((word) => word.text)).toEqual(['my', 'card', '••••', '••••', '••••', '1111', 'never', 'arrived', 'where', 'is', 'it']);
    expect(worker.requests.find((request) => request.type === 'explain')).toMatchObject({ text: storedText, maskedWith: '•' });

    // Worked out once: asking again shows it, and neither the model nor the server is asked again.
    runner.request(second);
    await settle();
    expect(worker.requests.filter((request) => request.type === 'explain')).toHaveLength(1);
    expect(worker.requests.filter((request) => request.type === 'load')).toHaveLength(1);
    expect(fitted).toHaveLength(1);
    runner.dispose();
  });
});
