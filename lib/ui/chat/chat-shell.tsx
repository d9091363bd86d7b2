'use client';

import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';

type ShellMessage = { id: string; role: 'user' | 'assistant'; text: string; placeholder?: boolean };

/**
 * The chat's frame: transcript, composer, keyboard and screen-reader behaviour.
 * Replies are a labelled placeholder until the in-browser model is connected.
 */
export function ChatShell({ botName }: { botName: string }) {
  const [messages, setMessages] = useState<ShellMessage[]>([]);
  const [draft, setDraft] = useState('');
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const inputId = useId();

  function send(event?: FormEvent) {
    event?.preventDefault();
    const text = draft.trim();
    if (!text) return;
    const id = crypto.randomUUID();
    setMessages((previous) => [
      ...previous,
      { id, role: 'user', text },
      {
        id: `${id}-reply`,
        role: 'assistant',
        text: 'Placeholder reply: the in-browser model is not connected yet.',
        placeholder: true,
      },
    ]);
    setDraft('');
    inputRef.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // Enter sends; Shift+Enter breaks the line; never send while an IME is composing.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  }

  return (
    <main data-testid="chat-shell" className="mx-auto flex h-dvh max-w-2xl flex-col bg-white shadow-sm sm:my-4 sm:h-[calc(100dvh-2rem)] sm:rounded-2xl">
      <header className="flex items-center justify-between gap-3 border-b border-slate-200 px-4 py-3">
        <div>
          <h1 className="text-base font-semibold text-brand-900">{botName}</h1>
          <p className="text-xs text-slate-600">Answers are computed in your browser and can be explained.</p>
        </div>
      </header>

      <section
        aria-label="Conversation"
        aria-live="polite"
        aria-relevant="additions"
        data-testid="message-list"
        className="flex-1 space-y-3 overflow-y-auto px-4 py-4"
      >
        {messages.length === 0 && (
          <p className="text-center text-sm text-slate-600">Ask about cards, transfers, top-ups, or your account.</p>
        )}
        {messages.map((message) => (
          <div
            key={message.id}
            data-testid="message"
            data-role={message.role}
            className={message.role === 'user' ? 'flex justify-end' : 'flex justify-start'}
          >
            <p
              className={
                message.role === 'user'
                  ? 'max-w-[85%] whitespace-pre-wrap rounded-2xl rounded-br-sm bg-brand-600 px-4 py-2 text-white'
                  : 'max-w-[85%] whitespace-pre-wrap rounded-2xl rounded-bl-sm bg-slate-100 px-4 py-2 text-slate-900'
              }
            >
              <span className="sr-only">{message.role === 'user' ? 'You said: ' : `${botName} said: `}</span>
              {message.text}
            </p>
          </div>
        ))}
      </section>

      <form onSubmit={send} className="flex items-end gap-2 border-t border-slate-200 p-3">
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
          maxLength={2000}
          className="max-h-40 min-h-11 flex-1 resize-none rounded-xl border border-slate-300 px-3 py-2 text-base"
          aria-describedby={`${inputId}-hint`}
        />
        <span id={`${inputId}-hint`} className="sr-only">
          Enter sends, Shift+Enter starts a new line.
        </span>
        <button
          type="submit"
          data-testid="send-button"
          disabled={!draft.trim()}
          className="min-h-11 rounded-xl bg-brand-600 px-4 font-medium text-white disabled:bg-slate-300"
        >
          Send
        </button>
      </form>
    </main>
  );
}
