import type { BotContent } from '@/lib/bot/answers';
import type { Explanation, ExplanationMethod } from '@/lib/explain';
import { versusOf } from '@/lib/records/explanation';
import type { RestoredConversation, TurnRecord } from '@/lib/records/turn';
import { computeContrast, type ContrastState, type ContrastStates } from './contrast';
import { HandoffFeed, INITIAL_HANDOFF_STATE, readAgentMessage, readUpdates, type AgentMessage, type ConversationUpdates, type HandoffState } from './handoff';
import { InferenceClient, type ExplainProgress, type LoadProgress, type ReadyEvent } from './inference-client';
import { toChatMessages, type ChatMessage } from './messages';
import { Outbox, type OutboxStatus } from './outbox';
import type { DevicePreference } from './protocol';
import { fetchServedVersion } from './served-version';
import { computeSkipped, type SkippedRun, type SkippedState } from './skipped';
import { InBrowserTransport } from './transport';

export type ModelState =
  /** `update`: another version of the model is loading, the bot having been moved to it; the loaded one waits. */
  | { status: 'loading'; progress: LoadProgress | null; update?: true }
  | { status: 'ready'; ready: ReadyEvent }
  | { status: 'failed'; message: string };

/**
 * Where one reply's explanation stands. A reply that has none is absent: not asked for yet
 * (restored from an earlier visit), or its explanation was cancelled by a newer message.
 */
export type ExplainState =
  | { status: 'computing'; progress: ExplainProgress | null }
  | { status: 'ready'; explanations: readonly Explanation[] }
  | { status: 'failed'; error: string };

/** What the chat renders, replaced (never changed in place) on every change. */
export type ChatSessionState = {
  model: ModelState;
  /** By reply id: the explanations of the answer. */
  explanations: Readonly<Record<string, ExplainState>>;
  /**
   * By reply id, when its explanation run dropped any: the methods the time budget left out,
   * each until it is computed on request (`explainSkipped`) and joins the reply's explanations.
   * A restored reply has none: what was stored is all that is known of it.
   */
  skipped: Readonly<Record<string, readonly SkippedState[]>>;
  /** By reply id: the contrasts asked for ("why this and not that?") and those restored, by the other intent. */
  contrasts: Readonly<Record<string, ContrastStates>>;
  /** The conversation's hand-off to a person, as the server last told it. */
  handoff: HandoffState;
};

/**
 * A reply's explanation as a component reads it (subscribe, read) and asks for it (its panel
 * opened), the methods its time budget dropped, and its contrasts.
 */
export type ReplyExplanations = Pick<ChatSession, 'subscribe' | 'explanationOf' | 'explain' | 'skippedOf' | 'explainSkipped' | 'contrastsOf' | 'explainContrast'>;

/** What the session needs of the inference worker's client. */
export type InferenceEngine = Pick<InferenceClient, 'load' | 'classify' | 'explain' | 'terminate'>;

type Options = {
  outbox?: Outbox;
  /** The client of a new inference worker (default: a Web Worker in the page). */
  inference?: () => InferenceEngine;
  /** Where the conversation id is kept (default: the page's localStorage). */
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  fetch?: typeof fetch;
  /** How often the hand-off's updates are asked for while one is open (default: lib/chat/handoff.ts). */
  pollIntervalMs?: number;
  /** How long asking which version the bot serves may hold a message up before the loaded one answers (default VERSION_CHECK_MS). */
  versionCheckMs?: number;
};

/** A message waits at most this long for the answer to "which version does the bot serve?". */
export const VERSION_CHECK_MS = 3000;

/** What a reply's explanation is computed from: the visitor's message, the prediction on it, and the model version that made it. */
type Explainable = { text: string; prediction: { id: string; intent: string }; version: string };

/**
 * Why a reply's explanation cannot be worked out: the model version that answered it is not the
 * one this page runs (the bot was moved to another version since), and only that version's model
 * explains its answers.
 */
export class ModelReplaced extends Error {
  constructor() {
    super('This answer came from an earlier version of the assistant, which this page no longer runs: its explanation cannot be worked out here.');
    this.name = 'ModelReplaced';
  }
}

/**
 * The state of work that ended with `error`: none when its worker stopped or a newer message
 * cancelled it (it is asked for again), else failed, saying why.
 */
