'use client';

import Link from 'next/link';
import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { AgentConversation } from '@/lib/ingest/handoff-service';
import { MAX_AGENT_MESSAGE_LENGTH, MAX_TOPIC_LENGTH, type ResolutionInput } from '@/lib/records/handoff';
import type { ReplyParts, RestoredMessage } from '@/lib/records/turn';
import { VisitorText } from '@/lib/ui/text';
import { adminPost } from './csrf-fetch';
import { handoffReasonLabel, percent } from './format';
import { StoredWhyPanel } from './stored-why-panel';
import { usePolledJson } from './use-polled-json';

/** How often an open conversation asks again: the customer's answers show within seconds. */
const CONVERSATION_INTERVAL_MS = 1500;

type Choice = { intent: string; label: string };
type Me = { id: string; role: 'admin' | 'agent' };
type Line =
  | { kind: 'turn'; at: string; order: number; message: RestoredMessage }
  | { kind: 'agent'; at: string; order: number; message: AgentConversation['agentMessages'][number] };

/** The customer's turns and the team's messages in the order they were stored. */
export function timelineOf(conversation: Pick<AgentConversation, 'messages' | 'agentMessages'>): Line[] {
  const lines: Line[] = [
    ...conversation.messages.map((message) => ({ kind: 'turn' as const, at: message.createdAt, order: message.seq, message })),
    ...conversation.agentMessages.map((message, i) => ({ kind: 'agent' as const, at: message.createdAt, order: i, message })),
  ];
  return lines.sort((a, b) => a.at.localeCompare(b.at) || (a.kind === b.kind ? a.order - b.order : a.kind === 'turn' ? -1 : 1));
}

/** The bot's evidence when it handed off, read defensively: it is stored JSON. */
export function readSnapshot(snapshot: unknown): { text: string | null; predictionId: string | null; topK: { intent: string; probability: number }[]; summary: string | null } {
  const record = typeof snapshot === 'object' && snapshot !== null ? (snapshot as Record<string, unknown>) : {};
  const topK = Array.isArray(record.topK)
    ? record.topK
        .slice(0, 10)
        .filter((entry): entry is { intent: string; probability: number } => typeof entry?.intent === 'string' && typeof entry?.probability === 'number' && Number.isFinite(entry.probability))
        .map(({ intent, probability }) => ({ intent, probability: Math.min(1, Math.max(0, probability)) }))
    : [];
  return {
    text: typeof record.text === 'string' ? record.text : null,
    predictionId: typeof record.predictionId === 'string' ? record.predictionId : null,
    topK,
    summary: typeof record.summary === 'string' ? record.summary : null,
  };
}

/**
 * A handed-off conversation for the team: the transcript with the team's messages and each bot
 * reply's stored why-panel, the bot's evidence, and claim, reply and resolve. Polls the
 * conversation so the customer's answers show without a reload, announced politely.
 */
