import { answerKeyLabel, auditMetric, type CandidateReplay } from '@/lib/admin/candidates';
import type { FlipSide } from '@/lib/admin/model';
import { shortVersion } from '@/lib/bot/registry';
import type { FlippedGroup, ReplayAnswer, ReplayReport } from '@/lib/replay/report';
import type { Provenance } from '@/lib/ui/explain/why-panel';
import { formatDuration } from '@/lib/ui/explain/format';
import { VisitorText } from '@/lib/ui/text';
import { dateTime, DECISION_LABELS } from './format';
import { share } from './model-parts';
import { WhyPanelsDisclosure } from './model-flips';

/** Where the replay runs both versions (lib/replay: lib/model/node on the CPU); its report does not record it. */
const REPLAY_RUNTIME = 'Node.js on the CPU';

type LabelOf = (intent: string) => string;

const signed = (value: number, format: (value: number) => string) => (value > 0 ? `+${format(value)}` : value < 0 ? `−${format(-value)}` : format(0));
const count = (value: number) => value.toLocaleString('en');
const points = (value: number) => `${(value * 100).toFixed(1).replace(/\.0$/, '')} pt`;

/** A stored replay of one candidate against the version active then: its figures, then the flipped messages. */
export function ReplayReportView({
  replay,
  labelOf,
  intentNames,
  candidateIndex,
}: {
  replay: CandidateReplay;
  labelOf: LabelOf;
  intentNames: Readonly<Record<string, string>>;
  /** The candidate's place on the page: makes its panels' ids unique. */
  candidateIndex: number;
}) {
  const { report } = replay;
  const flipped = report.messages - Math.round(report.agreement * report.messages);
  return (
    <div className="mt-3 space-y-5" data-testid="candidate-replay">
      <p className="text-sm text-slate-700" data-testid="candidate-replay-summary">
        Replayed on {dateTime(replay.createdAt)}: {count(report.messages)} customer {report.messages === 1 ? 'message' : 'messages'} of the last {report.window.days}{' '}
        {report.window.days === 1 ? 'day' : 'days'}
        {report.settings.limit !== null ? ` (at most ${count(report.settings.limit)})` : ''}, as stored, through this version and <code className="text-xs">{shortVersion(report.active.version)}</code>, in{' '}
        {formatDuration(report.seconds * 1000)}.
      </p>
      {!replay.againstActive ? (
        <p className="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-950" data-testid="candidate-replay-stale">
          The version it was compared with, <code className="text-xs">{shortVersion(report.active.version)}</code>, is no longer the one served: replay it again to compare it with the version
          customers get now.
        </p>
      ) : null}
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4" data-testid="candidate-figures">
        <Figure term="Same answer" value={share(report.agreement)} detail={`${count(flipped)} ${flipped === 1 ? 'message changes' : 'messages change'}`} testId="candidate-agreement" />
        <Figure term="Same top intent" value={share(report.sameTopIntent)} detail="whatever the policy made of it" testId="candidate-same-intent" />
        <Figure
          term="Accuracy on human labels"
          value={report.labelled.candidateAccuracy === null ? '—' : share(report.labelled.candidateAccuracy)}
          detail={
            report.labelled.activeAccuracy === null ? 'no labelled messages' : `against ${share(report.labelled.activeAccuracy)} now, n = ${count(report.labelled.messages)}`
          }
          testId="candidate-accuracy"
        />
        <Figure term="Customers’ questions that change" value={count(report.flippedGroups)} detail={report.flippedGroups === 1 ? 'group of similar messages' : 'groups of similar messages'} testId="candidate-groups" />
      </dl>
      <FlipPairs report={report} labelOf={labelOf} />
      <DecisionMix report={report} />
      <LabelledAccuracy report={report} />
      <AuditDeltas report={report} />
      <FlippedMessages report={report} labelOf={labelOf} intentNames={intentNames} candidateIndex={candidateIndex} computedAt={dateTime(replay.createdAt)} />
    </div>
  );
}

