/**
 * A hand-off as the customer's browser follows it: the conversation's status on the server
 * (`bot`, `waiting` for a person, `assigned` to one) and the team's messages, read by polling
 * `GET /api/conversations/:id/updates`. Nothing is pushed and nothing is held on the server
 * between requests, so it works on a serverless host; the poll only runs while a hand-off is
 * open, or expected (a hand-off turn was sent and the server has not confirmed it yet).
 */

import type { AgentMessageView, ConversationStatus, ConversationUpdates, HandoffReason, HandoffView } from '@/lib/records/handoff';

export type { ConversationStatus, ConversationUpdates };
/** A message from a person of the team: plain text, shown as text, never as HTML. */
export type AgentMessage = AgentMessageView;

const REASONS: readonly HandoffReason[] = ['requested', 'out_of_scope', 'unsure', 'unreadable', 'repeated'];

export type HandoffState = {
  status: ConversationStatus;
  handoff: HandoffView | null;
  /** Every team message this page has seen, oldest first, each once. */
  agentMessages: readonly AgentMessage[];
  /** The team's messages could not be read at the last attempt (retried with a backoff). */
  unreachable: boolean;
};

export const INITIAL_HANDOFF_STATE: HandoffState = { status: 'bot', handoff: null, agentMessages: [], unreachable: false };

/** How often the chat asks while a hand-off is open: agent messages must show within 3 s. */
export const POLL_INTERVAL_MS = 1500;
/** Longest wait between attempts while the server does not answer. */
export const MAX_POLL_DELAY_MS = 10_000;
/** Long answers are not what this route sends; a bigger body is not read. */
const MAX_MESSAGES_PER_ANSWER = 500;

type Options = {
  conversationId: () => string;
  fetch?: typeof fetch;
  onChange: (state: HandoffState) => void;
  /** Records (turns) still waiting in the outbox: a hand-off turn among them is not on the server yet. */
  turnsWaiting: () => number;
  intervalMs?: number;
  timers?: { set: (fn: () => void, ms: number) => unknown; clear: (handle: unknown) => void };
};

/** Reads the updates answer defensively: a field that is not what the contract says is dropped, never trusted. */
export function readUpdates(body: unknown): ConversationUpdates | null {
  if (typeof body !== 'object' || body === null) return null;
  const record = body as Record<string, unknown>;
  const status = record.status;
  if (status !== 'bot' && status !== 'waiting' && status !== 'assigned') return null;
  const rawHandoff = record.handoff as Record<string, unknown> | null | undefined;
  const handoff: HandoffView | null =
    rawHandoff && typeof rawHandoff === 'object' && typeof rawHandoff.since === 'string'
      ? {
          reason: REASONS.find((reason) => reason === rawHandoff.reason) ?? 'requested',
          since: rawHandoff.since,
          claimedAt: typeof rawHandoff.claimedAt === 'string' ? rawHandoff.claimedAt : null,
          busy: rawHandoff.busy === true,
        }
      : null;
  const list = Array.isArray(record.agentMessages) ? record.agentMessages.slice(0, MAX_MESSAGES_PER_ANSWER) : [];
  const agentMessages: AgentMessage[] = [];
  for (const entry of list) {
    const message = readAgentMessage(entry);
    if (message) agentMessages.push(message);
  }
  return { status, handoff, agentMessages };
}

export function readAgentMessage(entry: unknown): AgentMessage | null {
  if (typeof entry !== 'object' || entry === null) return null;
  const { id, text, createdAt, author } = entry as Record<string, unknown>;
  if (typeof id !== 'string' || typeof text !== 'string' || typeof createdAt !== 'string') return null;
  const displayName = typeof author === 'object' && author !== null && typeof (author as Record<string, unknown>).displayName === 'string' ? ((author as Record<string, unknown>).displayName as string) : '';
  return { id, text, createdAt, author: { displayName } };
}