function endedState(signal: AbortSignal, error: Error): { status: 'failed'; error: string } | undefined {
  if (!signal.aborted) return { status: 'failed', error: error.message };
  return signal.reason instanceof ModelReplaced ? { status: 'failed', error: signal.reason.message } : undefined;
}

/** An explanation under way. `watched` once its panel was opened: a newer message no longer cancels it. */
type Job = { abort: AbortController; watched: boolean };

const conversationKey = (bot: string) => `glassdesk:conversation:${bot}`;
const contrastKey = (replyId: string, versus: string) => `${replyId}\u0000${versus}`;
const skippedKey = (replyId: string, method: string) => `${replyId}\u0000${method}`;

/**
 * One visitor's chat with one bot, outside React: the inference worker, the transport that
 * answers in the browser, the outbox that stores records, the conversation id, and each
 * reply's explanation. A reply the model classified is explained as soon as it is made, and
 * the explanations are stored as soon as they are computed. A newer message cancels the
 * explanations nobody is looking at (their panel closed), so that the newest reply's goes
 * first; those, and replies restored from an earlier visit, are explained when their panel
 * opens. Components read the state with `useSyncExternalStore(subscribe, getState)`.
 */
export class ChatSession {
  readonly outbox: Outbox;
  readonly transport: InBrowserTransport;
  conversationId = '';
  private readonly newInference: () => InferenceEngine;
  private readonly storage: Options['storage'];
  private readonly fetchImpl: typeof fetch;
  private client: InferenceEngine | null = null;
  private ready: ReadyEvent | null = null;
  /** The version the running worker loads or runs. */
  private version: string | null = null;
  /** How the workers are started (`start`'s options): the same for a version switched to. */
  private loadOptions: { runtimePath: string; device: DevicePreference } | null = null;
  /** A version being loaded beside the running one (`switchTo`). */
  private switching: { version: string; client: InferenceEngine; done: Promise<void> } | null = null;
  /** Counts `start` and stop: work of an earlier start that ends late is ignored. */
  private generation = 0;
  private readonly versionCheckMs: number;
  private state: ChatSessionState = { model: { status: 'loading', progress: null }, explanations: {}, skipped: {}, contrasts: {}, handoff: INITIAL_HANDOFF_STATE };
  readonly handoffFeed: HandoffFeed;
  private outboxStatus: OutboxStatus = { pending: 0, byKind: {}, lastError: null };
  private readonly listeners = new Set<() => void>();
  private readonly explainable = new Map<string, Explainable>();
  private readonly jobs = new Map<string, Job>();
  /** Replies whose panel opened before the model was ready: explained once it is. */
  private readonly waitingForModel = new Set<string>();
  /** Contrasts under way, by reply id and other intent (`contrastKey`). */
  private readonly contrastJobs = new Map<string, AbortController>();
  /** Contrasts asked for before the model was ready: worked out once it is. */
  private readonly contrastsWaiting = new Map<string, { replyId: string; versus: string }>();
  /** Dropped methods computed on request, by reply id and method (`skippedKey`). */
  private readonly skippedJobs = new Map<string, AbortController>();
  /** Dropped methods asked for while the worker was restarting: computed once the model is ready. */
  private readonly skippedWaiting = new Map<string, { replyId: string; method: ExplanationMethod }>();

  constructor(
    readonly content: BotContent,
    options: Options = {},
  ) {
    this.outbox = options.outbox ?? new Outbox();
    this.newInference = options.inference ?? (() => new InferenceClient());
    this.storage = options.storage;
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
    this.versionCheckMs = options.versionCheckMs ?? VERSION_CHECK_MS;
    this.outbox.subscribe((status) => (this.outboxStatus = status));
    this.handoffFeed = new HandoffFeed({
      conversationId: () => this.conversationId,
      fetch: this.fetchImpl,
      intervalMs: options.pollIntervalMs,
      turnsWaiting: () => this.outboxStatus.byKind.turn ?? 0,
      onChange: (handoff) => this.setState({ ...this.state, handoff }),
    });
    this.transport = new InBrowserTransport({
      content,
      conversationId: () => this.conversationId,
      inference: { classify: (text) => this.classify(text) },
      beforeClassifying: () => this.useServedVersion(),
      model: () => this.ready,
      onTurn: (turn) => this.receiveTurn(turn),
      withAgent: () => this.state.handoff.status === 'assigned',
    });
  }

