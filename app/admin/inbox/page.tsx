import type { Metadata } from 'next';
import Link from 'next/link';
import { requireAdminPage } from '@/lib/auth/session';
import { inbox } from '@/lib/ingest/handoff-service';
import { inboxQuerySchema } from '@/lib/records/handoff';
import { INBOX_VIEWS } from '@/lib/ui/admin/format';
import { InboxList } from '@/lib/ui/admin/inbox-list';
import { AdminShell } from '@/lib/ui/admin/shell';

export const metadata: Metadata = { title: 'Inbox' };

export default async function InboxPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const session = await requireAdminPage();
  const search = await searchParams;
  const parsed = inboxQuerySchema.safeParse({ status: typeof search.status === 'string' ? search.status : undefined, page: typeof search.page === 'string' ? search.page : undefined });
  const query = parsed.success ? parsed.data : inboxQuerySchema.parse({});
  const initial = await inbox(query, session);
  return (
    <AdminShell session={session} current="inbox">
      <h1 className="text-xl font-semibold text-brand-900">Inbox</h1>
      <p className="mt-1 max-w-3xl text-sm text-slate-600">Customers the bot handed to a person. Claim one to reply; the bot stays quiet while you hold it.</p>
      <nav aria-label="Inbox views" className="mt-3 flex gap-1 border-b border-slate-200 text-sm">
        {INBOX_VIEWS.map((view) => (
          <Link
            key={view.status}
            href={view.status === 'waiting' ? '/admin/inbox' : `/admin/inbox?status=${view.status}`}
            aria-current={view.status === query.status ? 'page' : undefined}
            className={`-mb-px border-b-2 px-3 py-2 ${view.status === query.status ? 'border-brand-600 font-medium text-brand-900' : 'border-transparent text-slate-600 hover:text-slate-900'}`}
            data-testid={`inbox-view-${view.status}`}
          >
            {view.label}
          </Link>
        ))}
      </nav>
      <InboxList key={`${query.status}-${query.page}`} view={query.status} page={query.page} initial={initial} />
    </AdminShell>
  );
}
