import { loadBotContent } from '@/lib/bot/answers';
import { InferenceClient, type WorkerLike } from '@/lib/chat/inference-client';
import { InferenceJobs } from '@/lib/chat/inference-jobs';
import { MemoryOutboxStore, Outbox } from '@/lib/chat/outbox';
import type { WorkerEvent, WorkerRequest } from '@/lib/chat/protocol';
import { ChatSession } from '@/lib/chat/session';
import type { IntentModel } from '@/lib/model/model';
import type { SimilarIndex } from '@/lib/model/similar';
import type { RestoredConversation } from '@/lib/records/turn';
import { classifierFacts, DEMO_BOT } from './turns';

/** The model version sessions under test load: the one `classifiedTurn`'s records name by default. */
export const TEST_MODEL_VERSION = 'test';

/**
 * The inference worker's request handling on `model`, in this process, behind a real
 * MessageChannel: the session's InferenceClient talks to it as to the browser's worker. Only the
 * model's loading is skipped (`load` answers with one progress event, then ready). Every request
 * and event is logged.
 */
export function inProcessWorker(model: IntentModel, similar: SimilarIndex | null = null) {
  const requests: WorkerRequest[] = [];
  const events: WorkerEvent[] = [];
  const { port1, port2 } = new MessageChannel();
  const post = (event: WorkerEvent) => {
    events.push(event);
    port2.postMessage(event);
  };
  const jobs = new InferenceJobs(model, Promise.resolve(similar), post);
  port2.onmessage = ({ data }: MessageEvent<WorkerRequest>) => {
    requests.push(data);
    if (data.type !== 'load') return void jobs.handle(data);
    post({ type: 'progress', loaded: 1, total: 2 });
    post({ type: 'ready', backend: 'wasm', adapter: null, note: null, model: { ...classifierFacts(DEMO_BOT), version: data.version }, loadMs: 0 });
  };
  const worker: WorkerLike = {
    postMessage: (request) => port1.postMessage(request),
    onmessage: null,
    onerror: null,
    terminate: () => {
      port1.close();
      port2.close();
    },
  };
  port1.onmessage = (message: MessageEvent<WorkerEvent>) => worker.onmessage?.(message);
  return { worker, requests, events };
}

/** A post the session's outbox made: where, and the explanations it carried. */
export type PostedExplanations<E = unknown> = { url: string; body: { explanations: E[] } };

/**
 * A chat session that restores `conversation` and runs on `worker`, with an in-memory outbox whose
 * posts are recorded (each answered 201) and its own storage.
 */
export async function restoredSessionOn<E = unknown>(worker: WorkerLike, conversation: RestoredConversation) {
  const posted: PostedExplanations<E>[] = [];
  const fetchImpl = (async (url: string, init?: RequestInit) => {
    if (url.includes('/updates')) return Response.json({ status: 'bot', handoff: null, agentMessages: [] });
    if (url.startsWith('/api/conversations/')) return Response.json(conversation);
    posted.push({ url, body: JSON.parse(String(init!.body)) });
    return Response.json({}, { status: 201 });
  }) as typeof fetch;
  const storage = new Map([[`glassdesk:conversation:${DEMO_BOT}`, conversation.id]]);
  const session = new ChatSession(loadBotContent(DEMO_BOT), {
    inference: () => new InferenceClient(worker),
    outbox: new Outbox({ store: new MemoryOutboxStore(), fetch: fetchImpl }),
    storage: { getItem: (key) => storage.get(key) ?? null, setItem: (key, value) => void storage.set(key, value), removeItem: (key) => void storage.delete(key) },
    fetch: fetchImpl,
    pollIntervalMs: 1000,
  });
  await session.restoreConversation();
  return { session, posted };
}