  /** Calls `listener` after every change of `getState()`; returns the unsubscribe. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getState = (): ChatSessionState => this.state;

  readonly explanationOf = (replyId: string): ExplainState | undefined => this.state.explanations[replyId];

  /** The methods a reply's explanation run dropped for the time budget (the same array until one of them changes), or undefined when it dropped none. */
  readonly skippedOf = (replyId: string): readonly SkippedState[] | undefined => this.state.skipped[replyId];

  /** A reply's contrasts by the other intent (the same object until one of them changes), or undefined when none was asked for or stored. */
  readonly contrastsOf = (replyId: string): ContrastStates | undefined => this.state.contrasts[replyId];

  /**
   * Starts the worker and loads version `version` (a content hash) of the bot's model (none
   * served: the model failed); returns a function that stops the worker the session then runs
   * (the started one, or the one of a version it switched to since).
   */
  start(options: { runtimePath: string; device: DevicePreference; version: string | null }): () => void {
    const generation = ++this.generation;
    if (options.version === null) {
      this.setModel({ status: 'failed', message: 'No model version is served for this bot.' });
      return () => {};
    }
    this.loadOptions = { runtimePath: options.runtimePath, device: options.device };
    this.switching = null;
    const client = this.newInference();
    this.client = client;
    this.version = options.version;
    const current = () => this.client === client && this.generation === generation;
    this.setModel({ status: 'loading', progress: null });
    client
      .load({
        bot: this.content.bot,
        version: options.version,
        runtimePath: options.runtimePath,
        device: options.device,
        onProgress: (progress) => current() && this.setModel({ status: 'loading', progress }),
      })
      .then((ready) => {
        if (!current()) return;
        this.becomeReady(client, ready);
        // For bench/browser: when the model became usable, on the page's own clock.
        performance.mark('glassdesk:model-ready', { detail: { backend: ready.backend, loadMs: ready.loadMs } });
      })
      .catch((error: Error) => {
        if (!current()) return;
        this.setModel({ status: 'failed', message: error.message });
        for (const replyId of this.waitingForModel) this.setExplanation(replyId, { status: 'failed', error: error.message });
        this.waitingForModel.clear();
        for (const { replyId, versus } of this.contrastsWaiting.values()) this.setContrast(replyId, versus, { status: 'failed', error: error.message });
        this.contrastsWaiting.clear();
        for (const { replyId, method } of this.skippedWaiting.values()) this.setSkippedRun(replyId, method, { status: 'failed', error: error.message });
        this.skippedWaiting.clear();
      });
    return () => {
      if (this.generation !== generation) return;
      this.generation++;
      this.switching?.client.terminate();
      this.switching = null;
      const running = this.client;
      this.client = null;
      this.ready = null;
      this.stopWork();
      running?.terminate();
    };
  }

  /** The version (content hash) of the model the session runs or is loading; null before `start`. */
  get modelVersion(): string | null {
    return this.version;
  }

  /**
   * Before a message is classified: asks the server which version the bot serves now
   * (`GET /api/bots/:bot/model`, never cached) and, when it is not the loaded one, loads it in a
   * worker of its own, the progress shown as the first load's was, and answers with it. Should
   * the question or the load fail, the loaded version answers: a visitor is never left without one.
   */
  async useServedVersion(): Promise<void> {
    if (!this.ready || !this.loadOptions) return;
    let served: string | null;
    try {
      served = await fetchServedVersion(this.content.bot, { fetch: this.fetchImpl, timeoutMs: this.versionCheckMs });
    } catch {
      return;
    }
    if (served === null || served === this.version) return;
    await this.switchTo(served);
  }