function Figure({ term, value, detail, testId }: { term: string; value: string; detail: string; testId: string }) {
  return (
    <div className="min-w-0 rounded-lg bg-slate-50 px-3 py-2" data-testid={testId}>
      <dt className="text-xs text-slate-600">{term}</dt>
      <dd className="text-lg font-semibold text-slate-900" data-testid={`${testId}-value`}>
        {value}
      </dd>
      <dd className="text-xs text-slate-600">{detail}</dd>
    </div>
  );
}

/** A sub-heading and a table that scrolls sideways on its own when the page is narrow. */
function TableBlock({ title, testId, children, note }: { title: string; testId: string; children: React.ReactNode; note?: React.ReactNode }) {
  return (
    <div className="max-w-3xl min-w-0" data-testid={testId}>
      <h4 className="text-sm font-semibold text-slate-900">{title}</h4>
      {note}
      <div className="mt-1 overflow-x-auto">{children}</div>
    </div>
  );
}

// Narrower on a phone: four columns of figures fit 390 px without scrolling sideways.
const th = 'py-1 pr-2 font-medium sm:pr-3';
const thNumber = 'py-1 pl-2 text-right font-medium sm:pl-3';
const td = 'py-1.5 pr-2 sm:pr-3';
const tdNumber = 'py-1.5 pl-2 text-right font-mono text-xs whitespace-nowrap sm:pl-3 sm:text-sm';

