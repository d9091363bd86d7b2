import type { ModelPageData } from '@/lib/admin/model';
import { shortVersion } from '@/lib/bot/registry';
import { formatDuration } from '@/lib/ui/explain/format';
import { dateTime } from './format';
import { Section } from './model-parts';

/** Which bot's model the page shows: a plain form, so it works without script. */
export function BotSelector({ bots, current }: { bots: ModelPageData['bots']; current: string }) {
  return (
    <form action="/admin/model" method="get" className="flex flex-wrap items-center gap-2 text-sm">
      <label className="flex min-w-0 items-center gap-2">
        Bot
        <select name="bot" defaultValue={current} className="max-w-full min-w-0 rounded-md border border-slate-300 px-2 py-1" data-testid="model-bot">
          {bots.map((bot) => (
            <option key={bot.id} value={bot.id}>
              {bot.name} ({bot.id})
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-100">Show</button>
    </form>
  );
}

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