  /** Loads `version` in a new worker beside the running one, and moves to it once it is ready; on failure the running one stays. */
  private switchTo(version: string): Promise<void> {
    if (this.switching?.version === version) return this.switching.done;
    this.switching?.client.terminate();
    const generation = this.generation;
    const previous = this.ready!;
    const client = this.newInference();
    const current = () => this.switching?.client === client && this.generation === generation;
    this.setModel({ status: 'loading', progress: null, update: true });
    const done = client
      .load({
        bot: this.content.bot,
        version,
        ...this.loadOptions!,
        onProgress: (progress) => current() && this.setModel({ status: 'loading', progress, update: true }),
      })
      .then(
        (ready) => {
          if (!current()) return void client.terminate();
          this.switching = null;
          // What the previous version's worker was doing for its replies ends with it, and says why.
          const running = this.client;
          this.stopWork(new ModelReplaced());
          running?.terminate();
          this.client = client;
          this.version = version;
          this.becomeReady(client, ready);
        },
        (error: Error) => {
          client.terminate();
          if (!current()) return;
          this.switching = null;
          console.warn(`Model version ${version.slice(0, 12)} could not be loaded; the loaded version ${this.version?.slice(0, 12)} answers.`, error);
          this.setModel({ status: 'ready', ready: previous });
        },
      );
    this.switching = { version, client, done };
    return done;
  }

  /** The running worker's model is ready: the session uses it, and starts what waited for it. */
  private becomeReady(client: InferenceEngine, ready: ReadyEvent) {
    this.ready = ready;
    this.setModel({ status: 'ready', ready });
    if (typeof window !== 'undefined' && new URLSearchParams(window.location.search).has('bench')) {
      (window as Window & { glassdeskBench?: unknown }).glassdeskBench = client;
    }
    const waiting = [...this.waitingForModel];
    this.waitingForModel.clear();
    for (const replyId of waiting) this.startExplaining(replyId, true);
    const contrasts = [...this.contrastsWaiting.values()];
    this.contrastsWaiting.clear();
    for (const { replyId, versus } of contrasts) this.startContrast(replyId, versus);
    const skipped = [...this.skippedWaiting.values()];
    this.skippedWaiting.clear();
    for (const { replyId, method } of skipped) this.startSkipped(replyId, method);
  }

  /**
   * Stops the work of the running worker. Stopped with the worker (`reason` absent), explanations
   * are as if never asked for, and are asked for again; stopped because another version replaced
   * the model, they fail saying so, as nothing on this page can work them out any more.
   */
  private stopWork(reason?: ModelReplaced) {
    for (const job of this.jobs.values()) job.abort.abort(reason);
    for (const replyId of this.waitingForModel) this.setExplanation(replyId, reason ? { status: 'failed', error: reason.message } : undefined);
    this.waitingForModel.clear();
    for (const abort of this.contrastJobs.values()) abort.abort(reason);
    for (const { replyId, versus } of this.contrastsWaiting.values()) this.setContrast(replyId, versus, reason ? { status: 'failed', error: reason.message } : undefined);
    this.contrastsWaiting.clear();
    for (const abort of this.skippedJobs.values()) abort.abort(reason);
    for (const { replyId, method } of this.skippedWaiting.values()) this.setSkippedRun(replyId, method, reason ? { status: 'failed', error: reason.message } : undefined);
    this.skippedWaiting.clear();
  }

  /**
   * The customer opened a reply's "Why this answer?" panel: explains it unless that is done
   * or under way (then keeps it from being cancelled by a newer message).
   */
  readonly explain = (replyId: string): void => this.startExplaining(replyId, true);

  /**
   * The customer asked "Why not <versus>?" about a reply (`versus` a label of the model): works
   * out, in the worker, the words that favour the answer over that intent and the smallest
   * change that would have given it, unless that is done, stored or under way; then stores it
   * through the outbox like every explanation. A newer message does not cancel it.
   */
  readonly explainContrast = (replyId: string, versus: string): void => this.startContrast(replyId, versus);

  /**
   * The reader asked for a method the panel's time budget dropped from a reply's explanations
   * (SHAP on a long message): computes it alone in the worker, without that budget, unless it is
   * under way; then adds it to the reply's explanations and stores it through the outbox like
   * every explanation. A newer message does not cancel it.
   */
  readonly explainSkipped = (replyId: string, method: ExplanationMethod): void => this.startSkipped(replyId, method);

  /**
   * This browser's conversation with the bot, as messages to show: none when it is new or
   * nothing was stored. Records a previous visit left in the outbox are sent first, so that
   * what is restored includes them. When it cannot be restored, a new conversation starts:
   * new messages would take the places of stored ones and be refused (the earlier one stays
   * stored, its waiting records too).
   */
  async restoreConversation(): Promise<ChatMessage[]> {
    const conversation = this.resumeConversation();
    const flushed = this.outbox.flush();
    if (conversation.isNew) return [];
    try {
      await flushed;
      const response = await this.fetchImpl(`/api/conversations/${conversation.id}`);
      // Nothing stored yet.
      if (response.status === 404) return [];
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      const { conversation: restored, agentMessages, current } = splitRestored((await response.json()) as RestoredConversation);
      this.rememberRestored(restored);
      // The team's messages join the conversation by time, through the hand-off's state (the chat merges them);
      // then whether a person holds it, and what they wrote since.
      this.handoffFeed.know(agentMessages, current);
      this.handoffFeed.check();
      return toChatMessages(restored);
    } catch {
      this.startNewConversation();
      return [];
    }
  }

