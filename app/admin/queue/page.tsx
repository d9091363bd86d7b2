import type { Metadata } from 'next';
import { labelOf } from '@/lib/admin/intents';
import { requireAdminPage } from '@/lib/auth/session';
import { reviewQueue } from '@/lib/db/queries/admin';
import { LogTable, Pager } from '@/lib/ui/admin/log-table';
import { AdminShell } from '@/lib/ui/admin/shell';

export const metadata: Metadata = { title: 'Needs review' };

const SIZE = 50;

export default async function QueuePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const session = await requireAdminPage();
  const raw = (await searchParams).page;
  const page = Math.max(1, Math.min(100_000, Number(Array.isArray(raw) ? raw[0] : raw) || 1));
  const queue = await reviewQueue(page, SIZE);
  return (
    <AdminShell email={session.user.email} csrfToken={session.csrfToken} current="queue">
      <h1 className="text-xl font-semibold text-brand-900">Needs review</h1>
      <p className="mt-1 max-w-3xl text-sm text-slate-600">
        Unreviewed and flagged predictions, riskiest first. Risk = 3 × (1 − confidence) + 3 for a thumbs down + 3 when the server’s check gave another intent (1.5 when it
        failed) + 2 when the lowest faithfulness is below 0.1 (1 below 0.25) + 1 when the methods disagree on the top word + 1.5 for a hand-off (0.5 for a clarifying
        question) + 1 when flagged.
      </p>
      <div className="mt-4" data-testid="admin-queue">
        <LogTable rows={queue.rows} query={null} params={{}} labelOf={labelOf()} extraColumn="risk" />
        <Pager page={page} pages={Math.max(1, Math.ceil(queue.total / SIZE))} total={queue.total} params={{}} base="/admin/queue" />
      </div>
    </AdminShell>
  );
}
