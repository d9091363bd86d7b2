import { ATTRIBUTE_LABELS, disparateImpactCrossed, flipRateCrossed, flipSides, INVARIANCE_LABELS, type AuditSource, type PageWarning } from '@/lib/admin/model';
import { AUDIT_THRESHOLDS, type AuditReport, type FairnessRow, type Flip } from '@/lib/audit/report';
import { shortVersion } from '@/lib/bot/registry';
import { methodLabel } from '@/lib/explain';
import { formatDuration } from '@/lib/ui/explain/format';
import { VisitorText } from '@/lib/ui/text';
import { IntervalBarChart } from './charts';
import { dateTime } from './format';
import { FlipDisclosure } from './model-flips';
import { intervalText, Section, share, SubSection, WarningMark } from './model-parts';

const ratio = (value: number) => value.toFixed(2);
const SOURCES: Record<AuditReport['data']['source'], string> = { file: 'a labelled data file', 'similar-index': "the model's own similar-questions index" };

/** The warnings at the top of the page, each linking to the section that shows its figures. */
export function AuditWarnings({ warnings }: { warnings: PageWarning[] }) {
  if (warnings.length === 0) return null;
  return (
    <section aria-labelledby="audit-warnings-heading" className="rounded-xl border border-amber-300 bg-amber-50 p-4" data-testid="audit-warnings">
      <h2 id="audit-warnings-heading" className="flex items-center gap-2 font-semibold text-amber-900">
        <WarningMark label={`${warnings.length} ${warnings.length === 1 ? 'warning' : 'warnings'} from the audit`} />
      </h2>
      <ul className="mt-2 space-y-1 text-sm text-amber-950">
        {warnings.map((warning, i) => (
          <li key={i} data-testid="audit-warning" data-kind={warning.kind}>
            <a href={`#${warning.section}`} className="underline decoration-amber-500 underline-offset-2 hover:text-amber-800">
              {warning.message}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The audit of the model version shown: where it came from, then each suite's figures. */
export function AuditSection({ audit, notes, version, intentNames }: { audit: AuditSource; notes: string[]; version: string; intentNames: Readonly<Record<string, string>> }) {
  return (
    <Section id="audit-about" title="Audit" testId="audit">
      {notes.length ? (
        <ul className="mt-2 space-y-1 text-sm text-slate-600" data-testid="audit-notes">
          {notes.map((note, i) => (
            <li key={i}>{note}</li>
          ))}
        </ul>
      ) : null}
      {audit.kind === 'none' ? (
        <div className="mt-2 text-sm" data-testid="audit-empty">
          <p>This version (<span title={version}>{shortVersion(version)}</span>) has not been audited yet. The audit checks whether typos, filler words or a changed name, pronoun or nationality change the answer, and whether identity groups are answered alike. Run it from the project folder:</p>
          <pre className="mt-2 overflow-x-auto rounded-md bg-slate-900 px-3 py-2 text-slate-100">
            <code data-testid="audit-command">{audit.command}</code>
          </pre>
          <p className="mt-2 text-slate-600">It stores its report for this version, and this page shows it.</p>
        </div>
      ) : (
        <AuditReportView audit={audit} intentNames={intentNames} />
      )}
    </Section>
  );
}

function AuditReportView({ audit, intentNames }: { audit: Exclude<AuditSource, { kind: 'none' }>; intentNames: Readonly<Record<string, string>> }) {
  const { report } = audit;
  const created = new Date(report.createdAt);
  const when = Number.isNaN(created.getTime()) ? report.createdAt : dateTime(created);
  return (
    <>
      <p className="mt-1 text-sm text-slate-700" data-testid="audit-summary">
        Run on {when}, in {formatDuration(report.seconds * 1000)}, on {report.data.rows.toLocaleString('en')} messages of {report.data.intents} intents from {SOURCES[report.data.source]}.{' '}
        {audit.kind === 'stored' ? `Stored on ${dateTime(audit.storedAt)}.` : `Read from ${audit.file}: not stored yet.`}
      </p>
      <p id="audit-lists" className="mt-1 scroll-mt-4 text-sm text-slate-600" data-testid="audit-lists">
        Word lists for {report.lists.language}: {report.lists.used.length ? report.lists.used.join(', ') : 'none'}.
        {report.lists.missing.length ? (
          <>
            {' '}
            <WarningMark label="Missing:" /> {report.lists.missing.join(', ')} (those suites did not run).
          </>
        ) : null}
      </p>
      <Invariance report={report} />
      <Fairness report={report} />
      <Negation report={report} />
      <ExplanationRobustness report={report} />
      <WorstFlips flips={report.worstFlips} intentNames={intentNames} computedAt={when} />
    </>
  );
}

function Invariance({ report }: { report: AuditReport }) {
  const threshold = AUDIT_THRESHOLDS.maxFlipRate;
  return (
    <SubSection id="audit-invariance" title="Invariance: does a change that should not matter change the answer?">
      {report.invariance.length === 0 ? (
        <p className="mt-1 text-sm text-slate-600">No invariance suite ran.</p>
      ) : (
        <div className="mt-2 grid grid-cols-1 items-start gap-4 xl:grid-cols-[minmax(0,1fr)_minmax(0,1.1fr)]">
          <IntervalBarChart
            id="invariance"
            title="Flip rate per perturbation type, with 95 % intervals"
            data={report.invariance.map((row) => ({ label: INVARIANCE_LABELS[row.type], value: row.flipRate.value, low: row.flipRate.low, high: row.flipRate.high, flagged: flipRateCrossed(row) }))}
            threshold={{ value: threshold, label: `${share(threshold)} threshold` }}
            format={share}
          />
          <div className="min-w-0 overflow-x-auto">
            <table className="w-full text-left text-sm" data-testid="invariance-table">
              <caption className="sr-only">Flip rate and mean change in probability per perturbation type</caption>
              <thead className="text-xs text-slate-500">
                <tr>
                  <th scope="col" className="py-1 pr-3 font-medium">Type</th>
                  <th scope="col" className="py-1 pr-3 font-medium">Flip rate</th>
                  <th scope="col" className="py-1 text-right font-medium whitespace-nowrap">Mean |Δp|</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {report.invariance.map((row) => (
                  <tr key={row.type} className="align-top" data-testid="invariance-row" data-type={row.type}>
                    <th scope="row" className="py-1.5 pr-3 font-normal">
                      {INVARIANCE_LABELS[row.type]}
                      <span className="block text-xs text-slate-500">
                        {row.family} · {row.cases.toLocaleString('en')} pairs
                      </span>
                    </th>
                    <td className="py-1.5 pr-3">
                      <span className="font-mono" data-testid="invariance-flip-rate">{share(row.flipRate.value)}</span>
                      {flipRateCrossed(row) ? (
                        <span className="ml-2 text-sm">
                          <WarningMark label={`Over ${share(threshold)}`} />
                        </span>
                      ) : null}
                      <span className="block text-xs text-slate-500">{intervalText(row.flipRate)}</span>
                    </td>
                    <td className="py-1.5 text-right font-mono" data-testid="invariance-delta-p">{row.meanAbsDeltaP.toFixed(3)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
      <p className="mt-2 text-xs text-slate-500">
        A flip is a message and its variant answered differently (another intent or another decision). Mean |Δp| is how far the probability of the original answer moved. A type is flagged when its flip rate is over {share(threshold)}.
      </p>
    </SubSection>
  );
}

function Fairness({ report }: { report: AuditReport }) {
  const minimum = AUDIT_THRESHOLDS.minDisparateImpact;
  return (
    <SubSection id="audit-fairness" title="Fairness: are identity groups answered alike?">
      {report.fairness.length === 0 ? (
        <p className="mt-1 text-sm text-slate-600">No fairness suite ran.</p>
      ) : (
        <>
          <div className="mt-2 grid grid-cols-1 gap-4 xl:grid-cols-2">
            <div className="min-w-0">
              <h4 className="text-sm font-medium text-slate-800">Disparate Impact (lowest group answer rate ÷ highest)</h4>
              <IntervalBarChart
                id="disparate-impact"
                title="Disparate Impact per attribute, with 95 % intervals"
                data={report.fairness.map((row) => ({ label: ATTRIBUTE_LABELS[row.attribute], value: row.disparateImpact.value, low: row.disparateImpact.low, high: row.disparateImpact.high, flagged: disparateImpactCrossed(row) }))}
                threshold={{ value: minimum, label: `four-fifths rule (${minimum})` }}
                max={1}
                format={ratio}
              />
            </div>
            <div className="min-w-0">
              <h4 className="text-sm font-medium text-slate-800">Equal Opportunity difference (largest gap in accuracy)</h4>
              <IntervalBarChart
                id="equal-opportunity"
                title="Equal Opportunity difference per attribute, with 95 % intervals"
                data={report.fairness.map((row) => ({ label: ATTRIBUTE_LABELS[row.attribute], value: row.equalOpportunityDifference.value, low: row.equalOpportunityDifference.low, high: row.equalOpportunityDifference.high }))}
                format={share}
              />
            </div>
          </div>
          <div className="mt-4 grid grid-cols-1 gap-4 lg:grid-cols-2">
            {report.fairness.map((row) => (
              <FairnessAttribute key={row.attribute} row={row} />
            ))}
          </div>
        </>
      )}
      <p className="mt-2 text-xs text-slate-500">
        The answer rate is the share of a group&apos;s messages answered rather than handed off; accuracy is on the labelled messages. Disparate Impact under {minimum} fails the four-fifths rule.
      </p>
    </SubSection>
  );
}

function RateBar({ value, label }: { value: number; label: string }) {
  return (
    <div className="flex items-center gap-2">
      <div className="h-2.5 w-12 shrink-0 overflow-hidden rounded-sm bg-slate-100 sm:w-24" aria-hidden="true">
        <div className="h-full bg-brand-600" style={{ width: `${Math.min(100, Math.max(0, value * 100))}%` }} />
      </div>
      <span className="font-mono text-xs whitespace-nowrap" aria-label={label}>
        {share(value)}
      </span>
    </div>
  );
}

function FairnessAttribute({ row }: { row: FairnessRow }) {
  const violated = disparateImpactCrossed(row);
  const name = ATTRIBUTE_LABELS[row.attribute];
  return (
    <div className={`min-w-0 rounded-lg border p-3 ${violated ? 'border-amber-300' : 'border-slate-200'}`} data-testid="fairness-attribute" data-attribute={row.attribute}>
      <h4 className="flex flex-wrap items-center gap-x-3 text-sm font-semibold text-slate-900">
        {name}
        {violated ? <WarningMark label="Fails the four-fifths rule" /> : null}
      </h4>
      <div className="mt-2 overflow-x-auto">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">{name}: answer rate and accuracy per group</caption>
          <thead className="text-xs text-slate-500">
            <tr>
              <th scope="col" className="py-1 pr-3 font-medium">Group</th>
              <th scope="col" className="py-1 pr-3 font-medium">Answer rate</th>
              <th scope="col" className="py-1 font-medium">Accuracy</th>
            </tr>
          </thead>
          <tbody>
            {row.groups.map((group) => (
              <tr key={group.group} data-testid="fairness-group">
                <th scope="row" className="py-1 pr-3 font-normal break-words">
                  {group.group}
                  <span className="block text-xs text-slate-500">{group.probes.toLocaleString('en')} probes</span>
                </th>
                <td className="py-1 pr-3">
                  <RateBar value={group.answerRate} label={`answer rate ${share(group.answerRate)}`} />
                </td>
                <td className="py-1">
                  <RateBar value={group.accuracy} label={`accuracy ${share(group.accuracy)}`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <dl className="mt-2 grid grid-cols-1 gap-x-3 text-sm sm:grid-cols-[auto_minmax(0,1fr)] sm:gap-y-0.5">
        <dt className="text-slate-600">Disparate Impact</dt>
        <dd data-testid="fairness-di">
          <span className="font-mono">{ratio(row.disparateImpact.value)}</span> <span className="text-xs text-slate-500">({intervalText(row.disparateImpact, ratio)})</span>
        </dd>
        <dt className="text-slate-600">Equal Opportunity difference</dt>
        <dd data-testid="fairness-eo">
          <span className="font-mono">{share(row.equalOpportunityDifference.value)}</span> <span className="text-xs text-slate-500">({intervalText(row.equalOpportunityDifference)})</span>
        </dd>
      </dl>
    </div>
  );
}

function Negation({ report }: { report: AuditReport }) {
  const negation = report.negation;
  return (
    <SubSection id="audit-negation" title="Negation">
      {negation ? (
        <p className="mt-1 text-sm" data-testid="audit-negation-text">
          Negating a message (&ldquo;I don&apos;t want to cancel my transfer&rdquo;) changed the answer for <strong>{share(negation.flipRate.value)}</strong> of {negation.cases.toLocaleString('en')} messages ({intervalText(negation.flipRate)}); the probability of the original answer moved by {negation.meanAbsDeltaP.toFixed(2)} on average. A model that keeps its answer under negation reads the topic, not the request: this is reported, not passed or failed.
        </p>
      ) : (
        <p className="mt-1 text-sm text-slate-600">The negation suite did not run (no negation list for {report.lists.language}).</p>
      )}
    </SubSection>
  );
}

function ExplanationRobustness({ report }: { report: AuditReport }) {
  const robustness = report.explanationRobustness;
  return (
    <SubSection id="audit-explanations" title="Explanation robustness">
      {robustness ? (
        <>
          <ul className="mt-1 space-y-1 text-sm" data-testid="audit-explanation-robustness">
            {robustness.top3Overlap.map((entry) => (
              <li key={entry.method}>
                <strong>{methodLabel(entry.method)}</strong>: on average {share(entry.overlap.value)} of its top 3 words stay the same between a message and its rephrasings ({intervalText(entry.overlap)}).
              </li>
            ))}
            {robustness.methodDisagreement ? (
              <li>
                The methods disagree on the most important word for {share(robustness.methodDisagreement.value)} of messages ({intervalText(robustness.methodDisagreement)}).
              </li>
            ) : (
              <li>Only one method ran, so there is no disagreement between methods to report.</li>
            )}
          </ul>
          <p className="mt-1 text-xs text-slate-500">Over {robustness.cases.toLocaleString('en')} messages and their invariance variants.</p>
        </>
      ) : (
        <p className="mt-1 text-sm text-slate-600">The explanation robustness suite did not run.</p>
      )}
    </SubSection>
  );
}

function WorstFlips({ flips, intentNames, computedAt }: { flips: Flip[]; intentNames: Readonly<Record<string, string>>; computedAt: string }) {
  const nameOf = (intent: string) => intentNames[intent] ?? intent;
  return (
    <SubSection id="audit-flips" title="Worst flips">
      {flips.length === 0 ? (
        <p className="mt-1 text-sm text-slate-600">No message changed its answer.</p>
      ) : (
        <>
          <p className="mt-1 text-sm text-slate-600">The pairs whose answer moved most. Open one to see why the model answered each text as it did.</p>
          <ol className="mt-2 space-y-2">
            {flips.map((flip, index) => (
              <li key={index}>
                <FlipDisclosure
                  index={index}
                  sides={flipSides(flip)}
                  intentNames={intentNames}
                  computedAt={computedAt}
                  summary={
                    <div className="grid grid-cols-1 gap-x-4 gap-y-1 text-sm md:grid-cols-[8rem_minmax(0,1fr)_minmax(0,1fr)_auto]">
                      <span className="font-medium text-slate-700">{INVARIANCE_LABELS[flip.type]}</span>
                      <span className="min-w-0 break-words">
                        &ldquo;<VisitorText text={flip.original} showControls />&rdquo;
                        <span className="block text-xs text-slate-600">
                          → {nameOf(flip.originalIntent)} ({share(flip.originalP)})
                        </span>
                      </span>
                      <span className="min-w-0 break-words">
                        &ldquo;<VisitorText text={flip.variant} showControls />&rdquo;
                        <span className="block text-xs text-slate-600">
                          → {nameOf(flip.variantIntent)}
                        </span>
                      </span>
                      <span className="font-mono text-xs whitespace-nowrap text-slate-700 md:text-right" data-testid="worst-flip-delta">
                        Δp {(flip.variantP - flip.originalP >= 0 ? '+' : '−') + Math.abs(flip.variantP - flip.originalP).toFixed(2)}
                      </span>
                    </div>
                  }
                />
              </li>
            ))}
          </ol>
          <p className="mt-2 text-xs text-slate-500">Δp is the change in the probability of the original answer from the message to its variant.</p>
        </>
      )}
    </SubSection>
  );
}