  /** This browser's conversation with the bot; `isNew` when there was none to restore. */
  resumeConversation(): { id: string; isNew: boolean } {
    const storage = this.storage ?? window.localStorage;
    const key = conversationKey(this.content.bot);
    const stored = storage.getItem(key);
    this.conversationId = stored ?? crypto.randomUUID();
    storage.setItem(key, this.conversationId);
    return { id: this.conversationId, isNew: !stored };
  }

  startNewConversation(): string {
    this.handoffFeed.reset();
    (this.storage ?? window.localStorage).removeItem(conversationKey(this.content.bot));
    return this.resumeConversation().id;
  }

  saveFeedback(messageId: string, helpful: boolean, comment?: string) {
    return this.outbox.enqueue({ kind: 'feedback', url: `/api/messages/${messageId}/feedback`, method: 'PUT', body: { id: crypto.randomUUID(), helpful, comment } });
  }

  /** The transport's classification of a new message: older explanations nobody watches make way for it. */
  private classify(text: string) {
    if (!this.client) throw new Error('The model is not loaded.');
    for (const job of this.jobs.values()) if (!job.watched) job.abort.abort();
    return this.client.classify(text);
  }

  /** A turn the transport answered: stored, and its reply explained when the model classified it. */
  private receiveTurn(turn: TurnRecord) {
    const stored = this.outbox.enqueue({ kind: 'turn', url: '/api/turns', method: 'POST', body: turn });
    // The server opens (or renews) a hand-off when it stores this turn: follow it from then on.
    if (turn.reply.parts.kind === 'handoff' || turn.reply.parts.kind === 'handoff-requested') void stored.then(() => this.handoffFeed.expect());
    // A delivery note while a person holds the conversation: nobody asks why the bot said it.
    // A message the model cannot read has no evidence worth computing: the panel says why instead.
    if (!turn.prediction || turn.reply.parts.kind === 'with-agent' || turn.prediction.decision === 'unreadable') return;
    this.explainable.set(turn.reply.id, { text: turn.user.text, prediction: turn.prediction, version: turn.prediction.modelVersion });
    this.startExplaining(turn.reply.id, false);
  }

  /**
   * Restored replies: those with stored explanations show them, and their stored contrasts; the
   * others can be explained on demand.
   */
  private rememberRestored(conversation: RestoredConversation) {
    const explanations = { ...this.state.explanations };
    const contrasts = { ...this.state.contrasts };
    let question: string | null = null;
    for (const message of conversation.messages) {
      if (message.role === 'user') {
        question = message.text;
        continue;
      }
      if (message.prediction && message.prediction.decision !== 'unreadable' && question !== null) this.explainable.set(message.id, { text: question, prediction: message.prediction, version: message.prediction.modelVersion });
      // A contrast asked for later is not the answer's explanation: a reply with contrasts alone is still explained when its panel opens.
      const stored = message.explanations ?? [];
      const ofAnswer = stored.filter((explanation) => versusOf(explanation) === '');
      if (ofAnswer.length) explanations[message.id] = { status: 'ready', explanations: ofAnswer };
      const restored: Record<string, ContrastState> = {};
      for (const explanation of stored) if (versusOf(explanation) !== '') restored[versusOf(explanation)] = { status: 'ready', explanation };
      if (Object.keys(restored).length) contrasts[message.id] = { ...contrasts[message.id], ...restored };
      question = null;
    }
    this.setState({ ...this.state, explanations, contrasts });
  }

