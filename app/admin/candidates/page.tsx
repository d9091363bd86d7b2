import type { Metadata } from 'next';
import { candidatesBotId, candidatesPageData, CHANGES_SHOWN } from '@/lib/admin/candidates';
import { labelOf as labelsFor } from '@/lib/admin/intents';
import { requireRolePage } from '@/lib/auth/session';
import { ChangeNotice } from '@/lib/ui/admin/candidate-actions';
import { BotSelector } from '@/lib/ui/admin/bot-selector';
import { ActiveSection, CandidateList, ChangeLog, changeNoticeText, RetiredVersions } from '@/lib/ui/admin/candidate-sections';
import { AdminShell } from '@/lib/ui/admin/shell';

export const metadata: Metadata = { title: 'Candidates' };

export default async function CandidatesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  // Agents read the page; only admins change what customers are answered by (as the API allows).
  const session = await requireRolePage('admin', 'agent');
  const params = await searchParams;
  const data = await candidatesPageData(candidatesBotId(params.bot), params.changed);
  const changes = session.user.role === 'admin' ? { csrfToken: session.csrfToken } : null;
  return (
    <AdminShell session={session} current="candidates">
      <div className="flex flex-wrap items-baseline justify-between gap-x-6 gap-y-2">
        <h1 className="text-xl font-semibold text-brand-900">Candidates</h1>
        {data.bots.length > 1 ? <BotSelector bots={data.bots} current={data.bot.id} action="/admin/candidates" testId="candidates-bot" /> : null}
      </div>
      <p className="mt-1 max-w-3xl text-sm text-slate-600">
        {data.bot.name}: the model version customers are answered by, the stored versions that could replace it with what a replay of stored traffic found, and every change.
        {changes ? null : ' Only admins promote, roll back or retire a version.'}
      </p>
      <div className="mt-4 space-y-6">
        {/* Keyed by the change: each new one mounts anew, and takes the focus. */}
        {data.justChanged ? <ChangeNotice key={data.justChanged.id}>{changeNoticeText(data.justChanged)}</ChangeNotice> : null}
        <ActiveSection bot={data.bot.id} active={data.active} previous={data.previous} changes={changes} />
        <CandidateList data={data} labelOf={await labelsFor(data.bot.id)} changes={changes} />
        <RetiredVersions retired={data.retired} changes={data.changes} />
        <ChangeLog changes={data.changes} shown={CHANGES_SHOWN} />
      </div>
    </AdminShell>
  );
}
