import type { ModelPageData } from '@/lib/admin/model';
import { shortVersion } from '@/lib/bot/registry';
import { formatDuration } from '@/lib/ui/explain/format';
import { dateTime } from './format';
import { Section } from './model-parts';

/** The bot's earlier audits, every version: when the figures last changed. */
export function AuditHistory({ history }: { history: ModelPageData['history'] }) {
  return (
    <Section id="audit-history" title="Audit history">
      {history.length === 0 ? (
        <p className="mt-1 text-sm text-slate-600">No audit of this bot has been stored yet.</p>
      ) : (
        <div className="mt-2 overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Stored audits of this bot, newest first</caption>
            <thead className="text-xs text-slate-500">
              <tr>
                <th scope="col" className="py-1 pr-3 font-medium">Stored</th>
                <th scope="col" className="py-1 font-medium">Model version</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {history.map((row) => (
                <tr key={row.id} className="align-top" data-testid="audit-history-row">
                  <td className="py-1.5 pr-3">
                    <span className="whitespace-nowrap">{dateTime(row.createdAt)}</span>
                    <span className="block text-xs text-slate-500">
                      {row.warnings} {row.warnings === 1 ? 'warning' : 'warnings'} · took {formatDuration(row.seconds * 1000)}
                    </span>
                  </td>
                  <td className="py-1.5">
                    <code className="text-xs break-all" title={row.modelVersion}>
                      {shortVersion(row.modelVersion)}
                    </code>
                    {row.current ? <span className="block text-xs text-slate-600">served now</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
