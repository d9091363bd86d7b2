import Link from 'next/link';
import type { LogQuery, SortField } from '@/lib/admin/filters';
import { toSearchString } from '@/lib/admin/filters';
import type { LogRow } from '@/lib/db/queries/admin';
import { dateTime, decisionLabel, percent, REVIEW_LABELS } from './format';
import { FeedbackBadge } from './feedback-badge';
import { VerificationBadge } from './verification-badge';
import { VisitorText } from '@/lib/ui/text';

function SortHeader({ field, label, query, params }: { field: SortField; label: string; query: LogQuery; params: Record<string, string> }) {
  const active = query.sort === field;
  const nextDir = active && query.dir === 'desc' ? 'asc' : active ? 'desc' : field === 'intent' ? 'asc' : 'desc';
  const href = `/admin${toSearchString({ ...params, sort: field, dir: nextDir, page: undefined })}`;
  return (
    <th scope="col" aria-sort={active ? (query.dir === 'asc' ? 'ascending' : 'descending') : 'none'} className="px-2 py-2 text-left font-medium">
      <Link href={href} data-testid={`sort-${field}`} className="hover:underline">
        {label}
        {active ? (query.dir === 'asc' ? ' ▲' : ' ▼') : ''}
      </Link>
    </th>
  );
}

export function LogTable({ rows, query, params, labelOf, extraColumn }: { rows: (LogRow & { risk?: number })[]; query: LogQuery | null; params: Record<string, string>; labelOf: (intent: string) => string; extraColumn?: 'risk' }) {
  const plain = (label: string) => (
    <th scope="col" className="px-2 py-2 text-left font-medium">
      {label}
    </th>
  );
  return (
    <div className="relative overflow-x-auto rounded-xl border border-slate-200 bg-white">
      <table className="w-full text-sm" data-testid="admin-log-table">
        <thead className="bg-slate-50 text-slate-700">
          <tr>
            {extraColumn === 'risk' ? plain('Risk') : null}
            {query ? <SortHeader field="time" label="Time" query={query} params={params} /> : plain('Time')}
            {plain('Message')}
            {query ? <SortHeader field="intent" label="Intent" query={query} params={params} /> : plain('Intent')}
            {query ? <SortHeader field="confidence" label="Confidence" query={query} params={params} /> : plain('Confidence')}
            {plain('Decision')}
            {plain('Backend')}
            {plain('Feedback')}
            {plain('Review')}
            {plain('Verification')}
            {query ? <SortHeader field="faithfulness" label="Faithfulness" query={query} params={params} /> : plain('Faithfulness')}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={11} className="px-2 py-6 text-center text-slate-500" data-testid="admin-log-empty">
                No predictions match these filters.
              </td>
            </tr>
          ) : null}
          {rows.map((row) => (
            <tr key={row.id} className={`border-t border-slate-100 align-top hover:bg-brand-50/40 ${row.verification === 'mismatch' ? 'bg-red-50' : ''}`} data-testid="admin-log-row" data-prediction-id={row.id}>
              {extraColumn === 'risk' ? <td className="px-2 py-2 font-mono">{row.risk?.toFixed(2)}</td> : null}
              <td className="whitespace-nowrap px-2 py-2 font-mono text-xs text-slate-600">{dateTime(row.createdAt)}</td>
              <td className="max-w-md px-2 py-2">
                <Link href={`/admin/predictions/${row.id}`} className="break-words text-brand-700 hover:underline" data-testid="admin-log-message">
                  <VisitorText text={row.text} showControls />
                </Link>
              </td>
              <td className="px-2 py-2" data-testid="admin-log-intent">
                <span title={row.intent}>{labelOf(row.intent)}</span>
                {row.reviewedIntent && row.reviewedIntent !== row.intent ? <span className="block text-xs text-amber-800">→ {labelOf(row.reviewedIntent)}</span> : null}
              </td>
              <td className="px-2 py-2 text-right font-mono" data-testid="admin-log-confidence">{percent(row.confidence, 1)}</td>
              <td className="px-2 py-2" data-testid="admin-log-decision" data-decision={row.decision}>
                {decisionLabel(row.decision)}
              </td>
              <td className="px-2 py-2">{row.backend}</td>
              <td className="px-2 py-2" data-testid="admin-log-feedback">
                {row.feedback ? <FeedbackBadge helpful={row.feedback === 'up'} /> : <span className="text-slate-400">—</span>}
              </td>
              <td className="px-2 py-2" data-testid="admin-log-review">{REVIEW_LABELS[row.reviewStatus]}</td>
              <td className="px-2 py-2" data-testid="admin-log-verification">
                <VerificationBadge verification={row.verification} />
                {row.verification === 'mismatch' && row.verifiedIntent ? <span className="block text-xs text-red-800">server: {labelOf(row.verifiedIntent)}</span> : null}
              </td>
              <td className="px-2 py-2 text-right font-mono">
                {row.minFaithfulness === null ? '—' : row.minFaithfulness.toFixed(2)}
                {row.methodsDisagree ? <span className="ml-1 text-xs text-amber-700" title="The methods disagree on the most important word">≠</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Pager({ page, pages, total, params, base = '/admin' }: { page: number; pages: number; total: number; params: Record<string, string>; base?: string }) {
  const link = (target: number) => `${base}${toSearchString({ ...params, page: target === 1 ? undefined : target })}`;
  return (
    <nav aria-label="Pages" className="mt-3 flex items-center gap-3 text-sm" data-testid="admin-pager">
      <span data-testid="admin-log-total">
        {total.toLocaleString('en')} prediction{total === 1 ? '' : 's'} · page {page} of {pages}
      </span>
      {page > 1 ? <Link href={link(page - 1)} rel="prev" className="text-brand-700 hover:underline">← Previous</Link> : null}
      {page < pages ? <Link href={link(page + 1)} rel="next" className="text-brand-700 hover:underline" data-testid="admin-next-page">Next →</Link> : null}
    </nav>
  );
}
