// The chat follows the model version the bot serves: before each message it asks the server
// (GET /api/bots/:bot/model) and, when the bot was moved to another version, loads that one in a
// worker of its own and answers with it. The workers run the worker's own request handling on the
// real demo model in this process (tests/support/in-process-worker); each answers `load` with the
// version it was asked for, so the version a prediction names is the one that was loaded.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBotContent } from '@/lib/bot/answers';
import { InferenceClient, type WorkerLike } from '@/lib/chat/inference-client';
import { MemoryOutboxStore, Outbox } from '@/lib/chat/outbox';
import type { WorkerEvent, WorkerRequest } from '@/lib/chat/protocol';
import { fetchServedVersion } from '@/lib/chat/served-version';
import { ChatSession, ModelReplaced, type ModelState } from '@/lib/chat/session';
import type { IntentModel } from '@/lib/model/model';
import { loadModelFromDir } from '@/lib/model/node';
import type { TurnRecord } from '@/lib/records/turn';
import { inProcessWorker } from '../support/in-process-worker';
import { DEMO_BOT } from '../support/turns';
import { askTyped } from '../support/chat-transport';
import { until } from '../support/until';

const FIRST = 'a'.repeat(64);
const SECOND = 'b'.repeat(64);
const THIRD = 'c'.repeat(64);

let model: IntentModel;
beforeAll(async () => {
  model = await loadModelFromDir(path.join(process.cwd(), 'public', 'models', DEMO_BOT));
});
afterAll(async () => {
  await model?.dispose();
});

/** A worker whose load fails, as a version whose files cannot be fetched does. */
function failingWorker(requests: WorkerRequest[]): WorkerLike {
  const worker: WorkerLike = {
    postMessage(request) {
      requests.push(request);
      if (request.type === 'load') queueMicrotask(() => worker.onmessage?.({ data: { type: 'load-error', message: 'model card: HTTP 404' } as WorkerEvent } as MessageEvent<WorkerEvent>));
    },
    onmessage: null,
    onerror: null,
    terminate() {},
  };
  return worker;
}

/**
 * A session whose server serves `served.version` (a 500 when it is 'error', no answer at all when
 * 'offline'); every worker it starts is logged with its requests and whether it was stopped.
 */
function sessionUnderTest() {
  const served = { version: FIRST as string };
  const modelChecks: { url: string; cache: RequestCache | undefined }[] = [];
  const posted: TurnRecord[] = [];
  const workers: { requests: WorkerRequest[]; terminated: boolean }[] = [];
  const fetchImpl = (async (url: string, init?: RequestInit) => {
    if (url.startsWith('/api/bots/')) {
      modelChecks.push({ url, cache: init?.cache });
      if (served.version === 'offline') throw new TypeError('Failed to fetch');
      if (served.version === 'error') return Response.json({ error: { code: 'internal' } }, { status: 500 });
      return Response.json({ botId: DEMO_BOT, version: served.version, url: `/models/${DEMO_BOT}/${served.version}/` });
    }
    if (url.startsWith('/api/conversations/')) return new Response(null, { status: 404 });
    if (url === '/api/turns') posted.push(JSON.parse(String(init!.body)) as TurnRecord);
    return Response.json({}, { status: 201 });
  }) as typeof fetch;
  const storage = new Map<string, string>();
  let nextLoadFails = false;
  const session = new ChatSession(loadBotContent(DEMO_BOT), {
    inference: () => {
      const entry = { requests: [] as WorkerRequest[], terminated: false };
      workers.push(entry);
      const failing = nextLoadFails;
      nextLoadFails = false;
      const inner = failing ? failingWorker(entry.requests) : inProcessWorker(model).worker;
      const logged: WorkerLike = {
        postMessage(request) {
          if (!failing) entry.requests.push(request);
          inner.postMessage(request);
        },
        set onmessage(handler) {
          inner.onmessage = handler;
        },
        get onmessage() {
          return inner.onmessage;
        },
        set onerror(handler) {
          inner.onerror = handler;
        },
        get onerror() {
          return inner.onerror;
        },
        terminate() {
          entry.terminated = true;
          inner.terminate();
        },
      };
      return new InferenceClient(logged);
    },
    outbox: new Outbox({ store: new MemoryOutboxStore(), fetch: fetchImpl }),
    storage: { getItem: (key) => storage.get(key) ?? null, setItem: (key, value) => void storage.set(key, value), removeItem: (key) => void storage.delete(key) },
    fetch: fetchImpl,
  });
  const models: ModelState[] = [];
  session.subscribe(() => {
    const now = session.getState().model;
    if (models.at(-1) !== now) models.push(now);
  });
  return { session, served, modelChecks, posted, workers, models, failNextLoad: () => (nextLoadFails = true) };
}


/** Asks through the session's transport; returns the reply's id and the version its prediction names. */
async function ask(session: ChatSession, text: string): Promise<{ replyId: string; modelVersion: string }> {
  const { replyId, prediction } = await askTyped(session, text);
  return { replyId, modelVersion: prediction.modelVersion };
}

const classified = (requests: WorkerRequest[]) => requests.filter((request) => request.type === 'classify').map((request) => (request as { text: string }).text);

