import Link from 'next/link';
import { DECISIONS } from '@/lib/records/turn';
import { DECISION_LABELS } from './format';

type Option = { value: string; label: string };

const field = 'mt-1 w-full rounded-md border border-slate-300 px-2 py-1 text-sm';

function Select({ name, label, options, value }: { name: string; label: string; options: Option[]; value?: string }) {
  return (
    <label className="text-xs font-medium text-slate-700">
      {label}
      <select name={name} defaultValue={value ?? ''} className={field} data-testid={`filter-${name}`}>
        <option value="">All</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}

function Input({ name, label, value, type = 'text', step, placeholder }: { name: string; label: string; value?: string; type?: string; step?: string; placeholder?: string }) {
  return (
    <label className="text-xs font-medium text-slate-700">
      {label}
      <input name={name} type={type} step={step} placeholder={placeholder} defaultValue={value ?? ''} className={field} data-testid={`filter-${name}`} />
    </label>
  );
}

/** A plain GET form: submitting puts the filters in the URL, so views can be shared and the back button works. */
export function FilterForm({ params, intents }: { params: Record<string, string>; intents: Option[] }) {
  return (
    <form action="/admin" method="get" role="search" aria-label="Filter the log" className="grid grid-cols-2 gap-3 rounded-xl border border-slate-200 bg-white p-4 md:grid-cols-4 lg:grid-cols-6" data-testid="admin-filters">
      <div className="col-span-2">
        <Input name="q" label="Search messages" value={params.q} type="search" placeholder="words in the message" />
      </div>
      <Select name="intent" label="Intent" value={params.intent} options={intents} />
      <Select name="decision" label="Decision" value={params.decision} options={DECISIONS.map((decision) => ({ value: decision, label: DECISION_LABELS[decision] }))} />
      <Select name="feedback" label="Feedback" value={params.feedback} options={[{ value: 'up', label: 'Helpful' }, { value: 'down', label: 'Not helpful' }, { value: 'any', label: 'Any feedback' }, { value: 'none', label: 'No feedback' }]} />
      <Select
        name="review"
        label="Review"
        value={params.review}
        options={[{ value: 'unreviewed', label: 'Unreviewed' }, { value: 'reviewed', label: 'Correct or relabelled' }, { value: 'correct', label: 'Correct' }, { value: 'relabelled', label: 'Relabelled' }, { value: 'flagged', label: 'Flagged' }]}
      />
      <Input name="minConf" label="Confidence from" value={params.minConf} type="number" step="0.01" placeholder="0" />
      <Input name="maxConf" label="Confidence to" value={params.maxConf} type="number" step="0.01" placeholder="1" />
      <Input name="from" label="From date" value={params.from} type="date" />
      <Input name="to" label="To date" value={params.to} type="date" />
      <Input name="faithBelow" label="Faithfulness below" value={params.faithBelow} type="number" step="0.01" />
      <Select name="disagree" label="Methods disagree" value={params.disagree} options={[{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }]} />
      <Select name="verification" label="Verification" value={params.verification} options={[{ value: 'pending', label: 'Pending' }, { value: 'verified', label: 'Verified' }, { value: 'mismatch', label: 'Mismatch' }, { value: 'failed', label: 'Failed' }]} />
      <Select name="backend" label="Backend" value={params.backend} options={[{ value: 'webgpu', label: 'WebGPU' }, { value: 'wasm', label: 'WebAssembly' }, { value: 'cpu', label: 'CPU' }]} />
      {params.sort ? <input type="hidden" name="sort" value={params.sort} /> : null}
      {params.dir ? <input type="hidden" name="dir" value={params.dir} /> : null}
      <label className="text-xs font-medium text-slate-700">
        Rows per page
        <select name="size" defaultValue={params.size ?? '50'} className={field} data-testid="filter-size">
          {['25', '50', '100'].map((size) => (
            <option key={size} value={size}>
              {size}
            </option>
          ))}
        </select>
      </label>
      <div className="col-span-2 flex items-end gap-2">
        <button type="submit" className="rounded-md bg-brand-600 px-4 py-1.5 text-sm font-medium text-white hover:bg-brand-700" data-testid="filter-apply">
          Apply
        </button>
        <Link href="/admin" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100">
          Clear
        </Link>
      </div>
    </form>
  );
}
