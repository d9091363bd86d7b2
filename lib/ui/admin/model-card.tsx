import type { ModelCardView } from '@/lib/admin/model';
import { shortVersion } from '@/lib/bot/registry';
import { percent } from './format';
import { languageName, Section } from './model-parts';

const count = (value: number | null) => (value === null ? '—' : value.toLocaleString('en'));

function megabytes(bytes: number | null): string {
  return bytes === null ? '—' : `${(bytes / 1e6).toFixed(1)} MB`;
}

function createdAt(created: string | null): string {
  if (!created) return '—';
  const date = new Date(created);
  return Number.isNaN(date.getTime()) ? created : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** One figure of the card in a tile: its name, its value, and what it is about. */
function Figure({ name, value, note, testId }: { name: string; value: string; note?: string; testId: string }) {
  return (
    <div className="min-w-0 rounded-lg bg-slate-50 px-3 py-2">
      <dt className="text-xs text-slate-600">{name}</dt>
      <dd className="text-lg font-semibold text-brand-900" data-testid={testId}>
        {value}
      </dd>
      {note ? <dd className="text-xs text-slate-500">{note}</dd> : null}
    </div>
  );
}

/** The model card as an operator reads it: what the model is, how it scored, the settings training chose and why. */
export function ModelCardSection({ card }: { card: ModelCardView }) {
  const { figures, training } = card;
  const facts: [string, React.ReactNode][] = [
    ['Name', card.name || '—'],
    [
      'Version',
      <span key="v">
        <code className="text-xs" title={card.version} data-testid="card-version">
          {shortVersion(card.version)}
        </code>
        {card.cardVersion !== card.version ? <span className="block text-xs text-slate-500">the card’s own: {card.cardVersion}</span> : null}
      </span>,
    ],
    ['Language', languageName(card.language)],
    ['Created', createdAt(card.created)],
    ['Intents', count(card.intents)],
    ['Trained on', `${count(training.rows)} labelled messages${training.dataSha256 ? ` (data ${training.dataSha256.slice(0, 12)}…)` : ''}`],
    ['Parameters', count(training.parameters)],
    ['Download', megabytes(training.downloadBytes)],
  ];
  const split = figures.split ? `the ${figures.split} split` : 'held-out data';
  return (
    <Section id="model-card" title="Model card">
      <dl className="mt-2 grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_minmax(0,1fr)_auto_minmax(0,1fr)]">
        {facts.map(([term, value]) => (
          <div key={term} className="contents">
            <dt className="text-slate-500">{term}</dt>
            <dd className="min-w-0 break-words">{value}</dd>
          </div>
        ))}
      </dl>

      <h3 className="mt-5 text-sm font-semibold text-slate-800">
        Figures on {split}
        {figures.rows !== null ? ` (${count(figures.rows)} messages)` : ''}
      </h3>
      <dl className="mt-2 grid grid-cols-2 gap-2 sm:grid-cols-3 xl:grid-cols-5" data-testid="card-figures">
        <Figure name="Accuracy" value={percent(figures.accuracy, 1)} testId="card-accuracy" />
        <Figure name="Macro-F1" value={figures.macroF1 === null ? '—' : figures.macroF1.toFixed(3)} testId="card-macro-f1" />
        <Figure
          name="Calibration error (ECE)"
          value={figures.eceAfter === null ? '—' : figures.eceAfter.toFixed(3)}
          note={figures.eceBefore === null ? undefined : `${figures.eceBefore.toFixed(3)} before calibration`}
          testId="card-ece"
        />
        <Figure name="Out-of-scope recall" value={percent(figures.outOfScopeRecall, 1)} note="out-of-scope messages handed off" testId="card-oos-recall" />
        <Figure name="In-scope false rejection" value={percent(figures.inScopeFalseRejection, 1)} note="in-scope messages handed off" testId="card-false-rejection" />
      </dl>

      <h3 className="mt-5 text-sm font-semibold text-slate-800">Settings and why training chose them</h3>
      {card.settings.length ? (
        <div className="mt-2 overflow-x-auto">
          <table className="w-full text-left text-sm" data-testid="card-settings">
            <caption className="sr-only">Training settings with their values, and the rule that chose each</caption>
            <thead className="text-xs text-slate-500">
              <tr>
                <th scope="col" className="py-1 pr-3 font-medium">Setting</th>
                <th scope="col" className="py-1 font-medium">Why</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {card.settings.map((setting) => (
                <tr key={setting.name} className="align-top">
                  <th scope="row" className="py-1.5 pr-3 text-left font-normal">
                    <span className="text-slate-800">{setting.name.replace(/_/g, ' ')}</span>
                    <span className="block font-mono text-xs break-all text-brand-900" data-testid="card-setting-value">{setting.value}</span>
                  </th>
                  <td className="py-1.5 break-words text-slate-700">{setting.rule ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="mt-1 text-sm text-slate-500">This card records no settings.</p>
      )}

      <h3 className="mt-5 text-sm font-semibold text-slate-800">Warnings from training</h3>
      {card.warnings.length ? (
        <ul className="mt-1 list-disc space-y-1 pl-5 text-sm text-amber-900" data-testid="card-warnings">
          {card.warnings.map((warning, i) => (
            <li key={i}>{warning}</li>
          ))}
        </ul>
      ) : (
        <p className="mt-1 text-sm text-slate-600" data-testid="card-warnings">None.</p>
      )}
    </Section>
  );
}