  private startContrast(replyId: string, versus: string) {
    const key = contrastKey(replyId, versus);
    const reply = this.explainable.get(replyId);
    const current = this.state.contrasts[replyId]?.[versus];
    if (!reply || current?.status === 'ready' || this.contrastJobs.has(key) || this.contrastsWaiting.has(key)) return;
    const { client, ready } = this;
    if (!client || !ready) {
      if (this.state.model.status === 'failed') return this.setContrast(replyId, versus, { status: 'failed', error: this.state.model.message });
      this.contrastsWaiting.set(key, { replyId, versus });
      return this.setContrast(replyId, versus, { status: 'computing' });
    }
    if (reply.version !== ready.model.version) return this.setContrast(replyId, versus, { status: 'failed', error: new ModelReplaced().message });
    const abort = new AbortController();
    this.contrastJobs.set(key, abort);
    this.setContrast(replyId, versus, { status: 'computing' });
    computeContrast(client, ready.model.labels, {
      text: reply.text,
      answer: reply.prediction.intent,
      versus,
      signal: abort.signal,
      onProgress: (progress) => this.setContrast(replyId, versus, { status: 'computing', progress }),
    })
      .then(
        (explanation) => {
          this.setContrast(replyId, versus, { status: 'ready', explanation });
          void this.outbox.enqueue({ kind: 'explanations', url: `/api/predictions/${reply.prediction.id}/explanations`, method: 'POST', body: { explanations: [explanation] } });
        },
        (error: Error) => this.setContrast(replyId, versus, endedState(abort.signal, error)),
      )
      .finally(() => {
        if (this.contrastJobs.get(key) === abort) this.contrastJobs.delete(key);
      });
  }

  private startSkipped(replyId: string, method: ExplanationMethod) {
    const key = skippedKey(replyId, method);
    const reply = this.explainable.get(replyId);
    const dropped = this.skippedOf(replyId)?.some((skipped) => skipped.method === method);
    if (!reply || !dropped || this.explanationOf(replyId)?.status !== 'ready' || this.skippedJobs.has(key) || this.skippedWaiting.has(key)) return;
    const { client, ready } = this;
    if (!client || !ready) {
      if (this.state.model.status === 'failed') return this.setSkippedRun(replyId, method, { status: 'failed', error: this.state.model.message });
      this.skippedWaiting.set(key, { replyId, method });
      return this.setSkippedRun(replyId, method, { status: 'computing', progress: null });
    }
    if (reply.version !== ready.model.version) return this.setSkippedRun(replyId, method, { status: 'failed', error: new ModelReplaced().message });
    const abort = new AbortController();
    this.skippedJobs.set(key, abort);
    this.setSkippedRun(replyId, method, { status: 'computing', progress: null });
    const target = ready.model.labels.indexOf(reply.prediction.intent);
    computeSkipped(client, {
      text: reply.text,
      target: target >= 0 ? target : undefined,
      method,
      signal: abort.signal,
      onProgress: (progress) => this.setSkippedRun(replyId, method, { status: 'computing', progress }),
    })
      .then(
        (explanation) => {
          const current = this.explanationOf(replyId);
          if (current?.status !== 'ready') return;
          // One change: the method leaves the dropped ones as it joins the explanations.
          this.setState({
            ...this.state,
            explanations: { ...this.state.explanations, [replyId]: { status: 'ready', explanations: [...current.explanations, explanation] } },
            skipped: withSkipped(this.state.skipped, replyId, this.skippedOf(replyId)?.filter((other) => other.method !== method)),
          });
          void this.outbox.enqueue({ kind: 'explanations', url: `/api/predictions/${reply.prediction.id}/explanations`, method: 'POST', body: { explanations: [explanation] } });
        },
        // Stopped with the worker is not failed: it can be asked for again.
        (error: Error) => this.setSkippedRun(replyId, method, endedState(abort.signal, error)),
      )
      .finally(() => {
        if (this.skippedJobs.get(key) === abort) this.skippedJobs.delete(key);
      });
  }

