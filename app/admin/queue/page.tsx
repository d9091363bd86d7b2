import type { Metadata } from 'next';
import Link from 'next/link';
import { labelOf } from '@/lib/admin/intents';
import { parseQueueParams, QUEUE_PERIODS } from '@/lib/admin/overview-params';
import { requireAdminPage } from '@/lib/auth/session';
import { reviewQueue } from '@/lib/admin/predictions';
import { RISK_PROSE } from '@/lib/admin/risk';
import { LogTable, Pager } from '@/lib/ui/admin/log-table';
import { AdminShell } from '@/lib/ui/admin/shell';

export const metadata: Metadata = { title: 'Needs review' };

const SIZE = 50;

export default async function QueuePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const session = await requireAdminPage();
  const { page, days, since } = parseQueueParams(await searchParams);
  const queue = await reviewQueue(page, SIZE, since);
  const params: Record<string, string> = days === '30' ? {} : { days };
  return (
    <AdminShell session={session} current="queue">
      <h1 className="text-xl font-semibold text-brand-900">Needs review</h1>
      <p className="mt-1 max-w-3xl text-sm text-slate-600">
        Unreviewed and flagged predictions of the period, riskiest first. Risk = {RISK_PROSE}.
      </p>
      <nav aria-label="Period" className="mt-3 flex flex-wrap gap-3 text-sm">
        {QUEUE_PERIODS.map((period) => (
          <Link key={period} href={period === '30' ? '/admin/queue' : `/admin/queue?days=${period}`} aria-current={period === days ? 'page' : undefined} className={period === days ? 'font-semibold text-brand-900' : 'text-brand-700 hover:underline'}>
            {period === 'all' ? 'All time' : `Last ${period} days`}
          </Link>
        ))}
      </nav>
      <div className="mt-4" data-testid="admin-queue">
        <LogTable rows={queue.rows} query={null} params={{}} labelOf={await labelOf()} extraColumn="risk" />
        <Pager page={page} pages={Math.max(1, Math.ceil(queue.total / SIZE))} total={queue.total} params={params} base="/admin/queue" />
      </div>
    </AdminShell>
  );
}