export function HandoffConversation({
  initial,
  csrfToken,
  me,
  intentNames,
  intents,
}: {
  initial: AgentConversation;
  csrfToken: string;
  me: Me;
  intentNames: Readonly<Record<string, string>>;
  intents: Choice[];
}) {
  const { data: conversation, stale, refresh } = usePolledJson<AgentConversation>(`/api/admin/conversations/${initial.id}`, initial, CONVERSATION_INTERVAL_MS);
  const [problem, setProblem] = useState<string | null>(null);
  const [pending, setPending] = useState<string | null>(null);
  const labelOf = (intent: string) => (Object.hasOwn(intentNames, intent) ? intentNames[intent]! : intent);
  const handoff = conversation.handoff;
  const mine = handoff?.assignee?.id === me.id;
  const canAct = handoff !== null && handoff.status === 'assigned' && (mine || me.role === 'admin');

  /** Posts an action; on success asks for the conversation again, otherwise says why in the alert. */
  async function act(name: string, path: string, body?: unknown): Promise<boolean> {
    setPending(name);
    setProblem(null);
    try {
      const response = await adminPost(`/api/admin/conversations/${conversation.id}/${path}`, csrfToken, body).catch(() => null);
      if (!response?.ok) {
        const error = (await response?.json().catch(() => null)) as { error?: { message?: string } } | null;
        setProblem(error?.error?.message ?? 'The server did not answer. Try again.');
        return false;
      }
      await refresh();
      return true;
    } finally {
      setPending(null);
    }
  }

  const lines = timelineOf(conversation);
  return (
    <div className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,1.5fr)_minmax(0,1fr)]">
      <div className="min-w-0 space-y-4">
        <StatusBar conversation={conversation} me={me} pending={pending} onClaim={() => void act('claim', 'claim')} />
        {problem ? (
          <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-900" data-testid="handoff-problem">
            {problem}
          </p>
        ) : null}
        {stale ? <p className="text-sm text-amber-800">Not up to date: the server did not answer. Trying again…</p> : null}
        <section aria-labelledby="transcript-heading" className="rounded-xl border border-slate-200 bg-white p-3 sm:p-4">
          <h2 id="transcript-heading" className="font-semibold text-brand-900">
            Conversation
          </h2>
          <ol role="log" aria-live="polite" aria-relevant="additions" className="mt-3 space-y-3" data-testid="handoff-transcript">
            {lines.map((line, index) =>
              line.kind === 'agent' ? (
                <AgentLine key={line.message.id} message={line.message} />
              ) : (
                <TurnLine key={line.message.id} message={line.message} question={questionBefore(lines, index)} trigger={line.message.id === handoff?.triggerMessageId} labelOf={labelOf} intentNames={intentNames} />
              ),
            )}
          </ol>
        </section>
        {canAct ? <ReplyForm pending={pending} onSend={(text) => act('reply', 'messages', { text })} /> : null}
      </div>
      <div className="min-w-0 space-y-4 lg:sticky lg:top-4 lg:self-start">
        {handoff ? <Evidence handoff={handoff} labelOf={labelOf} /> : null}
        {canAct ? <ResolveForm intents={intents} pending={pending} onResolve={(body) => act('resolve', 'resolve', body)} /> : null}
        <History conversation={conversation} labelOf={labelOf} />
      </div>
    </div>
  );
}

function StatusBar({ conversation, me, pending, onClaim }: { conversation: AgentConversation; me: Me; pending: string | null; onClaim: () => void }) {
  const handoff = conversation.handoff;
  let text: React.ReactNode;
  if (!handoff) text = conversation.handoffs.length ? 'Resolved: the bot answers this customer again.' : 'With the bot: no hand-off is open.';
  else if (handoff.status === 'waiting') text = <>Waiting for a person since {handoff.createdAt.slice(11, 16)} UTC{handoff.busy ? ' (the customer has been told the team is busy)' : ''}.</>;
  else if (handoff.assignee?.id === me.id) text = 'You hold this conversation: the bot stays quiet, the customer reads your replies.';
  else text = <>Held by {handoff.assignee?.email ?? 'someone'}.{me.role === 'admin' ? ' As an admin you may still reply or resolve it.' : ''}</>;
  return (
    <div className="flex flex-wrap items-center justify-between gap-3 rounded-xl border border-slate-200 bg-white px-4 py-3" data-testid="handoff-status" data-status={conversation.status}>
      <p className="min-w-0 text-sm text-slate-800" role="status">
        {text}
      </p>
      {handoff?.status === 'waiting' ? (
        <button type="button" onClick={onClaim} disabled={pending !== null} className="min-h-11 rounded-lg bg-brand-600 px-4 font-medium text-white hover:bg-brand-700 disabled:opacity-50" data-testid="handoff-claim">
          {pending === 'claim' ? 'Claiming…' : 'Claim'}
        </button>
      ) : null}
    </div>
  );
}

/** Whose words a line is, for a screen reader and at a glance. */
/** The customer's message a bot line answers: the nearest customer line before it. */
function questionBefore(lines: readonly Line[], index: number): string | undefined {
  for (let i = index - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (line.kind !== 'agent' && line.message.role === 'user') return line.message.text;
  }
  return undefined;
}