/** Adds the messages not seen yet, keeping the order by time (then id) and each message once. */
export function mergeAgentMessages(known: readonly AgentMessage[], incoming: readonly AgentMessage[]): readonly AgentMessage[] {
  const ids = new Set(known.map((message) => message.id));
  const added = incoming.filter((message) => !ids.has(message.id) && (ids.add(message.id), true));
  if (added.length === 0) return known;
  return [...known, ...added].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/**
 * Follows the conversation's hand-off. `expect()` after a hand-off turn, `check()` once after a
 * restore; it then polls on its own until the conversation is back with the bot.
 */
export class HandoffFeed {
  private state: HandoffState = INITIAL_HANDOFF_STATE;
  /** A hand-off turn was sent and no answer has shown the hand-off open yet. */
  private expecting = false;
  private timer: unknown = null;
  private inFlight = false;
  private failures = 0;
  /** Bumped by `reset()`: an answer to a poll of an earlier conversation is dropped. */
  private generation = 0;
  private readonly fetchImpl: typeof fetch;
  private readonly timers: NonNullable<Options['timers']>;

  constructor(private readonly options: Options) {
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
    this.timers = options.timers ?? { set: (fn, ms) => setTimeout(fn, ms), clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>) };
  }

  getState(): HandoffState {
    return this.state;
  }

  /** True while the poll runs or is scheduled. */
  get following(): boolean {
    return this.timer !== null || this.inFlight;
  }

  /** A turn that opens (or renews) a hand-off was just handed to the outbox. */
  expect(): void {
    this.expecting = true;
    this.schedule(0);
  }

  /** Asks once now (after a restore); goes on polling if a hand-off is open. */
  check(): void {
    this.schedule(0);
  }

  /**
   * What a restore returned: the team's messages, and the hand-off's state when the answer has
   * it, so that a message sent right after a reload already finds the bot quiet.
   */
  know(messages: readonly AgentMessage[], current?: Pick<ConversationUpdates, 'status' | 'handoff'> | null): void {
    this.update({ ...this.state, ...(current ?? {}), agentMessages: mergeAgentMessages(this.state.agentMessages, messages) });
  }

  /** A new conversation: forget everything, stop polling. */
  reset(): void {
    this.stop();
    this.generation++;
    this.expecting = false;
    this.failures = 0;
    this.update(INITIAL_HANDOFF_STATE);
  }

  stop(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
  }

  private schedule(ms: number) {
    if (this.inFlight) return; // The poll under way schedules the next one.
    if (this.timer !== null) {
      if (ms > 0) return;
      this.timers.clear(this.timer);
    }
    this.timer = this.timers.set(() => {
      this.timer = null;
      void this.poll();
    }, ms);
  }

  private async poll() {
    const conversationId = this.options.conversationId();
    if (!conversationId) return;
    const generation = this.generation;
    // Counted before asking: if nothing waited then and the answer is "bot", the hand-off turn was stored and is over (or opened none).
    const turnsWaiting = this.options.turnsWaiting();
    const last = this.state.agentMessages.at(-1);
    const query = last ? `?after=${encodeURIComponent(last.id)}` : '';
    this.inFlight = true;
    let updates: ConversationUpdates | null | 'gone' = null;
    try {
      const response = await this.fetchImpl(`/api/conversations/${encodeURIComponent(conversationId)}/updates${query}`, { cache: 'no-store', credentials: 'same-origin' });
      if (response.status === 404) updates = 'gone';
      else if (response.ok) updates = readUpdates(await response.json());
    } catch {
      updates = null;
    } finally {
      this.inFlight = false;
    }
    if (generation !== this.generation) return;

    if (updates === null) {
      this.failures++;
      this.update({ ...this.state, unreachable: true });
      this.schedule(Math.min(MAX_POLL_DELAY_MS, (this.options.intervalMs ?? POLL_INTERVAL_MS) * 2 ** this.failures));
      return;
    }
    this.failures = 0;
    // 404: the conversation is not stored yet (its first turn still in the outbox).
    const next: ConversationUpdates = updates === 'gone' ? { status: 'bot', handoff: null, agentMessages: [] } : updates;
    if (next.status !== 'bot' || turnsWaiting === 0) this.expecting = false;
    this.update({ status: next.status, handoff: next.handoff, agentMessages: mergeAgentMessages(this.state.agentMessages, next.agentMessages), unreachable: false });
    if (next.status !== 'bot' || this.expecting) this.schedule(this.options.intervalMs ?? POLL_INTERVAL_MS);
  }

  private update(state: HandoffState) {
    const same =
      state.status === this.state.status &&
      state.unreachable === this.state.unreachable &&
      state.agentMessages === this.state.agentMessages &&
      JSON.stringify(state.handoff) === JSON.stringify(this.state.handoff);
    if (same) return;
    this.state = state;
    this.options.onChange(state);
  }
}