describe('the chat on model versions', () => {
  it('loads the version the page names, asks before each message which one the bot serves, and moves to a promoted one before answering', async () => {
    const { session, served, modelChecks, posted, workers, models } = sessionUnderTest();
    session.resumeConversation();
    const stop = session.start({ runtimePath: '/ort/', device: 'wasm', version: FIRST });
    try {
      await until(session.subscribe, () => session.getState().model.status === 'ready', 'the model');
      expect(workers[0]!.requests[0]).toMatchObject({ type: 'load', bot: DEMO_BOT, version: FIRST });

      const first = await ask(session, 'my card has not arrived yet');
      expect(first.modelVersion).toBe(FIRST);
      expect(modelChecks).toEqual([{ url: `/api/bots/${DEMO_BOT}/model`, cache: 'no-store' }]);
      expect(workers).toHaveLength(1);

      // Promoted: the next message is answered by the new version, loaded first with its progress shown as an update.
      served.version = SECOND;
      models.length = 0;
      const second = await ask(session, 'how do I top up my account');
      expect(second.modelVersion).toBe(SECOND);
      expect(session.modelVersion).toBe(SECOND);
      expect(workers).toHaveLength(2);
      expect(workers[1]!.requests[0]).toMatchObject({ type: 'load', bot: DEMO_BOT, version: SECOND, runtimePath: '/ort/', device: 'wasm' });
      expect(classified(workers[0]!.requests)).toEqual(['my card has not arrived yet']);
      expect(classified(workers[1]!.requests)).toEqual(['how do I top up my account']);
      expect(workers[0]!.terminated).toBe(true);
      expect(models.map((state) => [state.status, state.status === 'loading' ? (state.update ?? false) : null])).toEqual([
        ['loading', true],
        ['loading', true],
        ['ready', null],
      ]);
      expect(models[1]).toMatchObject({ status: 'loading', progress: { loaded: 1, total: 2 }, update: true });

      // The first reply came from the version this page no longer runs: its explanation says so instead of using another model.
      await until(session.subscribe, () => session.explanationOf(first.replyId)?.status === 'failed', 'the first reply’s explanation to end');
      expect(session.explanationOf(first.replyId)).toEqual({ status: 'failed', error: new ModelReplaced().message });
      session.explain(first.replyId);
      expect(session.explanationOf(first.replyId)).toEqual({ status: 'failed', error: new ModelReplaced().message });
      // The second reply's is worked out by the version that answered it.
      await until(session.subscribe, () => session.explanationOf(second.replyId)?.status === 'ready', 'the second reply’s explanation');
      expect(workers[1]!.requests.some((request) => request.type === 'explain')).toBe(true);

      // The same version again: nothing is loaded.
      await ask(session, 'is there a fee for transfers');
      expect(workers).toHaveLength(2);
      await until(session.subscribe, () => posted.length === 3, 'the turns stored');
      expect(posted.map((turn) => turn.prediction?.modelVersion)).toEqual([FIRST, SECOND, SECOND]);
    } finally {
      stop();
    }
    expect(workers.every((worker) => worker.terminated)).toBe(true);
  });

  it('keeps the loaded version when the server cannot say which one it serves, or the new one does not load', async () => {
    const { session, served, workers, failNextLoad, models } = sessionUnderTest();
    session.resumeConversation();
    const stop = session.start({ runtimePath: '/ort/', device: 'wasm', version: FIRST });
    try {
      await until(session.subscribe, () => session.getState().model.status === 'ready', 'the model');
      served.version = 'error';
      expect((await ask(session, 'my card has not arrived yet')).modelVersion).toBe(FIRST);
      served.version = 'offline';
      expect((await ask(session, 'my card has not arrived yet')).modelVersion).toBe(FIRST);
      served.version = 'not a version';
      expect((await ask(session, 'my card has not arrived yet')).modelVersion).toBe(FIRST);
      expect(workers).toHaveLength(1);

      // A version whose files cannot be loaded: the loaded one answers, and is shown ready again.
      served.version = THIRD;
      failNextLoad();
      models.length = 0;
      expect((await ask(session, 'my card has not arrived yet')).modelVersion).toBe(FIRST);
      expect(workers).toHaveLength(2);
      expect(workers[1]!.requests).toEqual([expect.objectContaining({ type: 'load', version: THIRD })]);
      expect(workers[0]!.terminated).toBe(false);
      expect(models.at(-1)).toMatchObject({ status: 'ready', ready: { model: { version: FIRST } } });
      // Tried again on the next message.
      served.version = SECOND;
      expect((await ask(session, 'my card has not arrived yet')).modelVersion).toBe(SECOND);
    } finally {
      stop();
    }
  });

  it('says the assistant cannot start when the bot serves no version', () => {
    const { session, workers } = sessionUnderTest();
    const stop = session.start({ runtimePath: '/ort/', device: 'wasm', version: null });
    expect(session.getState().model).toEqual({ status: 'failed', message: 'No model version is served for this bot.' });
    expect(workers).toHaveLength(0);
    stop();
  });
});

describe('fetchServedVersion', () => {
  const answering = (response: () => Response | Promise<Response>) => (async () => response()) as unknown as typeof fetch;

  it('reads the version from the answer, and only a content hash', async () => {
    expect(await fetchServedVersion(DEMO_BOT, { fetch: answering(() => Response.json({ version: FIRST })) })).toBe(FIRST);
    expect(await fetchServedVersion(DEMO_BOT, { fetch: answering(() => Response.json({ version: FIRST.toUpperCase() })) })).toBeNull();
    expect(await fetchServedVersion(DEMO_BOT, { fetch: answering(() => Response.json({ version: 42 })) })).toBeNull();
    expect(await fetchServedVersion(DEMO_BOT, { fetch: answering(() => new Response('<html>', { status: 200 })) })).toBeNull();
    expect(await fetchServedVersion(DEMO_BOT, { fetch: answering(() => Response.json({ error: {} }, { status: 404 })) })).toBeNull();
  });

  it('gives up after its time', async () => {
    const never = ((_url: string, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)))) as unknown as typeof fetch;
    await expect(fetchServedVersion(DEMO_BOT, { fetch: never, timeoutMs: 20 })).rejects.toThrow();
  });
});
