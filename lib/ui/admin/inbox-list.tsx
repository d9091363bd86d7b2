'use client';

import Link from 'next/link';
import type { InboxEntry, InboxPage } from '@/lib/handoff/service';
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
    <div className="mt-4" data-testid="inbox-list" data-view={view}>
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
  const waited = formatWait(row.waitSeconds);
  return (
    <li data-testid="inbox-row" data-conversation={row.conversationId} data-reason={row.reason}>
      <Link
        href={`/admin/inbox/${row.conversationId}`}
        className="grid grid-cols-[minmax(0,1fr)_auto] items-start gap-x-4 gap-y-1 px-4 py-3 hover:bg-slate-50 focus-visible:bg-slate-50 sm:grid-cols-[minmax(0,1fr)_10rem_7rem]"
      >
        <span className="min-w-0">
          <span className="line-clamp-2 break-words text-slate-900" data-testid="inbox-text">
            <VisitorText text={row.triggerText} showControls />
          </span>
          <span className="mt-0.5 block text-xs text-slate-600">
            {handoffReasonLabel(row.reason)}
            {row.assignee ? <> · with {row.assignee.email}</> : null}
          </span>
        </span>
        <span className="hidden text-sm text-slate-600 sm:block">{row.claimedAt ? 'Claimed' : 'Waiting'}</span>
        <span className="text-right text-sm font-medium whitespace-nowrap text-slate-900 tabular-nums" data-testid="inbox-wait">
          <span className="sr-only">{view === 'waiting' ? 'Waiting for ' : 'Waited '}</span>
          {waited}
        </span>
      </Link>
    </li>
  );
}
