'use client';

import { useChat } from '@ai-sdk/react';
import { useCallback, useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { intentLabel, loadBotContent } from '@/lib/bot/answers';
import { explanationsOf, messageText, toChatMessages, withExplanations, type ChatMessage, type ChatMetadata } from '@/lib/chat/messages';
import { devicePreferenceFrom } from '@/lib/chat/protocol';
import { MAX_MESSAGE_LENGTH, type RestoredConversation } from '@/lib/records/turn';
import { ChatSession, type ModelState } from '@/lib/chat/session';
import { MessageBubble } from './message-bubble';
import { ModelStatus } from './model-status';
import { SavingStatus } from './saving-status';
import { VisitorText } from '@/lib/ui/text';

export type ExplainState =
  | { status: 'computing'; progress?: { done: number; total: number; method?: string } }
  | { status: 'ready' }
  | { status: 'failed'; error: string };

/** One object for every stored-explanation reply, so memoised bubbles see no change. */
const EXPLAINED: ExplainState = { status: 'ready' };

/** The customer-service chat: the model runs in the browser, the reply shows at once. */
export function Chat({ bot, runtimePath }: { bot: string; runtimePath: string }) {
  const [session] = useState(() => new ChatSession(loadBotContent(bot)));
  const { content } = session;
  const [model, setModel] = useState<ModelState>({ status: 'loading', progress: null });
  const [restoring, setRestoring] = useState(true);
  const [explaining, setExplaining] = useState<Record<string, ExplainState>>({});
  const requested = useRef(new Set<string>());
  const restoredIds = useRef(new Set<string>());
  // Messages sent before the assistant could answer them (the model still loading, or the
  // previous reply under way) wait here, shown, and go out one at a time once it can.
  const [waiting, setWaiting] = useState<{ id: string; text: string; metadata: ChatMetadata }[]>([]);
  const [draft, setDraft] = useState('');
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const endRef = useRef<HTMLDivElement>(null);
  const inputId = useId();

  useEffect(
    () => session.start({ runtimePath, device: devicePreferenceFrom(window.location.search), onState: setModel }),
    [session, runtimePath],
  );

  const { messages, sendMessage, setMessages, status, error, clearError } = useChat<ChatMessage>({
    transport: session.transport,
    generateId: () => crypto.randomUUID(),
  });

  // Restore this visitor's conversation from the server, once.
  useEffect(() => {
    const conversation = session.resumeConversation();
    let cancelled = false;
    // A new conversation has nothing to restore; a 404 means nothing was stored yet. Records a
    // previous visit left in the outbox go first, so that what is restored includes them.
    const flushed = session.outbox.flush();
    const stored = conversation.isNew ? Promise.resolve(null) : flushed.then(() => fetch(`/api/conversations/${conversation.id}`));
    stored
      .then(async (response) => {
        if (!response || response.status === 404) return;
        if (!response.ok) throw new Error(`the server answered ${response.status}`);
        const restored = (await response.json()) as RestoredConversation;
        if (cancelled) return;
        for (const message of restored.messages) restoredIds.current.add(message.id);
        setMessages(toChatMessages(restored));
      })
      // Not restored: new messages would take the places of stored ones and be refused, so
      // they start a new conversation (the earlier one stays stored, its waiting records too).
      .catch(() => !cancelled && session.startNewConversation())
      .finally(() => !cancelled && setRestoring(false));
    return () => {
      cancelled = true;
    };
  }, [session, setMessages]);

  // Keep the newest message in view.
  useEffect(() => {
    endRef.current?.scrollIntoView({ block: 'end' });
  }, [messages, status, waiting.length]);

  const ready = model.status === 'ready' && !restoring;

  // Read through a ref so that `explain` keeps its identity while messages change (the
  // message bubbles are memoised on their callbacks).
  const messagesRef = useRef(messages);
  useEffect(() => {
    messagesRef.current = messages;
  }, [messages]);
  const explain = useCallback(
    (message: ChatMessage) => {
      const prediction = message.metadata?.prediction;
      if (!prediction || requested.current.has(message.id)) return;
      const current = messagesRef.current;
      const index = current.findIndex((m) => m.id === message.id);
      const question = index > 0 ? current[index - 1] : undefined;
      if (!question || question.role !== 'user') return;
      requested.current.add(message.id);
      setExplaining((current) => ({ ...current, [message.id]: { status: 'computing' } }));
      session
        .explain(messageText(question), prediction, (progress) =>
          setExplaining((current) => ({ ...current, [message.id]: { status: 'computing', progress } })),
        )
        .then((explanations) => {
          setMessages((current) => current.map((m) => (m.id === message.id ? withExplanations(m, explanations) : m)));
          setExplaining((current) => ({ ...current, [message.id]: { status: 'ready' } }));
        })
        .catch((failure: Error) => {
          requested.current.delete(message.id);
          setExplaining((current) => ({ ...current, [message.id]: { status: 'failed', error: failure.message } }));
        });
    },
    [session, setMessages],
  );

  // Each new reply is explained right after it shows, in the worker: typing is never blocked.
  // Replies restored from an earlier visit are explained when their panel is opened.
  useEffect(() => {
    if (model.status !== 'ready' || status !== 'ready') return;
    for (const message of messages) {
      if (message.role === 'assistant' && !restoredIds.current.has(message.id) && !explanationsOf(message)) explain(message);
    }
  }, [messages, model.status, status, explain]);
  const busy = status === 'submitted' || status === 'streaming';
  const failed = model.status === 'failed';

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
          <p className="text-xs text-slate-600">Every answer can be explained: tap &ldquo;Why this answer?&rdquo;.</p>
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
            botName={content.name}
            handoffOffer={content.handoff.offer}
            disabled={failed}
            onQuickReply={quickReply}
            onChoose={choose}
            onHandoff={handoff}
            onFeedback={saveFeedback}
            explainState={explaining[message.id] ?? (explanationsOf(message) ? EXPLAINED : undefined)}
            onExplain={explain}
            labelOf={labelOf}
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
        {busy && (
          <p data-testid="typing" className="text-sm text-slate-500">
            {content.name} is answering…
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
          placeholder="Type your question…"
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
