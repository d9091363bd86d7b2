// "Why this, and not that?" for a stored prediction, asked by an operator: worked out in the
// operator's browser by the bot's own model, with the chat's inference worker, on the message as
// stored (personal data masked), and stored through the admin API.
import { MASK } from '@/lib/bot/redact';
import { computeContrast, type ContrastState, type ContrastStates } from './contrast';
import type { InferenceClient, ReadyEvent } from './inference-client';
import type { DevicePreference } from './protocol';
import { fetchServedVersion } from './served-version';

/** What the operator's page needs of the inference worker's client. */
export type ContrastEngine = Pick<InferenceClient, 'load' | 'explain' | 'terminate'>;

export type StoredContrastsOptions = {
  bot: string;
  /**
   * The model version the prediction names (a content hash): its model works out the contrasts.
   * Absent: the version the bot serves now (asked of the server).
   */
  version?: string;
  runtimePath: string;
  device: DevicePreference;
  /** The message as stored (masked): what the model runs on, and what the server fits the words to. */
  text: string;
  /** The intent the prediction reported: the answer each contrast explains. */
  answer: string;
  /** Stores a contrast (the admin API) and gives it back as stored, or throws saying why it was not. */
  store(explanation: unknown): Promise<unknown>;
  /** A new inference worker's client (default: the chat's Web Worker, its code fetched on first use). */
  inference?: () => Promise<ContrastEngine>;
};

/** The chat's worker, loaded only when an operator first asks: the page itself does not pay for it. */
const pageWorker = async (): Promise<ContrastEngine> => new (await import('./inference-client')).InferenceClient();

/**
 * One stored prediction's contrasts as an operator asks for them. The bot's model is loaded on
 * the first request and kept for the next; each contrast is shown as soon as it is worked out,
 * then stored, and shown again as the server stored it (its words cut from the stored message).
 * Components read the state with `useSyncExternalStore(subscribe, getState)`.
 */
export class StoredContrasts {
  private state: ContrastStates = {};
  private readonly listeners = new Set<() => void>();
  private model: Promise<{ client: ContrastEngine; ready: ReadyEvent }> | null = null;
  private client: ContrastEngine | null = null;
  private loadFraction: number | null = null;
  private loaded = false;

  constructor(private readonly options: StoredContrastsOptions) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getState = (): ContrastStates => this.state;

  /** Works out and stores the contrast with `versus`, unless it is under way or worked out on this page. */
  readonly request = (versus: string): void => {
    const current = this.state[versus];
    if (current?.status === 'computing' || (current?.status === 'ready' && current.storing?.status !== 'failed')) return;
    if (current?.status === 'ready') return void this.store(versus, current.explanation);
    this.set(versus, { status: 'computing', loadingModel: this.loaded ? undefined : { fraction: this.loadFraction } });
    void this.compute(versus);
  };

  /** Stops the worker (what is under way fails); a later request loads the model again. */
  dispose(): void {
    this.client?.terminate();
    this.client = null;
    this.model = null;
    this.loaded = false;
  }

  private async compute(versus: string) {
    try {
      const { client, ready } = await this.loadModel();
      this.set(versus, { status: 'computing' });
      const explanation = await computeContrast(client, ready.model.labels, {
        text: this.options.text,
        answer: this.options.answer,
        versus,
        maskedWith: MASK,
        onProgress: (progress) => this.set(versus, { status: 'computing', progress }),
      });
      await this.store(versus, explanation);
    } catch (error) {
      this.set(versus, { status: 'failed', error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async store(versus: string, explanation: unknown) {
    this.set(versus, { status: 'ready', explanation, storing: { status: 'saving' } });
    try {
      const stored = await this.options.store(explanation);
      this.set(versus, { status: 'ready', explanation: stored, storing: { status: 'stored' } });
    } catch (error) {
      this.set(versus, { status: 'ready', explanation, storing: { status: 'failed', error: error instanceof Error ? error.message : String(error) } });
    }
  }

  private loadModel(): Promise<{ client: ContrastEngine; ready: ReadyEvent }> {
    this.model ??= (async () => {
      const version = this.options.version ?? (await fetchServedVersion(this.options.bot));
      if (!version) throw new Error('This bot serves no model version to work it out with.');
      const client = await (this.options.inference ?? pageWorker)();
      this.client = client;
      const ready = await client.load({
        bot: this.options.bot,
        version,
        runtimePath: this.options.runtimePath,
        device: this.options.device,
        onProgress: ({ loaded, total }) => {
          this.loadFraction = total > 0 ? Math.min(1, loaded / total) : null;
          for (const [versus, state] of Object.entries(this.state)) {
            if (state.status === 'computing' && state.loadingModel) this.set(versus, { status: 'computing', loadingModel: { fraction: this.loadFraction } });
          }
        },
      });
      this.loaded = true;
      return { client, ready };
    })();
    // A model that failed to load is tried again on the next request.
    const model = this.model;
    model.catch(() => {
      if (this.model !== model) return;
      this.dispose();
    });
    return model;
  }

  private set(versus: string, contrast: ContrastState) {
    this.state = { ...this.state, [versus]: contrast };
    for (const listener of this.listeners) listener();
  }
}
