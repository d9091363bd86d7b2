'use client';

import { useChat } from '@ai-sdk/react';
import { useCallback, useEffect, useId, useMemo, useRef, useState, useSyncExternalStore, type FormEvent, type KeyboardEvent } from 'react';
import { intentLabel, loadBotContent } from '@/lib/bot/answers';
import { questionsByReply, withTeamUpdates, type ChatMessage, type ChatMetadata } from '@/lib/chat/messages';
import { devicePreferenceFrom } from '@/lib/chat/protocol';
import { DEFAULT_LANGUAGE } from '@/lib/model/card';
import { MAX_MESSAGE_LENGTH } from '@/lib/records/turn';
import { ChatSession } from '@/lib/chat/session';
import { MessageBubble } from './message-bubble';
import { ModelStatus } from './model-status';
import { SavingStatus } from './saving-status';
import { VisitorText } from '@/lib/ui/text';

/**
 * The customer-service chat: the model runs in the browser, the reply shows at once. `version`
 * is the model version the bot served when the page was made (null: none); before each message
 * the session asks which one it serves now.
 */
export function Chat({ bot, version, runtimePath }: { bot: string; version: string | null; runtimePath: string }) {
  const [session] = useState(() => new ChatSession(loadBotContent(bot)));
  const { content } = session;
  const modelState = useCallback(() => session.getState().model, [session]);
  const model = useSyncExternalStore(session.subscribe, modelState, modelState);
  const handoffState = useCallback(() => session.getState().handoff, [session]);
  const team = useSyncExternalStore(session.subscribe, handoffState, handoffState);
  const [restoring, setRestoring] = useState(true);
  // Messages sent before the assistant could answer them (the model still loading, or the
  // previous reply under way) wait here, shown, and go out one at a time once it can.
  const [waiting, setWaiting] = useState<{ id: string; text: string; metadata: ChatMetadata }[]>([]);
  const [draft, setDraft] = useState('');
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const endRef = useRef<HTMLDivElement>(null);
  const inputId = useId();

  useEffect(() => session.start({ runtimePath, version, device: devicePreferenceFrom(window.location.search) }), [session, runtimePath, version]);

  const { messages, sendMessage, setMessages, status, error, clearError } = useChat<ChatMessage>({
    transport: session.transport,
    generateId: () => crypto.randomUUID(),
  });
  const questions = useMemo(() => questionsByReply(messages), [messages]);

  // Show this visitor's conversation as the server stored it, once.
  useEffect(() => {
    let cancelled = false;
    void session.restoreConversation().then((restored) => {
      if (cancelled) return;
      if (restored.length > 0) setMessages(restored);
      setRestoring(false);
    });
    return () => {
      cancelled = true;
    };
  }, [session, setMessages]);

  // Keep the newest message in view.
  useEffect(() => {
    endRef.current?.scrollIntoView({ block: 'end' });
  }, [messages, status, waiting.length]);

  const ready = model.status === 'ready' && !restoring;
  const busy = status === 'submitted' || status === 'streaming';
  const failed = model.status === 'failed';
  // The bot's language, from its model card once the model is ready.
  const language = model.status === 'ready' ? model.ready.model.language : DEFAULT_LANGUAGE;

  // The team's messages and "A person from the team has joined" join the conversation as they
  // arrive; never while a reply streams in (useChat writes the reply into the last message).
  const claimedAt = team.handoff?.claimedAt ?? null;
  useEffect(() => {
    if (busy || restoring) return;
    setMessages((current) => withTeamUpdates(current, { agentMessages: team.agentMessages, claimedAt }, content.handoff.joined));
  }, [busy, restoring, team.agentMessages, claimedAt, setMessages, content]);
  const withAgent = team.status === 'assigned';
  const teamBusy = team.status === 'waiting' && team.handoff?.busy === true;

  const dispatching = useRef(false);
  const [dispatched, setDispatched] = useState(0);
  useEffect(() => {
    if (!ready || busy || dispatching.current || waiting.length === 0) return;
    const [next] = waiting;
    dispatching.current = true;
    setWaiting((current) => current.slice(1));
    void sendMessage({ text: next!.text, metadata: next!.metadata }).finally(() => {
      dispatching.current = false;
      setDispatched((count) => count + 1);
    });
  }, [ready, busy, waiting, sendMessage, dispatched]);

  const send = useCallback(
    (text: string, metadata: ChatMetadata = { userParts: { kind: 'typed' } }) => {
      const trimmed = text.trim();
      if (!trimmed || failed) return;
      setWaiting((current) => [...current, { id: crypto.randomUUID(), text: trimmed, metadata }]);
    },
    [failed],
  );

  function submit(event?: FormEvent) {
    event?.preventDefault();
    if (!draft.trim() || failed) return;
    send(draft);
    setDraft('');
    inputRef.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // Enter sends; Shift+Enter breaks the line; never send while an IME is composing.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  }

  function startOver() {
    session.startNewConversation();
    setMessages([]);
    inputRef.current?.focus();
  }

  const saveFeedback = useCallback(
    (messageId: string, helpful: boolean, comment?: string) => {
      void session.saveFeedback(messageId, helpful, comment);
      setMessages((current) =>
        current.map((message) =>
          message.id === messageId ? { ...message, metadata: { ...message.metadata, feedback: { helpful, comment: comment ?? null } } } : message,
        ),
      );
    },
    [session, setMessages],
  );
  const quickReply = useCallback((text: string) => send(text, { userParts: { kind: 'quick-reply' } }), [send]);
  const choose = useCallback(
    (intent: string, label: string, predictionId: string | undefined) =>
      send(label, { userParts: { kind: 'clarification', chosenIntent: intent, resolvesPrediction: predictionId } }),
    [send],
  );
  const handoff = useCallback(() => send(content.handoff.offer, { userParts: { kind: 'handoff-request' } }), [send, content]);
  const labelOf = useCallback((intent: string) => intentLabel(content, intent), [content]);

  const empty = !restoring && messages.length === 0 && waiting.length === 0;

  return (
    <main data-testid="chat-shell" className="mx-auto flex h-dvh w-full max-w-2xl min-w-0 flex-col bg-white shadow-sm sm:my-4 sm:h-[calc(100dvh-2rem)] sm:rounded-2xl">
      <header className="flex items-center justify-between gap-3 border-b border-slate-200 px-4 py-3">
        <div className="min-w-0">
          <h1 className="text-base font-semibold text-brand-900">{content.name}</h1>
          {withAgent ? (
            <p className="text-xs text-emerald-900" data-testid="with-agent-status">
              <span aria-hidden="true" className="mr-1 inline-block h-2 w-2 rounded-full bg-emerald-600" />
              You&rsquo;re talking with a person from the team.
            </p>
          ) : (
            <p className="text-xs text-slate-600">Every answer can be explained: tap &ldquo;Why this answer?&rdquo;.</p>
          )}
        </div>
        {messages.length > 0 && (
          <button
            type="button"
            onClick={startOver}
            className="shrink-0 rounded-lg px-2 py-1 text-sm whitespace-nowrap text-brand-700 hover:bg-brand-50"
            data-testid="start-over"
          >
            New conversation
          </button>
        )}
      </header>

      <ModelStatus state={model} />
      <SavingStatus outbox={session.outbox} />

      <section
        role="log"
        aria-label="Conversation"
        aria-live="polite"
        aria-relevant="additions"
        data-testid="message-list"
        className="relative min-w-0 flex-1 space-y-3 overflow-x-hidden overflow-y-auto px-4 py-4"
      >
        <p className="max-w-[85%] rounded-2xl rounded-bl-sm bg-slate-100 px-4 py-2 text-slate-900">{content.greeting}</p>
        {empty && content.starters.length > 0 && (
          <div role="group" aria-label="Questions to start with" className="flex flex-wrap gap-2" data-testid="starters">
            {content.starters.map((question) => (
              <button
                key={question}
                type="button"
                disabled={failed}
                onClick={() => send(question, { userParts: { kind: 'typed' } })}
                className="rounded-full border border-brand-600 px-3 py-1 text-sm text-brand-700 hover:bg-brand-50 disabled:border-slate-300 disabled:text-slate-400"
              >
                {question}
              </button>
            ))}
          </div>
        )}
        {messages.map((message) => (
          <MessageBubble
            key={message.id}
            message={message}
            question={questions.get(message.id)}
            botName={content.name}
            handoffOffer={content.handoff.offer}
            disabled={failed}
            withAgent={withAgent}
            onQuickReply={quickReply}
            onChoose={choose}
            onHandoff={handoff}
            onFeedback={saveFeedback}
            explanations={session}
            labelOf={labelOf}
            language={language}
          />
        ))}
        {waiting.map((message) => (
          <div key={message.id} data-testid="message-waiting" className="flex justify-end">
            <p className="max-w-[85%] rounded-2xl rounded-br-sm bg-brand-600/80 px-4 py-2 break-words whitespace-pre-wrap text-white">
              <span className="sr-only">You said: </span>
              <VisitorText text={message.text} />
            </p>
          </div>
        ))}
        {waiting.length > 0 && !failed && (
          <p role="status" data-testid="waiting-status" className="text-sm text-slate-500">
            {model.status === 'loading' || restoring ? 'One moment, loading… I’ll answer as soon as I’m ready.' : 'One moment…'}
          </p>
        )}
        {waiting.length > 0 && failed && <p className="text-sm text-red-800">Not sent: the assistant could not start.</p>}
        {busy && !withAgent && (
          <p data-testid="typing" className="text-sm text-slate-500">
            {content.name} is answering…
          </p>
        )}
        {teamBusy && (
          <p role="status" data-testid="handoff-busy" className="rounded-xl bg-amber-50 px-4 py-3 text-sm text-amber-950">
            {content.handoff.busy}
          </p>
        )}
        <div ref={endRef} />
      </section>

      {model.status === 'failed' && (
        <div role="alert" data-testid="model-failed" className="mx-4 mb-2 rounded-xl bg-red-50 px-4 py-3 text-sm text-red-900">
          <p className="font-medium">The assistant could not start in this browser.</p>
          <p className="mt-1">{content.handoff.contact}</p>
          <p className="mt-1 text-xs text-red-800">Details: {model.message}</p>
        </div>
      )}
      {error && (
        <div role="alert" className="mx-4 mb-2 flex items-start justify-between gap-3 rounded-xl bg-red-50 px-4 py-3 text-sm text-red-900">
          <p>That message could not be answered: {error.message}</p>
          <button type="button" onClick={clearError} className="shrink-0 underline">
            Dismiss
          </button>
        </div>
      )}

      <form onSubmit={submit} className="flex items-end gap-2 border-t border-slate-200 p-3">
        <label htmlFor={inputId} className="sr-only">
          Your message
        </label>
        <textarea
          id={inputId}
          ref={inputRef}
          data-testid="chat-input"
          rows={1}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onKeyDown}
          placeholder={withAgent ? 'Write to the team…' : 'Type your question…'}
          maxLength={MAX_MESSAGE_LENGTH}
          className="max-h-40 min-h-11 flex-1 resize-none rounded-xl border border-slate-300 px-3 py-2 text-base"
          aria-describedby={`${inputId}-hint`}
        />
        <span id={`${inputId}-hint`} className="sr-only">
          Enter sends, Shift+Enter starts a new line.
        </span>
        <button
          type="submit"
          data-testid="send-button"
          disabled={!draft.trim() || failed}
          className="min-h-11 rounded-xl bg-brand-600 px-4 font-medium text-white disabled:bg-slate-300"
        >
          Send
        </button>
      </form>
    </main>
  );
}
