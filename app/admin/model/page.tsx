import type { Metadata } from 'next';
import { intentNames } from '@/lib/admin/intents';
import { modelPageBotId, modelPageData } from '@/lib/admin/model';
import { requireRolePage } from '@/lib/auth/session';
import { shortVersion } from '@/lib/bot/registry';
import { AuditSection, AuditWarnings } from '@/lib/ui/admin/model-audit';
import { ModelCardSection } from '@/lib/ui/admin/model-card';
import { BotSelector } from '@/lib/ui/admin/bot-selector';
import { AuditHistory } from '@/lib/ui/admin/model-page';
import { AdminShell } from '@/lib/ui/admin/shell';

export const metadata: Metadata = { title: 'Model' };

export default async function ModelPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const session = await requireRolePage('admin', 'agent');
  const data = await modelPageData(modelPageBotId((await searchParams).bot));
  const flips = data.audit && data.audit.kind !== 'none' ? data.audit.report.worstFlips : [];
  const names = await intentNames(data.bot.id, flips.flatMap((flip) => [flip.originalIntent, flip.variantIntent]));
  return (
    <AdminShell session={session} current="model">
      <div className="flex flex-wrap items-baseline justify-between gap-x-6 gap-y-2">
        <h1 className="text-xl font-semibold text-brand-900">Model</h1>
        {data.bots.length > 1 ? <BotSelector bots={data.bots} current={data.bot.id} action="/admin/model" testId="model-bot" /> : null}
      </div>
      <p className="mt-1 max-w-3xl text-sm text-slate-600">
        {data.active ? (
          <>
            {data.bot.name}: the active model version,{' '}
            <code className="text-xs" title={data.active.hash} data-testid="model-active-version">
              {shortVersion(data.active.hash)}
            </code>{' '}
            ({data.active.source === 'bundled' ? 'the version this build ships' : 'registered later'}), which the chat serves, and what the behavioural audit found for this version.
          </>
        ) : (
          <>{data.bot.name}: no model version is stored for this bot.</>
        )}
      </p>
      <div className="mt-4 space-y-6">
        {data.card ? (
          <>
            <AuditWarnings warnings={data.warnings} />
            <ModelCardSection card={data.card} />
            {data.audit ? <AuditSection audit={data.audit} notes={data.auditNotes} version={data.card.version} intentNames={names} /> : null}
          </>
        ) : (
          <p className="rounded-xl border border-slate-200 bg-white p-4 text-sm" data-testid="model-missing">
            {data.cardProblem}
          </p>
        )}
        <AuditHistory history={data.history} />
      </div>
    </AdminShell>
  );
}
