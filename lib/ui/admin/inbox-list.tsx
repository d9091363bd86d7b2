'use client';

import Link from 'next/link';
import type { InboxEntry, InboxPage } from '@/lib/ingest/handoff-service';
import { VisitorText } from '@/lib/ui/text';
import { formatWait, handoffReasonLabel, type InboxView } from './format';
import { usePolledJson } from './use-polled-json';


/** How often the open inbox asks again: a new hand-off shows within seconds, without a reload. */
const INBOX_INTERVAL_MS = 3000;

const EMPTY: Record<InboxView, string> = {
  waiting: 'Nobody is waiting for a person.',
  mine: 'You hold no conversation.',
  assigned: 'No conversation is held by the team.',
};

/** One view of the inbox, oldest first, kept current by polling the inbox route. */
export function InboxList({ view, page, initial }: { view: InboxView; page: number; initial: InboxPage }) {
  const { data, stale } = usePolledJson<InboxPage>(`/api/admin/inbox?status=${view}&page=${page}`, initial, INBOX_INTERVAL_MS);
  return (
    <div className="mt-4 max-w-4xl" data-testid="inbox-list" data-view={view}>
      <p className="text-sm text-slate-600" aria-live="polite" data-testid="inbox-total">
        {data.total === 0 ? EMPTY[view] : `${data.total.toLocaleString('en')} ${data.total === 1 ? 'conversation' : 'conversations'}, the longest waiting first.`}
        {stale ? <span className="ml-2 text-amber-800">Not up to date: the server did not answer.</span> : null}
      </p>
      {data.rows.length > 0 ? (
        <ul className="mt-3 divide-y divide-slate-200 overflow-hidden rounded-xl border border-slate-200 bg-white">
          {data.rows.map((row) => (
            <InboxRow key={row.handoffId} row={row} view={view} />
          ))}
        </ul>
      ) : null}
      {data.pages > 1 ? (
        <nav aria-label="Pages" className="mt-3 flex items-center gap-3 text-sm">
          {page > 1 ? (
            <Link href={`/admin/inbox?status=${view}&page=${page - 1}`} className="text-brand-700 hover:underline">
              ← Previous page
            </Link>
          ) : null}
          <span>
            Page {page} of {data.pages}
          </span>
          {page < data.pages ? (
            <Link href={`/admin/inbox?status=${view}&page=${page + 1}`} className="text-brand-700 hover:underline">
              Next page →
            </Link>
          ) : null}
        </nav>
      ) : null}
    </div>
  );
}

function InboxRow({ row, view }: { row: InboxEntry; view: InboxView }) {
  return (
    <li data-testid="inbox-row" data-conversation={row.conversationId} data-reason={row.reason}>
      <Link href={`/admin/inbox/${row.conversationId}`} className="flex items-start gap-4 px-4 py-3 hover:bg-slate-50 focus-visible:bg-slate-50">
        <span className="min-w-0 flex-1">
          <span className="line-clamp-2 break-words text-slate-900" data-testid="inbox-text">
            <VisitorText text={row.triggerText} showControls />
          </span>
          <span className="mt-1 flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-slate-600">
            <span className="rounded-full bg-amber-100 px-2 py-0.5 font-medium text-amber-950">{handoffReasonLabel(row.reason)}</span>
            {row.assignee ? <span className="min-w-0 truncate">with {row.assignee.email}</span> : null}
          </span>
        </span>
        <span className="shrink-0 text-right" data-testid="inbox-wait">
          <span className="block text-sm font-semibold whitespace-nowrap text-slate-900 tabular-nums">{formatWait(row.waitSeconds)}</span>
          <span className="block text-xs text-slate-500">{view === 'waiting' ? 'waiting' : 'waited'}</span>
        </span>
      </Link>
    </li>
  );
}