  private startExplaining(replyId: string, watched: boolean) {
    const job = this.jobs.get(replyId);
    if (job) {
      job.watched ||= watched;
      return;
    }
    const reply = this.explainable.get(replyId);
    const state = this.explanationOf(replyId);
    if (!reply || state?.status === 'ready' || this.waitingForModel.has(replyId)) return;
    const { client, ready } = this;
    if (!client || !ready) {
      if (this.state.model.status === 'failed') return this.setExplanation(replyId, { status: 'failed', error: this.state.model.message });
      this.waitingForModel.add(replyId);
      return this.setExplanation(replyId, { status: 'computing', progress: null });
    }
    if (reply.version !== ready.model.version) return this.setExplanation(replyId, { status: 'failed', error: new ModelReplaced().message });
    const abort = new AbortController();
    this.jobs.set(replyId, { abort, watched });
    this.setExplanation(replyId, { status: 'computing', progress: null });
    const target = ready.model.labels.indexOf(reply.prediction.intent);
    client
      .explain(reply.text, {
        target: target >= 0 ? target : undefined,
        signal: abort.signal,
        onProgress: (progress) => this.setExplanation(replyId, { status: 'computing', progress }),
      })
      .then(
        ({ explanations, skipped }) => {
          // Shown first; the outbox copies them into IndexedDB and sends them on its own time.
          // The methods the time budget dropped are kept, for the panel to say so and offer them.
          this.setState({
            ...this.state,
            explanations: { ...this.state.explanations, [replyId]: { status: 'ready', explanations } },
            skipped: withSkipped(this.state.skipped, replyId, skipped),
          });
          void this.outbox.enqueue({ kind: 'explanations', url: `/api/predictions/${reply.prediction.id}/explanations`, method: 'POST', body: { explanations } });
        },
        (error: Error) => {
          // Cancelled is not failed: the reply is explained again when its panel opens.
          this.setExplanation(replyId, endedState(abort.signal, error));
        },
      )
      .finally(() => {
        if (this.jobs.get(replyId)?.abort === abort) this.jobs.delete(replyId);
      });
  }

  /** Sets one contrast's state (undefined: as if never asked), replacing its reply's record so that readers see the change. */
  private setContrast(replyId: string, versus: string, contrast: ContrastState | undefined) {
    const ofReply: Record<string, ContrastState> = { ...this.state.contrasts[replyId] };
    if (contrast) ofReply[versus] = contrast;
    else delete ofReply[versus];
    const contrasts = { ...this.state.contrasts };
    if (Object.keys(ofReply).length) contrasts[replyId] = ofReply;
    else delete contrasts[replyId];
    this.setState({ ...this.state, contrasts });
  }

  /** Sets where computing one dropped method stands (undefined: not asked for), replacing its reply's state so that readers see the change. */
  private setSkippedRun(replyId: string, method: ExplanationMethod, run: SkippedRun | undefined) {
    const current = this.skippedOf(replyId);
    if (!current?.some((skipped) => skipped.method === method)) return;
    const skipped = current.map((entry) => (entry.method === method ? { method: entry.method, reason: entry.reason, ...(run ? { run } : {}) } : entry));
    this.setState({ ...this.state, skipped: withSkipped(this.state.skipped, replyId, skipped) });
  }

  private setModel(model: ModelState) {
    this.setState({ ...this.state, model });
  }

  private setExplanation(replyId: string, explanation: ExplainState | undefined) {
    const explanations = { ...this.state.explanations };
    if (explanation) explanations[replyId] = explanation;
    else delete explanations[replyId];
    this.setState({ ...this.state, explanations });
  }

  private setState(state: ChatSessionState) {
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}

/** The dropped methods by reply with `replyId`'s replaced (none: removed), as a new record. */
function withSkipped(all: ChatSessionState['skipped'], replyId: string, skipped: readonly SkippedState[] | undefined): ChatSessionState['skipped'] {
  const next = { ...all };
  if (skipped?.length) next[replyId] = skipped;
  else delete next[replyId];
  return next;
}

/**
 * A restored conversation's turns, and the team's messages stored beside them (outside the
 * turns' `seq`): the chat shows those through the hand-off's state, which places them among the
 * turns by the server's time.
 */
function splitRestored(restored: RestoredConversation & { agentMessages?: unknown; status?: unknown; handoff?: unknown }): {
  conversation: RestoredConversation;
  agentMessages: AgentMessage[];
  current: Pick<ConversationUpdates, 'status' | 'handoff'> | null;
} {
  const listed = Array.isArray(restored.agentMessages) ? restored.agentMessages : [];
  const agentMessages = listed.map(readAgentMessage).filter((message) => message !== null);
  // The restore carries the hand-off as the updates route does; read by the same reader.
  const current = readUpdates({ status: restored.status, handoff: restored.handoff, agentMessages: [] });
  return { conversation: restored, agentMessages, current: current && { status: current.status, handoff: current.handoff } };
}