function TurnLine({ message, question, trigger, labelOf, intentNames }: { message: RestoredMessage; question?: string; trigger: boolean; labelOf: (intent: string) => string; intentNames: Readonly<Record<string, string>> }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  if (message.role === 'user') {
    return (
      <li className="flex flex-col items-end gap-1" data-testid="handoff-line" data-role="user" data-trigger={trigger || undefined}>
        {trigger ? <span className="text-xs font-medium text-amber-800">Handed off here</span> : null}
        <p className={`max-w-[85%] rounded-2xl rounded-br-sm bg-brand-600 px-3 py-2 text-sm break-words whitespace-pre-wrap text-white ${trigger ? 'ring-4 ring-amber-300' : ''}`}>
          <span className="sr-only">Customer: </span>
          <VisitorText text={message.text} showControls />
        </p>
      </li>
    );
  }
  const parts = message.parts as ReplyParts | null;
  const prediction = message.prediction;
  if (parts?.kind === 'with-agent') {
    return (
      <li className="-mt-2 text-right text-xs text-slate-500" data-testid="handoff-line" data-role="with-agent">
        Delivered to the team
        {prediction ? (
          <>
            {' · '}the model read it as {labelOf(prediction.intent)} ({percent(prediction.confidence, 1)})
          </>
        ) : null}
      </li>
    );
  }
  return (
    <li className="flex flex-col items-start gap-1" data-testid="handoff-line" data-role="bot">
      <p className="max-w-[85%] rounded-2xl rounded-bl-sm bg-slate-100 px-3 py-2 text-sm break-words whitespace-pre-wrap text-slate-900">
        <span className="sr-only">Bot: </span>
        <VisitorText text={message.text} showControls />
      </p>
      {prediction ? (
        <div className="w-full min-w-0">
          <button
            type="button"
            aria-expanded={open}
            aria-controls={panelId}
            onClick={() => setOpen(!open)}
            className="rounded-md px-1 text-xs text-brand-700 underline decoration-brand-700/40 hover:decoration-brand-700"
            data-testid="handoff-why-toggle"
          >
            {labelOf(prediction.intent)} · {percent(prediction.confidence, 1)} · {open ? 'hide why' : 'why this answer?'}
          </button>
          {open ? (
            <div id={panelId} className="mt-2 min-w-0">
              {message.explanations?.length ? (
                <StoredWhyPanel
                  id={`why-${message.id}`}
                  text={question}
                  intentNames={intentNames}
                  explanations={message.explanations}
                  prediction={{ intent: prediction.intent, confidence: prediction.confidence, topK: prediction.topK }}
                  storedAt={message.createdAt.replace('T', ' ').slice(0, 19) + ' UTC'}
                  backend={prediction.backend}
                />
              ) : (
                <p className="text-xs text-slate-500">No explanation was stored for this reply.</p>
              )}
            </div>
          ) : null}
        </div>
      ) : null}
    </li>
  );
}

function AgentLine({ message }: { message: AgentConversation['agentMessages'][number] }) {
  return (
    <li className="flex flex-col items-start gap-1" data-testid="handoff-line" data-role="agent">
      <span className="text-xs font-medium text-emerald-900">
        {message.author.displayName} <span className="font-normal text-emerald-800">({message.author.email})</span>
      </span>
      <p className="max-w-[85%] rounded-2xl rounded-tl-sm border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm break-words whitespace-pre-wrap text-slate-900">
        <span className="sr-only">Team: </span>
        <VisitorText text={message.text} showControls />
      </p>
    </li>
  );
}

