import type { Metadata } from 'next';
import Link from 'next/link';
import { labelOf as labelsFor } from '@/lib/admin/intents';
import { OVERVIEW_PERIODS, parseOverviewParams } from '@/lib/admin/overview-params';
import { requireRolePage } from '@/lib/auth/session';
import { limeWordImportance, overview } from '@/lib/db/queries/admin-overview';
import { BarChart, ColumnChart, LineChart } from '@/lib/ui/admin/charts';
import { percent } from '@/lib/ui/admin/format';
import { AdminShell } from '@/lib/ui/admin/shell';
import { methodLabel } from '@/lib/explain';


export const metadata: Metadata = { title: 'Overview' };

function Card({ title, children, wide = false }: { title: string; children: React.ReactNode; wide?: boolean }) {
  return (
    <section className={`min-w-0 rounded-xl border border-slate-200 bg-white p-4 ${wide ? 'lg:col-span-2' : ''}`}>
      <h2 className="mb-2 font-semibold text-brand-900">{title}</h2>
      {children}
    </section>
  );
}

export default async function OverviewPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const session = await requireRolePage('admin');
  const { period, since, intent } = parseOverviewParams(await searchParams);
  const labelOf = await labelsFor();
  const data = await overview(since);
  const chosen = intent ?? data.intents[0]?.intent;
  const words = chosen ? await limeWordImportance(chosen, since) : null;
  const days = [...new Set(data.faithfulness.map((row) => row.day))].sort();
  const methods = [...new Set(data.faithfulness.map((row) => row.method))].sort();
  const given = data.feedback.helpful + data.feedback.unhelpful;
  return (
    <AdminShell session={session} current="overview">
      <div className="flex flex-wrap items-baseline gap-4">
        <h1 className="text-xl font-semibold text-brand-900">Overview</h1>
        <nav aria-label="Period" className="flex flex-wrap gap-2 text-sm">
          {Object.keys(OVERVIEW_PERIODS).map((days) => (
            <Link key={days} href={`/admin/overview?days=${days}${intent ? `&intent=${intent}` : ''}`} aria-current={days === period ? 'page' : undefined} className={days === period ? 'font-semibold text-brand-900' : 'text-brand-700 hover:underline'}>
              {days} days
            </Link>
          ))}
        </nav>
      </div>
      <p className="mt-1 text-sm text-slate-600" data-testid="overview-summary">
        {data.total.toLocaleString('en')} predictions since {since.toISOString().slice(0, 10)} · feedback on {percent(data.feedback.replies ? given / data.feedback.replies : 0, 1)} of replies, {percent(given ? data.feedback.helpful / given : null, 0)} helpful
      </p>
      <div className="mt-4 grid grid-cols-1 gap-4 lg:grid-cols-2">
        {/* Charts drawn to scale (columns, lines) take one column each, so their text is drawn at one size; bar charts are capped in width. */}
        <Card title="Volume per day">
          <ColumnChart id="volume" title="Predictions per day" data={data.volume.map((row) => ({ label: row.day.slice(5), value: row.count }))} />
        </Card>
        <Card title="Faithfulness (mean comprehensiveness) by method">
          <LineChart id="faithfulness" title="Mean comprehensiveness per method per day" days={days} series={methods.map((method) => ({ name: methodLabel(method), points: days.map((day) => data.faithfulness.find((row) => row.day === day && row.method === method)?.mean ?? null) }))} />
        </Card>
        <Card title="Decisions">
          <BarChart id="decisions" title="Decision mix" data={data.decisions.map((row) => ({ label: row.decision, value: row.count }))} />
        </Card>
        <Card title="Confidence">
          <ColumnChart id="confidence" title="Confidence histogram, tenths" data={data.confidence.map((row) => ({ label: `${row.bin * 10}–${row.bin * 10 + 10}`, value: row.count }))} />
        </Card>
        <Card title="Feedback" wide>
          <BarChart
            id="feedback"
            title="Feedback on replies"
            data={[
              { label: 'Helpful', value: data.feedback.helpful },
              { label: 'Not helpful', value: data.feedback.unhelpful },
              { label: 'No feedback', value: Math.max(0, data.feedback.replies - given) },
            ]}
          />
        </Card>
        <Card title="Intents (top 20)" wide>
          <BarChart id="intents" title="Predictions per intent" data={data.intents.slice(0, 20).map((row) => ({ label: labelOf(row.intent), value: row.count }))} />
        </Card>
        <Card title="Words that drive an intent (mean LIME weight)" wide>
          <form action="/admin/overview" method="get" className="mb-2 flex flex-wrap items-center gap-2 text-sm">
            <input type="hidden" name="days" value={period} />
            <label className="min-w-0 max-w-full">
              Intent{' '}
              <select name="intent" defaultValue={chosen} className="max-w-full min-w-0 rounded-md border border-slate-300 px-2 py-1" data-testid="overview-intent">
                {data.intents.map((row) => (
                  <option key={row.intent} value={row.intent}>{labelOf(row.intent)} ({row.count})</option>
                ))}
              </select>
            </label>
            <button type="submit" className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-100">Show</button>
          </form>
          {words && words.words.length ? (
            <>
              <p className="text-xs text-slate-600">Over {words.explanations} stored LIME explanations of {labelOf(chosen!)}; words seen at least twice.</p>
              <BarChart id="words" title={`Mean LIME weight per word for ${labelOf(chosen!)}`} data={words.words.map((w) => ({ label: w.word, value: w.mean }))} format={(v) => v.toFixed(3)} />
            </>
          ) : (
            <p className="text-sm text-slate-500">No stored LIME explanations for this intent in the period.</p>
          )}
        </Card>
      </div>
    </AdminShell>
  );
}