function FlipPairs({ report, labelOf }: { report: ReplayReport; labelOf: LabelOf }) {
  if (report.flipsByPair.length === 0) return <p className="text-sm text-slate-700" data-testid="candidate-flips">No customer would get another answer.</p>;
  return (
    <TableBlock title="How answers change" testId="candidate-flips">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Answers that change, from the version served now to the candidate, most frequent first</caption>
        <thead className="text-xs text-slate-500">
          <tr>
            <th scope="col" className={th}>Answered now</th>
            <th scope="col" className={th}>With the candidate</th>
            <th scope="col" className={thNumber}>Messages</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {report.flipsByPair.map((pair) => (
            <tr key={`${pair.from}\u0000${pair.to}`} className="align-top" data-testid="candidate-flip-pair">
              <td className={td}>{answerKeyLabel(pair.from, labelOf)}</td>
              <td className={td}>{answerKeyLabel(pair.to, labelOf)}</td>
              <td className={tdNumber}>{count(pair.count)}</td>
            </tr>
          ))}
          {report.otherFlips > 0 ? (
            <tr>
              <td className={td} colSpan={2}>
                Other changes
              </td>
              <td className={tdNumber}>{count(report.otherFlips)}</td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </TableBlock>
  );
}

function DecisionMix({ report }: { report: ReplayReport }) {
  const total = Math.max(1, report.messages);
  return (
    <TableBlock title="What customers get" testId="candidate-decisions">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Decisions of the version served now and of the candidate on the same messages</caption>
        <thead className="text-xs text-slate-500">
          <tr>
            <th scope="col" className={th}>Decision</th>
            <th scope="col" className={thNumber}>Now</th>
            <th scope="col" className={thNumber}>Candidate</th>
            <th scope="col" className={thNumber}>Change</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {report.decisionMix.kinds.map((row) => (
            <tr key={row.kind} data-testid="candidate-decision" data-kind={row.kind}>
              <th scope="row" className={`${td} font-normal`}>
                {DECISION_LABELS[row.kind]}
              </th>
              <td className={tdNumber}>
                {count(row.active)} <span className="text-xs text-slate-500">({share(row.active / total)})</span>
              </td>
              <td className={tdNumber}>
                {count(row.candidate)} <span className="text-xs text-slate-500">({share(row.candidate / total)})</span>
              </td>
              <td className={tdNumber} data-testid="candidate-decision-change">
                {signed(row.candidate - row.active, count)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableBlock>
  );
}

function LabelledAccuracy({ report }: { report: ReplayReport }) {
  const { labelled } = report;
  const rows = [
    { name: 'All labelled messages', counts: labelled, testId: 'all' },
    { name: 'Reviewed by the team', counts: labelled.bySource.review, testId: 'review' },
    { name: 'Labelled at a hand-off', counts: labelled.bySource.handoff, testId: 'handoff' },
  ];
  const accuracy = (correct: number, messages: number) => (messages === 0 ? '—' : share(correct / messages));
  return (
    <TableBlock
      title="Accuracy on human labels"
      testId="candidate-labelled"
      note={
        labelled.messages === 0 ? (
          <p className="text-sm text-slate-600">No replayed message has a human label yet: reviews and resolved hand-offs label them.</p>
        ) : (
          <p className="text-xs text-slate-600">A message labelled out of scope counts as right when the version hands it off.</p>
        )
      }
    >
      {labelled.messages === 0 ? null : (
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Share of human-labelled messages each version answers right</caption>
          <thead className="text-xs text-slate-500">
            <tr>
              <th scope="col" className={th}>Labels</th>
              <th scope="col" className={thNumber}>n</th>
              <th scope="col" className={thNumber}>Now</th>
              <th scope="col" className={thNumber}>Candidate</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows.map(({ name, counts, testId }) => (
              <tr key={testId} data-testid="candidate-labelled-row" data-source={testId}>
                <th scope="row" className={`${td} font-normal`}>
                  {name}
                </th>
                <td className={tdNumber}>{count(counts.messages)}</td>
                <td className={tdNumber}>{accuracy(counts.activeCorrect, counts.messages)}</td>
                <td className={tdNumber}>{accuracy(counts.candidateCorrect, counts.messages)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </TableBlock>
  );
}

function AuditDeltas({ report }: { report: ReplayReport }) {
  const { audit } = report;
  const value = (metric: ReturnType<typeof auditMetric>, figure: number | null) =>
    figure === null ? '—' : metric.format === 'share' ? share(figure) : metric.format === 'ratio' ? figure.toFixed(2) : count(figure);
  const change = (metric: ReturnType<typeof auditMetric>, delta: number | null) => {
    if (delta === null) return '—';
    const amount = signed(delta, (v) => (metric.format === 'share' ? points(v) : metric.format === 'ratio' ? v.toFixed(2) : count(v)));
    if (Math.abs(delta) < 1e-9) return amount;
    const better = metric.better === 'lower' ? delta < 0 : delta > 0;
    return (
      <>
        {amount}
        {/* Under the figure on a phone, beside it where there is room. */}
        <span className={`block text-xs sm:ml-1 sm:inline ${better ? 'text-emerald-800' : 'text-amber-800'}`}>{better ? 'better' : 'worse'}</span>
      </>
    );
  };
  return (
    <TableBlock title="Behavioural audit" testId="candidate-audit" note={<p className="text-xs break-words text-slate-600">{audit.note}</p>}>
      {audit.deltas.length === 0 ? null : (
        <table className="w-full text-left text-sm">
          <caption className="sr-only">The audits of both versions compared</caption>
          <thead className="text-xs text-slate-500">
            <tr>
              <th scope="col" className={th}>Figure</th>
              <th scope="col" className={thNumber}>Now</th>
              <th scope="col" className={thNumber}>Candidate</th>
              <th scope="col" className={thNumber}>Change</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {audit.deltas.map((delta) => {
              const metric = auditMetric(delta.metric);
              return (
                <tr key={delta.metric} data-testid="candidate-audit-row" data-metric={delta.metric}>
                  <th scope="row" className={`${td} font-normal`}>
                    {metric.label}
                  </th>
                  <td className={tdNumber}>{value(metric, delta.active)}</td>
                  <td className={tdNumber}>{value(metric, delta.candidate)}</td>
                  <td className={tdNumber}>{change(metric, delta.delta)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </TableBlock>
  );
}

/** A version's answer on a group's message as its why-panel takes it. */
function sideOf(text: string, answer: ReplayAnswer, explanations: unknown[]): FlipSide {
  return { text, prediction: { intent: answer.intent, confidence: answer.p, topK: [{ intent: answer.intent, probability: answer.p }] }, explanations };
}

function answerText(answer: ReplayAnswer, labelOf: LabelOf): string {
  if (answer.kind === 'answer') return labelOf(answer.intent);
  if (answer.kind === 'clarify') return `Clarify: ${labelOf(answer.intent)}?`;
  if (answer.kind === 'handoff') return `Hand-off (thought ${labelOf(answer.intent)})`;
  return 'Could not read';
}

/** The diff: the flipped messages, the most customers first, each opening both versions' why-panels. */
function FlippedMessages({
  report,
  labelOf,
  intentNames,
  candidateIndex,
  computedAt,
}: {
  report: ReplayReport;
  labelOf: LabelOf;
  intentNames: Readonly<Record<string, string>>;
  candidateIndex: number;
  computedAt: string;
}) {
  if (report.flipped.length === 0) return null;
  const provenance: Provenance = { kind: 'replay', computedAt, runtime: REPLAY_RUNTIME };
  const sides = (group: FlippedGroup) =>
    group.explanations
      ? [
          { key: 'active', heading: `Now (${shortVersion(report.active.version)})`, side: sideOf(group.text, group.active, group.explanations.active), provenance },
          { key: 'candidate', heading: `Candidate (${shortVersion(report.candidate.version)})`, side: sideOf(group.text, group.candidate, group.explanations.candidate), provenance },
        ]
      : null;
  return (
    <div className="min-w-0" data-testid="candidate-diff">
      <h4 className="text-sm font-semibold text-slate-900">Messages whose answer changes</h4>
      <p className="text-xs text-slate-600">
        Similar messages are grouped; the groups sent by the most customers come first
        {report.flipped.length < report.flippedGroups ? ` (the first ${count(report.flipped.length)} of ${count(report.flippedGroups)})` : ''}. Open one to see why each version answers as it does.
      </p>
      <ol className="mt-2 space-y-2">
        {report.flipped.map((group, index) => (
          <li key={index}>
            <WhyPanelsDisclosure
              id={`candidate-${candidateIndex}-flip-${index}`}
              testId="candidate-flip"
              intentNames={intentNames}
              sides={sides(group)}
              missing={`This replay explained the first ${report.settings.explain} groups only: replay with a larger --explain to see why the versions differ here.`}
              summary={
                <div className="grid grid-cols-1 gap-x-4 gap-y-1 text-sm md:grid-cols-[minmax(0,2fr)_minmax(0,1fr)_minmax(0,1fr)_auto]">
                  <span className="min-w-0 break-words">
                    &ldquo;<VisitorText text={group.text} showControls />&rdquo;
                    {group.label ? <span className="block text-xs text-slate-600">Labelled by the team: {labelOf(group.label)}</span> : null}
                  </span>
                  <span className="min-w-0 break-words text-slate-700">
                    <span className="sr-only">Now: </span>
                    <span aria-hidden="true" className="text-xs text-slate-500 md:hidden">
                      Now:{' '}
                    </span>
                    {answerText(group.active, labelOf)} <span className="text-xs whitespace-nowrap text-slate-500">({share(group.active.p)})</span>
                  </span>
                  <span className="min-w-0 break-words text-slate-900">
                    <span className="sr-only">Candidate: </span>
                    <span aria-hidden="true" className="text-xs text-slate-500 md:hidden">
                      Candidate:{' '}
                    </span>
                    → {answerText(group.candidate, labelOf)} <span className="text-xs whitespace-nowrap text-slate-500">({share(group.candidate.p)})</span>
                  </span>
                  <span className="text-xs whitespace-nowrap text-slate-700 md:text-right" data-testid="candidate-flip-customers">
                    {count(group.customers)} {group.customers === 1 ? 'customer' : 'customers'}
                    {group.messages !== group.customers ? `, ${count(group.messages)} messages` : ''}
                  </span>
                </div>
              }
            />
          </li>
        ))}
      </ol>
    </div>
  );
}