function Evidence({ handoff, labelOf }: { handoff: NonNullable<AgentConversation['handoff']>; labelOf: (intent: string) => string }) {
  const snapshot = readSnapshot(handoff.snapshot);
  return (
    <section aria-labelledby="evidence-heading" className="rounded-xl border border-slate-200 bg-white p-4" data-testid="handoff-evidence">
      <h2 id="evidence-heading" className="font-semibold text-brand-900">
        Why the bot handed off
      </h2>
      <p className="mt-1 text-sm" data-testid="handoff-reason" data-reason={handoff.reason}>
        <span className="rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-950">{handoffReasonLabel(handoff.reason)}</span>
      </p>
      {handoff.reason === 'unreadable' ? (
        <p className="mt-2 text-sm text-slate-800" data-testid="handoff-unreadable">
          The customer wrote in a language the bot does not read: most of the message’s letters never occurred in its training texts, so what the model
          thought of it below is no reading of it.
        </p>
      ) : null}
      {snapshot.text ? (
        <p className="mt-3 text-sm break-words">
          <span className="text-slate-600">The message: </span>“<VisitorText text={snapshot.text} showControls />”
        </p>
      ) : null}
      {snapshot.summary ? <p className="mt-2 text-sm text-slate-800">{snapshot.summary}</p> : null}
      {snapshot.topK.length > 0 ? (
        <>
          <h3 className="mt-3 text-sm font-semibold">What the model thought</h3>
          <ol className="mt-1 space-y-1.5 text-sm" data-testid="handoff-top-intents">
            {snapshot.topK.map((entry) => (
              <li key={entry.intent} className="grid grid-cols-[minmax(0,1fr)_3.5rem] items-center gap-x-3">
                <span className="min-w-0 truncate" title={entry.intent}>
                  {labelOf(entry.intent)}
                </span>
                <span className="text-right font-mono text-xs tabular-nums">{percent(entry.probability, 1)}</span>
                <span aria-hidden="true" className="col-span-2 h-1.5 overflow-hidden rounded-full bg-slate-100">
                  <span className="block h-full rounded-full bg-brand-600" style={{ width: `${(entry.probability * 100).toFixed(1)}%` }} />
                </span>
              </li>
            ))}
          </ol>
        </>
      ) : (
        <p className="mt-3 text-sm text-slate-600">The customer asked for a person without the model classifying that message.</p>
      )}
      {snapshot.predictionId ? (
        <p className="mt-3 text-sm">
          <Link href={`/admin/predictions/${snapshot.predictionId}`} className="text-brand-700 hover:underline">
            The prediction in the log →
          </Link>
        </p>
      ) : null}
    </section>
  );
}

function ReplyForm({ pending, onSend }: { pending: string | null; onSend: (text: string) => Promise<boolean> }) {
  const [text, setText] = useState('');
  const id = useId();
  const input = useRef<HTMLTextAreaElement>(null);

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    if (!text.trim() || pending) return;
    if (await onSend(text)) setText('');
    input.current?.focus();
  }
  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit();
    }
  }
  return (
    <form onSubmit={submit} className="flex items-end gap-2 rounded-xl border border-slate-200 bg-white p-3" data-testid="handoff-reply">
      <label htmlFor={id} className="sr-only">
        Reply to the customer
      </label>
      <textarea
        id={id}
        ref={input}
        rows={2}
        value={text}
        maxLength={MAX_AGENT_MESSAGE_LENGTH}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        placeholder="Reply to the customer… (Enter sends, Shift+Enter starts a new line)"
        className="max-h-48 min-h-11 flex-1 resize-y rounded-lg border border-slate-300 px-3 py-2 text-base"
        data-testid="handoff-reply-input"
      />
      <button type="submit" disabled={!text.trim() || pending !== null} className="min-h-11 rounded-lg bg-brand-600 px-4 font-medium text-white disabled:bg-slate-300" data-testid="handoff-reply-send">
        {pending === 'reply' ? 'Sending…' : 'Send'}
      </button>
    </form>
  );
}

type ResolutionBody = ResolutionInput;

