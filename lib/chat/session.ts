import type { BotContent } from '@/lib/bot/answers';
import type { Explanation } from '@/lib/explain/types';
import { InferenceClient, type ExplainProgress, type LoadProgress, type ReadyEvent } from './inference-client';
import { Outbox } from './outbox';
import type { DevicePreference } from './protocol';
import { InBrowserTransport } from './transport';

export type ModelState =
  | { status: 'loading'; progress: LoadProgress | null }
  | { status: 'ready'; ready: ReadyEvent }
  | { status: 'failed'; message: string };

const conversationKey = (bot: string) => `glassdesk:conversation:${bot}`;

/**
 * One visitor's chat with one bot, outside React: the inference worker, the transport that
 * answers in the browser, the outbox that stores records, and the conversation id.
 */
export class ChatSession {
  readonly outbox = new Outbox();
  readonly transport: InBrowserTransport;
  private client: InferenceClient | null = null;
  private ready: ReadyEvent | null = null;
  conversationId = '';

  constructor(readonly content: BotContent) {
    this.transport = new InBrowserTransport({
      content,
      conversationId: () => this.conversationId,
      inference: { classify: (text) => this.classify(text) },
      model: () => this.ready,
      onTurn: (turn) => void this.outbox.enqueue({ kind: 'turn', url: '/api/turns', method: 'POST', body: turn }),
    });
  }

  /** Starts the worker and loads the model; returns a function that stops it. */
  start(options: { runtimePath: string; device: DevicePreference; onState: (state: ModelState) => void }): () => void {
    const client = new InferenceClient();
    this.client = client;
    let stopped = false;
    client
      .load({
        bot: this.content.bot,
        runtimePath: options.runtimePath,
        device: options.device,
        onProgress: (progress) => !stopped && options.onState({ status: 'loading', progress }),
      })
      .then((ready) => {
        if (stopped) return;
        this.ready = ready;
        options.onState({ status: 'ready', ready });
        // For bench/browser: when the model became usable, on the page's own clock.
        performance.mark('glassdesk:model-ready', { detail: { backend: ready.backend, loadMs: ready.loadMs } });
        if (new URLSearchParams(window.location.search).has('bench')) {
          (window as Window & { glassdeskBench?: InferenceClient }).glassdeskBench = client;
        }
      })
      .catch((error: Error) => !stopped && options.onState({ status: 'failed', message: error.message }));
    return () => {
      stopped = true;
      client.terminate();
      if (this.client === client) this.client = null;
      this.ready = null;
    };
  }

  classify(text: string) {
    if (!this.client) throw new Error('The model is not loaded.');
    return this.client.classify(text);
  }

  /** This browser's conversation with the bot; `isNew` when there was none to restore. */
  resumeConversation(): { id: string; isNew: boolean } {
    const key = conversationKey(this.content.bot);
    const stored = window.localStorage.getItem(key);
    this.conversationId = stored ?? crypto.randomUUID();
    window.localStorage.setItem(key, this.conversationId);
    return { id: this.conversationId, isNew: !stored };
  }

  startNewConversation(): string {
    window.localStorage.removeItem(conversationKey(this.content.bot));
    return this.resumeConversation().id;
  }

  /**
   * Explains the model's decision on a message, then stores the explanations (the very
   * objects the panel shows) through the outbox.
   */
  async explain(text: string, prediction: { id: string; intent: string }, onProgress?: (progress: ExplainProgress) => void): Promise<Explanation[]> {
    if (!this.client || !this.ready) throw new Error('The model is not loaded.');
    const target = this.ready.model.labels.indexOf(prediction.intent);
    const { explanations } = await this.client.explain(text, { target: target >= 0 ? target : undefined, onProgress });
    // Stored after the panel has rendered: copying them into IndexedDB need not delay it.
    setTimeout(() => void this.outbox.enqueue({ kind: 'explanations', url: `/api/predictions/${prediction.id}/explanations`, method: 'POST', body: { explanations } }), 0);
    return explanations;
  }

  saveFeedback(messageId: string, helpful: boolean, comment?: string) {
    return this.outbox.enqueue({ kind: 'feedback', url: `/api/messages/${messageId}/feedback`, method: 'PUT', body: { id: crypto.randomUUID(), helpful, comment } });
  }
}
