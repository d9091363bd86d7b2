import type { Metadata } from 'next';
import { FilterError, parseLogQuery, rawParams, toSearchString, type LogQuery, type SearchParams } from '@/lib/admin/filters';
import { labelOf, reviewIntents } from '@/lib/admin/intents';
import { requireAdminPage } from '@/lib/auth/session';
import { listPredictions, type LogPage } from '@/lib/db/queries/admin';
import { AdminShell } from '@/lib/ui/admin/shell';
import { FilterForm } from '@/lib/ui/admin/filter-form';
import { LogTable, Pager } from '@/lib/ui/admin/log-table';

export const metadata: Metadata = { title: 'Prediction log' };

export default async function AdminLogPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const session = await requireAdminPage();
  const search = await searchParams;
  const params = rawParams(search);
  const intents = (await reviewIntents()).map(({ intent, label }) => ({ value: intent, label }));
  let loaded: { query: LogQuery; page: LogPage } | { error: string };
  try {
    const query = parseLogQuery(search);
    loaded = { query, page: await listPredictions(query) };
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    loaded = { error: error.message };
  }
  const exportQuery = (format: string) => `/api/admin/export${toSearchString({ ...params, page: undefined, format })}`;
  const content =
    'error' in loaded ? (
      <p role="alert" className="mt-4 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="admin-filter-error">
        These filters are not valid: {loaded.error}.
      </p>
    ) : (
      <>
        {session.user.role === 'admin' ? (
          <div className="mt-4 flex flex-wrap items-center gap-3 text-sm">
            <span className="text-slate-600">Export this view:</span>
            <a href={exportQuery('csv')} className="text-brand-700 hover:underline" data-testid="export-csv" download>CSV</a>
            <a href={exportQuery('jsonl')} className="text-brand-700 hover:underline" data-testid="export-jsonl" download>JSONL</a>
            <span className="text-slate-400">·</span>
            <a href="/api/admin/export?format=training" className="text-brand-700 hover:underline" data-testid="export-training" download>
              Training data (reviewed messages, text,intent)
            </a>
          </div>
        ) : null}
        <div className="mt-3">
          <LogTable rows={loaded.page.rows} query={loaded.query} params={params} labelOf={await labelOf()} />
          <Pager page={loaded.page.page} pages={loaded.page.pages} total={loaded.page.total} params={params} />
        </div>
      </>
    );
  return (
    <AdminShell session={session} current="log">
      <h1 className="mb-4 text-xl font-semibold text-brand-900">Prediction log</h1>
      <FilterForm params={params} intents={intents} />
      {content}
    </AdminShell>
  );
}