/** What the customer wanted: it becomes the triggering message's training label. */
function ResolveForm({ intents, pending, onResolve }: { intents: Choice[]; pending: string | null; onResolve: (body: ResolutionBody) => Promise<boolean> }) {
  const [kind, setKind] = useState<ResolutionBody['resolution'] | ''>('');
  const [intent, setIntent] = useState('');
  const [topic, setTopic] = useState('');
  const name = useId();
  const body: ResolutionBody | null =
    kind === 'intent' ? (intent ? { resolution: 'intent', intent } : null) : kind === 'new_topic' ? (topic.trim() ? { resolution: 'new_topic', topic: topic.trim() } : null) : kind === 'not_support' ? { resolution: 'not_support' } : null;
  const radio = 'mt-1 h-4 w-4 shrink-0 accent-brand-600';
  return (
    <form
      className="rounded-xl border border-slate-200 bg-white p-4"
      data-testid="handoff-resolve"
      onSubmit={(event) => {
        event.preventDefault();
        if (body) void onResolve(body);
      }}
    >
      <fieldset>
        <legend className="font-semibold text-brand-900">Resolve: what did the customer want?</legend>
        <p className="mt-1 text-xs text-slate-600">The answer labels the message that was handed off, for the next training run.</p>
        <div className="mt-3 space-y-3 text-sm">
          <label className="flex items-start gap-2">
            <input type="radio" name={name} value="intent" checked={kind === 'intent'} onChange={() => setKind('intent')} className={radio} data-testid="resolve-kind-intent" />
            <span className="min-w-0 flex-1">
              Something the bot knows
              <select
                aria-label="Intent"
                value={intent}
                onChange={(event) => {
                  setIntent(event.target.value);
                  setKind('intent');
                }}
                className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5"
                data-testid="resolve-intent"
              >
                <option value="">Choose an intent…</option>
                {intents.map((choice) => (
                  <option key={choice.intent} value={choice.intent}>
                    {choice.label}
                  </option>
                ))}
              </select>
            </span>
          </label>
          <label className="flex items-start gap-2">
            <input type="radio" name={name} value="new_topic" checked={kind === 'new_topic'} onChange={() => setKind('new_topic')} className={radio} data-testid="resolve-kind-new-topic" />
            <span className="min-w-0 flex-1">
              A new topic
              <input
                aria-label="New topic's name"
                value={topic}
                maxLength={MAX_TOPIC_LENGTH}
                onChange={(event) => {
                  setTopic(event.target.value);
                  setKind('new_topic');
                }}
                placeholder="e.g. Mortgage questions"
                className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5"
                data-testid="resolve-topic"
              />
            </span>
          </label>
          <label className="flex items-start gap-2">
            <input type="radio" name={name} value="not_support" checked={kind === 'not_support'} onChange={() => setKind('not_support')} className={radio} data-testid="resolve-kind-not-support" />
            <span>Not a support request</span>
          </label>
        </div>
      </fieldset>
      <button type="submit" disabled={!body || pending !== null} className="mt-4 min-h-11 rounded-lg bg-emerald-700 px-4 font-medium text-white hover:bg-emerald-800 disabled:bg-slate-300" data-testid="resolve-submit">
        {pending === 'resolve' ? 'Resolving…' : 'Resolve and hand back to the bot'}
      </button>
    </form>
  );
}

function History({ conversation, labelOf }: { conversation: AgentConversation; labelOf: (intent: string) => string }) {
  const resolved = conversation.handoffs.filter((handoff) => handoff.status === 'resolved');
  if (resolved.length === 0) return null;
  return (
    <section aria-labelledby="history-heading" className="rounded-xl border border-slate-200 bg-white p-4" data-testid="handoff-history">
      <h2 id="history-heading" className="font-semibold text-brand-900">
        Earlier hand-offs
      </h2>
      <ul className="mt-2 space-y-1 text-sm">
        {resolved.map((handoff) => (
          <li key={handoff.id} data-testid="handoff-history-entry" data-resolution={handoff.resolution ?? ''}>
            {handoffReasonLabel(handoff.reason)} → resolved{handoff.assignee ? ` by ${handoff.assignee.email}` : ''}:{' '}
            {handoff.resolution === 'intent' && handoff.resolutionIntent ? labelOf(handoff.resolutionIntent) : null}
            {handoff.resolution === 'new_topic' && handoff.resolutionTopic ? (
              <>
                new topic “<VisitorText text={handoff.resolutionTopic} showControls />”
              </>
            ) : null}
            {handoff.resolution === 'not_support' ? 'not a support request' : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
