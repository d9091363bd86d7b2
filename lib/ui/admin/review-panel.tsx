'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { adminPost } from './csrf-fetch';

type Action = 'correct' | 'relabel' | 'flag' | 'note';

type Choice = { intent: string; label: string };

/** The intents to relabel to: the prediction's runners-up first (most probable first), then the rest; never the predicted one. */
export function relabelChoices(intent: string, intents: Choice[], runnersUp: readonly string[]): { runnersUp: Choice[]; rest: Choice[] } {
  const first = runnersUp.flatMap((name) => intents.filter((entry) => entry.intent === name && entry.intent !== intent));
  const chosen = new Set(first.map((entry) => entry.intent));
  return { runnersUp: first, rest: intents.filter((entry) => entry.intent !== intent && !chosen.has(entry.intent)) };
}

export function ReviewPanel({
  predictionId,
  csrfToken,
  intent,
  intents,
  runnersUp,
}: {
  predictionId: string;
  csrfToken: string;
  intent: string;
  intents: Choice[];
  /** The stored top intents, most probable first. */
  runnersUp: readonly string[];
}) {
  const router = useRouter();
  // Nothing chosen until the reviewer chooses: a preselected intent invites a mis-click.
  const [relabel, setRelabel] = useState('');
  const choices = relabelChoices(intent, intents, runnersUp);
  const [note, setNote] = useState('');
  const [status, setStatus] = useState<{ kind: 'idle' | 'busy' | 'done' | 'error'; message?: string }>({ kind: 'idle' });

  async function send(action: Action) {
    setStatus({ kind: 'busy' });
    const body = { action, ...(action === 'relabel' ? { intent: relabel } : {}), ...(note.trim() ? { note } : {}) };
    const response = await adminPost(`/api/admin/predictions/${predictionId}/review`, csrfToken, body).catch(() => null);
    if (response?.ok) {
      setNote('');
      setStatus({ kind: 'done', message: 'Saved.' });
      router.refresh();
      return;
    }
    const error = (await response?.json().catch(() => null)) as { error?: { message?: string } } | null;
    setStatus({ kind: 'error', message: error?.error?.message ?? 'Could not save the review.' });
  }

  const busy = status.kind === 'busy';
  const button = 'rounded-md px-3 py-1.5 text-sm font-medium disabled:opacity-50';
  return (
    <section aria-labelledby="review-heading" className="rounded-xl border border-slate-200 bg-white p-4" data-testid="admin-review">
      <h2 id="review-heading" className="font-semibold text-brand-900">Review</h2>
      <div className="mt-3 flex flex-wrap gap-2">
        <button type="button" disabled={busy} onClick={() => send('correct')} className={`${button} bg-emerald-600 text-white hover:bg-emerald-700`} data-testid="review-correct">
          Mark correct
        </button>
        <button type="button" disabled={busy} onClick={() => send('flag')} className={`${button} bg-amber-500 text-white hover:bg-amber-600`} data-testid="review-flag">
          Flag
        </button>
      </div>
      <div className="mt-3 flex flex-wrap items-end gap-2">
        <label className="flex min-w-0 max-w-full flex-wrap items-center gap-x-2 gap-y-1 text-sm">
          Relabel to
          <select value={relabel} onChange={(event) => setRelabel(event.target.value)} className="max-w-full min-w-0 rounded-md border border-slate-300 px-2 py-1" data-testid="review-intent">
            <option value="">Choose an intent…</option>
            {choices.runnersUp.length > 0 && (
              <optgroup label="Runners-up for this message">
                {choices.runnersUp.map((entry) => (
                  <option key={entry.intent} value={entry.intent}>
                    {entry.label} ({entry.intent})
                  </option>
                ))}
              </optgroup>
            )}
            <optgroup label={choices.runnersUp.length > 0 ? 'All other intents' : 'All intents'}>
              {choices.rest.map((entry) => (
                <option key={entry.intent} value={entry.intent}>
                  {entry.label} ({entry.intent})
                </option>
              ))}
            </optgroup>
          </select>
        </label>
        <button type="button" disabled={busy || !relabel || relabel === intent} onClick={() => send('relabel')} className={`${button} bg-brand-600 text-white hover:bg-brand-700`} data-testid="review-relabel">
          Relabel
        </button>
      </div>
      <div className="mt-3">
        <label htmlFor="review-note" className="block text-sm">Note (saved with the next action, or on its own)</label>
        <textarea id="review-note" value={note} maxLength={2000} onChange={(event) => setNote(event.target.value)} rows={2} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1 text-sm" data-testid="review-note" />
        <button type="button" disabled={busy || !note.trim()} onClick={() => send('note')} className={`${button} mt-1 border border-slate-300 hover:bg-slate-100`} data-testid="review-add-note">
          Add note
        </button>
      </div>
      <p role="status" className={`mt-2 text-sm ${status.kind === 'error' ? 'text-red-700' : 'text-slate-600'}`} data-testid="review-status">
        {status.message ?? ''}
      </p>
    </section>
  );
}
