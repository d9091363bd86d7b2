'use client';

import { useEffect, useState } from 'react';
import type { Outbox, OutboxStatus } from '@/lib/chat/outbox';

export type SavingState = { state: 'idle' } | { state: 'waiting'; status: OutboxStatus } | { state: 'saved' };

/**
 * What the visitor is told about records on their way to the server: nothing while they
 * go through at once; once a send has failed, how many wait; when they are all through
 * after that, that everything is saved.
 */
export function nextSavingState(previous: SavingState, status: OutboxStatus): SavingState {
  if (status.pending > 0 && (status.lastError !== null || previous.state === 'waiting')) return { state: 'waiting', status };
  if (status.pending === 0 && previous.state === 'waiting') return { state: 'saved' };
  return previous;
}

const NOUNS: Record<string, [string, string]> = {
  message: ['message', 'messages'],
  explanations: ['explanation', 'explanations'],
  feedback: ['rating', 'ratings'],
  record: ['record', 'records'],
};

/** "4 messages, 2 explanations and 1 rating": a turn holds two messages (the visitor's and the reply). */
export function describeWaiting(byKind: Record<string, number>): string {
  const counts = new Map<string, number>();
  for (const [kind, n] of Object.entries(byKind)) {
    const noun = kind === 'turn' ? 'message' : kind in NOUNS ? kind : 'record';
    counts.set(noun, (counts.get(noun) ?? 0) + (kind === 'turn' ? 2 * n : n));
  }
  const parts = Object.keys(NOUNS)
    .filter((noun) => (counts.get(noun) ?? 0) > 0)
    .map((noun) => {
      const n = counts.get(noun)!;
      return `${n} ${NOUNS[noun]![n === 1 ? 0 : 1]}`;
    });
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

const SAVED_NOTE_MS = 6000;

/** The outbox's state under the chat's header, announced politely to screen readers. */
export function SavingStatus({ outbox }: { outbox: Outbox }) {
  const [saving, setSaving] = useState<SavingState>({ state: 'idle' });

  useEffect(() => outbox.subscribe((status) => setSaving((previous) => nextSavingState(previous, status))), [outbox]);
  useEffect(() => {
    if (saving.state !== 'saved') return;
    const timer = setTimeout(() => setSaving({ state: 'idle' }), SAVED_NOTE_MS);
    return () => clearTimeout(timer);
  }, [saving.state]);

  const waiting = saving.state === 'waiting' ? saving.status : null;
  return (
    <div
      data-testid="saving-status"
      data-state={saving.state}
      data-pending={waiting?.pending ?? 0}
      className={saving.state === 'idle' ? 'sr-only' : 'mx-4 mb-1 flex flex-wrap items-center gap-x-3 gap-y-1 rounded-lg px-3 py-1.5 text-xs ' + (waiting ? 'bg-amber-50 text-amber-900' : 'bg-emerald-50 text-emerald-900')}
    >
      {/* Always in the page, so that screen readers announce what changes inside it. */}
      <p role="status" aria-live="polite" data-testid="saving-status-text">
        {waiting &&
          (waiting.lastError
            ? `${describeWaiting(waiting.byKind)} waiting to be saved (${waiting.lastError}): kept in this browser and sent as soon as the server answers again.`
            : `Saving ${describeWaiting(waiting.byKind)}…`)}
        {saving.state === 'saved' && 'Everything is saved.'}
      </p>
      {waiting?.lastError && (
        <button type="button" onClick={() => void outbox.flush()} className="rounded-md px-1.5 py-0.5 font-medium underline hover:bg-amber-100" data-testid="saving-retry">
          Try now
        </button>
      )}
    </div>
  );
}
