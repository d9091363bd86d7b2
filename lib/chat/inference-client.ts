import type { ExplanationMethod } from '@/lib/explain/types';
import { tuningFrom, type DevicePreference, type ExplainOverrides, type WorkerEvent, type WorkerRequest } from './protocol';

export type ReadyEvent = Extract<WorkerEvent, { type: 'ready' }>;
export type LoadProgress = { loaded: number; total: number };

type Pending = { resolve(event: WorkerEvent): void; reject(error: Error): void; onProgress?: (event: ExplainProgress) => void };
export type ExplainProgress = { done: number; total: number; method: string };

/** What the client needs of a worker: a dedicated Worker in the page, a message port in tests. */
export type WorkerLike = {
  postMessage(request: WorkerRequest): void;
  onmessage: ((message: MessageEvent<WorkerEvent>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  terminate(): void;
};

const spawnWorker = () => new Worker(new URL('./inference.worker.ts', import.meta.url), { type: 'module', name: 'glassdesk-inference' });

/**
 * The chat's worker is started as soon as this module runs in a page, before React hydrates
 * and asks for it: fetching and compiling the worker's code (transformers.js and the runtime's
 * glue) then overlaps the page's own start. The first client takes it; later ones start their own.
 */
let earlyWorker: Worker | null = typeof window !== 'undefined' && typeof Worker !== 'undefined' ? spawnWorker() : null;

/** The main thread's handle on the inference worker: load once, then classify by promise. */
export class InferenceClient {
  private readonly worker: WorkerLike;
  private readonly pending = new Map<number, Pending>();
  private nextRequestId = 1;
  private loading: Promise<ReadyEvent> | null = null;
  private progressListener: ((progress: LoadProgress) => void) | null = null;

  constructor(worker?: WorkerLike) {
    if (worker) this.worker = worker;
    else {
      this.worker = earlyWorker ?? spawnWorker();
      earlyWorker = null;
    }
    this.worker.onmessage = (message: MessageEvent<WorkerEvent>) => this.receive(message.data);
    this.worker.onerror = (event) => this.failAll(new Error(event.message || 'The inference worker stopped.'));
  }

  /** Loads version `version` (a content hash) of the bot's model; a client loads one version once. */
  load(options: { bot: string; version: string; device: DevicePreference; runtimePath: string; onProgress?: (progress: LoadProgress) => void }): Promise<ReadyEvent> {
    this.progressListener = options.onProgress ?? null;
    this.loading ??= new Promise<ReadyEvent>((resolve, reject) => {
      this.pending.set(0, {
        resolve: (event) => (event.type === 'ready' ? resolve(event) : reject(new Error(event.type === 'load-error' ? event.message : 'load failed'))),
        reject,
      });
      const tuning = typeof location === 'undefined' ? {} : tuningFrom(location.search);
      this.send({ type: 'load', bot: options.bot, version: options.version, device: options.device, runtimePath: options.runtimePath, tuning });
    });
    return this.loading;
  }

  async classify(text: string): Promise<{ probabilities: number[]; latencyMs: number }> {
    const event = await this.request((requestId) => ({ type: 'classify', requestId, text }));
    if (event.type !== 'classified') throw new Error('unexpected answer from the inference worker');
    return event;
  }

  async predict(texts: string[]): Promise<{ probabilities: number[][]; latencyMs: number }> {
    const event = await this.request((requestId) => ({ type: 'predict', requestId, texts }));
    if (event.type !== 'predicted') throw new Error('unexpected answer from the inference worker');
    return event;
  }

  /**
   * Explains the model's decision on `text`. Aborting `signal` cancels the work in the worker
   * (what is queued is dropped, the rest stops before its next method) and rejects with the
   * signal's reason at once.
   */
  async explain(
    text: string,
    options: {
      target?: number;
      /** Another class: explain why `target` and not it (the contrastive methods only). */
      versus?: number;
      /** `text` is a stored message masked with this character (see the worker protocol's `explain`). */
      maskedWith?: string;
      /** Only these methods, without the panel's time budget (a method it dropped, asked for now). */
      onDemand?: ExplanationMethod[];
      overrides?: ExplainOverrides;
      onProgress?: (progress: ExplainProgress) => void;
      signal?: AbortSignal;
    } = {},
  ) {
    const event = await this.request(
      (requestId) => ({ type: 'explain', requestId, text, target: options.target, versus: options.versus, maskedWith: options.maskedWith, onDemand: options.onDemand, overrides: options.overrides }),
      options.onProgress,
      options.signal,
    );
    if (event.type !== 'explained') throw new Error('unexpected answer from the inference worker');
    return event;
  }

  terminate() {
    this.worker.terminate();
    this.failAll(new Error('The inference worker was stopped.'));
  }

  private request(build: (requestId: number) => WorkerRequest, onProgress?: (event: ExplainProgress) => void, signal?: AbortSignal): Promise<WorkerEvent> {
    const requestId = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const cancel = () => {
        if (!this.pending.delete(requestId)) return;
        this.send({ type: 'cancel', requestId });
        reject(signal!.reason);
      };
      const settle =
        <T>(done: (value: T) => void) =>
        (value: T) => {
          signal?.removeEventListener('abort', cancel);
          done(value);
        };
      this.pending.set(requestId, { resolve: settle(resolve), reject: settle(reject), onProgress });
      signal?.addEventListener('abort', cancel, { once: true });
      this.send(build(requestId));
    });
  }

  private send(request: WorkerRequest) {
    this.worker.postMessage(request);
  }

  private receive(event: WorkerEvent) {
    if (event.type === 'progress') {
      this.progressListener?.(event);
      return;
    }
    const requestId = event.type === 'ready' || event.type === 'load-error' ? 0 : event.requestId;
    const pending = this.pending.get(requestId);
    if (!pending) return;
    if (event.type === 'explain-progress') {
      pending.onProgress?.(event);
      return;
    }
    this.pending.delete(requestId);
    if (event.type === 'failed') pending.reject(new Error(event.message));
    else pending.resolve(event);
  }

  private failAll(error: Error) {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
