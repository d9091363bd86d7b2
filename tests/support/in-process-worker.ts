import type { WorkerLike } from '@/lib/chat/inference-client';
import { InferenceJobs } from '@/lib/chat/inference-jobs';
import type { WorkerEvent, WorkerRequest } from '@/lib/chat/protocol';
import type { IntentModel } from '@/lib/model/model';
import type { SimilarIndex } from '@/lib/model/similar';
import { classifierFacts, DEMO_BOT } from './turns';

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
    post({ type: 'ready', backend: 'wasm', adapter: null, note: null, model: classifierFacts(DEMO_BOT), loadMs: 0 });
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
