'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { adminPost } from './csrf-fetch';

/** The longest reason the change log keeps (lib/model/versions.ts `MAX_REASON_LENGTH`). */
const MAX_REASON = 500;

export type VersionChangeKind = 'promote' | 'rollback' | 'retire';

const WORDS: Record<VersionChangeKind, { open: string; confirm: string; consequence: string; tone: string }> = {
  promote: {
    open: 'Promote',
    confirm: 'Confirm: promote',
    consequence: 'Every customer is answered by this version from their next message; the version served now stays one click away.',
    tone: 'bg-brand-600 text-white hover:bg-brand-700',
  },
  rollback: {
    open: 'Roll back to',
    confirm: 'Confirm: roll back to',
    consequence: 'Every customer is answered by that version again from their next message.',
    tone: 'bg-brand-600 text-white hover:bg-brand-700',
  },
  retire: {
    open: 'Retire',
    confirm: 'Confirm: retire',
    consequence: 'A retired version is no longer served to any browser and cannot be promoted again; predictions that name it can no longer be checked against it.',
    tone: 'bg-red-700 text-white hover:bg-red-800',
  },
};

/**
 * One change an admin makes to a bot's model versions (promote, roll back, retire): a button
 * that opens a form asking for the reason, which the change log keeps, and a confirming button.
 * After the change the page is shown again with its new state and a notice of the change
 * (`?changed=<id>`); a refusal is said where the form is.
 */
export function VersionChange({ bot, kind, version, shortName, csrfToken }: { bot: string; kind: VersionChangeKind; version: string; shortName: string; csrfToken: string }) {
  const router = useRouter();
  const words = WORDS[kind];
  const formId = useId();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [state, setState] = useState<{ kind: 'idle' | 'busy' } | { kind: 'error'; message: string }>({ kind: 'idle' });
  const opener = useRef<HTMLButtonElement>(null);
  const field = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (open) field.current?.focus();
  }, [open]);

  function close() {
    setOpen(false);
    setReason('');
    setState({ kind: 'idle' });
    // Back where the reader was.
    requestAnimationFrame(() => opener.current?.focus());
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!reason.trim()) {
      setState({ kind: 'error', message: 'Write why: the change log keeps the reason with your name.' });
      field.current?.focus();
      return;
    }
    setState({ kind: 'busy' });
    const body = kind === 'rollback' ? { reason } : { version, reason };
    const response = await adminPost(`/api/admin/models/${encodeURIComponent(bot)}/${kind}`, csrfToken, body).catch(() => null);
    const answer = (await response?.json().catch(() => null)) as { change?: { id?: string }; error?: { message?: string } } | null;
    if (response?.ok && answer?.change?.id) {
      router.replace(`/admin/candidates?bot=${encodeURIComponent(bot)}&changed=${encodeURIComponent(answer.change.id)}`, { scroll: true });
      return;
    }
    setState({ kind: 'error', message: answer?.error?.message ?? (response ? `The server answered ${response.status}.` : 'The server could not be reached; nothing changed.') });
  }

  const busy = state.kind === 'busy';
  const errorId = `${formId}-error`;
  return (
    <div className="min-w-0" data-testid={`version-${kind}`}>
      <button
        ref={opener}
        type="button"
        onClick={() => (open ? close() : setOpen(true))}
        aria-expanded={open}
        aria-controls={open ? formId : undefined}
        className={`rounded-md px-3 py-1.5 text-sm font-medium ${words.tone}`}
        data-testid={`version-${kind}-open`}
      >
        {kind === 'rollback' ? (
          <>
            {words.open} <code className="text-xs">{shortName}</code>
          </>
        ) : (
          `${words.open}…`
        )}
      </button>
      {open ? (
        <form id={formId} onSubmit={submit} className="mt-2 max-w-xl space-y-2 rounded-lg border border-slate-300 bg-slate-50 p-3" data-testid={`version-${kind}-form`} noValidate>
          <p className="text-sm text-slate-800">{words.consequence}</p>
          <label className="block text-sm font-medium text-slate-900" htmlFor={`${formId}-reason`}>
            Reason (required; kept in the change log)
          </label>
          <textarea
            ref={field}
            id={`${formId}-reason`}
            value={reason}
            onChange={(event) => {
              setReason(event.target.value);
              if (state.kind === 'error') setState({ kind: 'idle' });
            }}
            maxLength={MAX_REASON}
            rows={3}
            required
            aria-invalid={state.kind === 'error' && !reason.trim() ? true : undefined}
            aria-describedby={`${formId}-count${state.kind === 'error' ? ` ${errorId}` : ''}`}
            className="w-full rounded-md border border-slate-300 bg-white px-2 py-1 text-sm"
            data-testid="version-reason"
          />
          <p id={`${formId}-count`} className="text-xs text-slate-600">
            {reason.length} of {MAX_REASON} characters. Personal data in it is masked before it is stored.
          </p>
          {state.kind === 'error' ? (
            <p id={errorId} role="alert" className="text-sm text-red-800" data-testid="version-error">
              {state.message}
            </p>
          ) : null}
          <div className="flex flex-wrap gap-2">
            <button type="submit" disabled={busy} className={`rounded-md px-3 py-1.5 text-sm font-medium disabled:opacity-50 ${words.tone}`} data-testid={`version-${kind}-confirm`}>
              {busy ? 'Saving…' : (
                <>
                  {words.confirm} <code className="text-xs">{shortName}</code>
                </>
              )}
            </button>
            <button type="button" onClick={close} disabled={busy} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100">
              Cancel
            </button>
          </div>
        </form>
      ) : null}
    </div>
  );
}

/** The notice of the change just made, focused when it appears so that a screen reader reads it. */
export function ChangeNotice({ children }: { children: React.ReactNode }) {
  const notice = useRef<HTMLDivElement>(null);
  useEffect(() => notice.current?.focus(), []);
  return (
    <div ref={notice} tabIndex={-1} role="status" className="rounded-xl border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-950 focus:outline-2 focus:outline-emerald-600" data-testid="change-notice">
      {children}
    </div>
  );
}
