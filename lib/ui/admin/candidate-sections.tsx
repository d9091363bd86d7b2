import type { ActiveView, CandidatesPageData, CandidateView } from '@/lib/admin/candidates';
import { shortVersion } from '@/lib/bot/registry';
import type { ModelChangeInfo, ModelVersionInfo } from '@/lib/model/versions';
import { VisitorText } from '@/lib/ui/text';
import { VersionChange } from './candidate-actions';
import { ReplayReportView } from './candidate-report';
import { dateTime } from './format';
import { Section } from './model-parts';

/** What an admin may do from the page; null for an account that only reads it. */
export type Changes = { csrfToken: string } | null;

const ACTION_LABELS: Record<ModelChangeInfo['action'], string> = {
  register: 'Registered',
  activate: 'Activated',
  promote: 'Promoted',
  rollback: 'Rolled back',
  retire: 'Retired',
};

const SOURCE_LABELS: Record<ModelVersionInfo['source'], string> = { bundled: 'shipped with a build', registered: 'registered' };

/** A version as people read it: its short hash (the whole one on hover and for screen readers) and its card's name. */
function VersionName({ version, testId }: { version: Pick<ModelVersionInfo, 'hash' | 'name'>; testId?: string }) {
  return (
    <span className="min-w-0 break-words">
      <code className="rounded bg-slate-100 px-1 text-sm text-slate-900" title={version.hash} data-testid={testId} data-version={version.hash}>
        {shortVersion(version.hash)}
      </code>{' '}
      <span className="text-slate-700">{version.name}</span>
    </span>
  );
}

/** Who made a change and why, in one line (and when, unless `dated` is false: the line says it already). */
function ChangeLine({ change, dated = true }: { change: ModelChangeInfo; dated?: boolean }) {
  return (
    <>
      {ACTION_LABELS[change.action].toLowerCase()}
      {dated ? ` on ${dateTime(change.createdAt)}` : ''} by <span className="font-medium">{change.actorName}</span>
      {change.reason ? (
        <>
          : &ldquo;
          <VisitorText text={change.reason} showControls />
          &rdquo;
        </>
      ) : null}
    </>
  );
}

/** The version customers are answered by, since when and by whose change, and the roll back to the one before. */
export function ActiveSection({ bot, active, previous, changes }: { bot: string; active: ActiveView | null; previous: ModelVersionInfo | null; changes: Changes }) {
  return (
    <Section id="candidates-active" title="Served now">
      {!active ? (
        <p className="mt-1 text-sm text-slate-700" data-testid="active-missing">
          This bot serves no model: it has no stored version and this build ships none for it.
        </p>
      ) : (
        <div className="mt-1 space-y-2 text-sm" data-testid="active-version">
          <p>
            <VersionName version={active} testId="active-hash" /> <span className="text-xs text-slate-500">({SOURCE_LABELS[active.source]})</span>
          </p>
          <p className="text-slate-700" data-testid="active-since">
            {active.change ? (
              <>
                Since {dateTime(active.change.createdAt)}, <ChangeLine change={active.change} dated={false} />
              </>
            ) : (
              'The change log does not reach back to when it became active.'
            )}
          </p>
          {previous ? (
            <div className="border-t border-slate-100 pt-2">
              <p className="text-slate-700" data-testid="previous-version">
                Before it: <VersionName version={previous} />
                {previous.retiredAt ? ' — retired, so it cannot be served again; promote another version instead.' : null}
              </p>
              {changes && !previous.retiredAt ? (
                <div className="mt-2">
                  <VersionChange bot={bot} kind="rollback" version={previous.hash} shortName={shortVersion(previous.hash)} csrfToken={changes.csrfToken} />
                </div>
              ) : null}
            </div>
          ) : (
            <p className="text-xs text-slate-500">No earlier version to roll back to.</p>
          )}
        </div>
      )}
    </Section>
  );
}

/** The stored versions that could replace the active one, each with its latest replay and what an admin may do with it. */
export function CandidateList({ data, labelOf, changes }: { data: CandidatesPageData; labelOf: (intent: string) => string; changes: Changes }) {
  return (
    <Section id="candidates-list" title={`Candidates (${data.candidates.length})`}>
      {data.candidates.length === 0 ? (
        <p className="mt-1 text-sm text-slate-700" data-testid="candidates-none">
          No other version is stored. <code className="text-xs">npm run replay -- --bot {data.bot.id} --model DIR</code> stores a trained model folder as a candidate and replays stored
          traffic through it.
        </p>
      ) : (
        <ol className="mt-2 space-y-4">
          {data.candidates.map((candidate, index) => (
            <li key={candidate.hash}>
              <CandidateCard candidate={candidate} index={index} bot={data.bot.id} labelOf={labelOf} intentNames={data.intentNames} changes={changes} />
            </li>
          ))}
        </ol>
      )}
    </Section>
  );
}

function CandidateCard({
  candidate,
  index,
  bot,
  labelOf,
  intentNames,
  changes,
}: {
  candidate: CandidateView;
  index: number;
  bot: string;
  labelOf: (intent: string) => string;
  intentNames: Readonly<Record<string, string>>;
  changes: Changes;
}) {
  const headingId = `candidate-${index}-heading`;
  return (
    <article aria-labelledby={headingId} className="min-w-0 rounded-lg border border-slate-200 p-3 sm:p-4" data-testid="candidate" data-version={candidate.hash}>
      <h3 id={headingId} className="text-base font-semibold">
        <VersionName version={candidate} testId="candidate-hash" />
      </h3>
      <p className="mt-1 text-xs text-slate-600">
        Stored {dateTime(candidate.createdAt)} ({SOURCE_LABELS[candidate.source]}
        {candidate.registration ? `, by ${candidate.registration.actorName}` : ''}) in <code className="break-all">{candidate.folder}</code>
      </p>
      {candidate.replay ? (
        <ReplayReportView replay={candidate.replay} labelOf={labelOf} intentNames={intentNames} candidateIndex={index} />
      ) : (
        <div className="mt-3 text-sm" data-testid="candidate-no-replay">
          <p>Not replayed yet: nobody knows which customers’ answers it would change. From the project folder:</p>
          <pre className="mt-2 overflow-x-auto rounded-md bg-slate-900 px-3 py-2 text-slate-100">
            <code data-testid="candidate-replay-command">{candidate.replayCommand}</code>
          </pre>
          <p className="mt-2 text-slate-600">It replays the last 30 days of stored customer messages through this version and the one served now, and stores its report here.</p>
        </div>
      )}
      {changes ? (
        <div className="mt-4 flex flex-wrap items-start gap-3 border-t border-slate-100 pt-3">
          <VersionChange bot={bot} kind="promote" version={candidate.hash} shortName={shortVersion(candidate.hash)} csrfToken={changes.csrfToken} />
          <VersionChange bot={bot} kind="retire" version={candidate.hash} shortName={shortVersion(candidate.hash)} csrfToken={changes.csrfToken} />
        </div>
      ) : null}
    </article>
  );
}

/** Versions no longer served, apart: when, by whom and why they were retired. */
export function RetiredVersions({ retired, changes }: { retired: ModelVersionInfo[]; changes: ModelChangeInfo[] }) {
  if (retired.length === 0) return null;
  return (
    <Section id="candidates-retired" title={`Retired (${retired.length})`}>
      <ul className="mt-2 divide-y divide-slate-100 text-sm">
        {retired.map((version) => {
          const change = changes.find((entry) => entry.action === 'retire' && entry.fromHash === version.hash);
          return (
            <li key={version.hash} className="py-2" data-testid="retired-version" data-version={version.hash}>
              <VersionName version={version} />
              <span className="block text-xs text-slate-600">
                {change ? (
                  <ChangeLine change={change} />
                ) : (
                  <>
                    retired on {dateTime(version.retiredAt!)}
                    {version.retiredReason ? (
                      <>
                        : &ldquo;
                        <VisitorText text={version.retiredReason} showControls />
                        &rdquo;
                      </>
                    ) : null}
                  </>
                )}
              </span>
            </li>
          );
        })}
      </ul>
    </Section>
  );
}

/** Which version(s) a change is about, in the log. */
function changeVersions(change: ModelChangeInfo): React.ReactNode {
  const code = (hash: string | null) =>
    hash ? (
      <code className="text-xs" title={hash}>
        {shortVersion(hash)}
      </code>
    ) : (
      '—'
    );
  if (change.action === 'promote' || change.action === 'rollback') {
    return (
      <span className="whitespace-nowrap">
        {code(change.fromHash)} → {code(change.toHash)}
      </span>
    );
  }
  return code(change.fromHash ?? change.toHash);
}

/**
 * Every change of the bot's model versions: who did what, when, and why; newest first. A list of
 * entries rather than a table: on a phone each entry stacks, and reads as one sentence.
 */
export function ChangeLog({ changes, shown }: { changes: ModelChangeInfo[]; shown: number }) {
  return (
    <Section id="candidates-log" title="Change log">
      {changes.length === 0 ? (
        <p className="mt-1 text-sm text-slate-600">Nothing has changed yet.</p>
      ) : (
        <>
          {changes.length >= shown ? <p className="mt-1 text-xs text-slate-600">The latest {shown} changes.</p> : null}
          <ol className="mt-2 divide-y divide-slate-100 text-sm">
            {changes.map((change) => (
              <li key={change.id} className="grid grid-cols-1 gap-x-4 gap-y-0.5 py-2 md:grid-cols-[11rem_7rem_minmax(9rem,13rem)_minmax(0,14rem)_minmax(0,1fr)]" data-testid="change-row" data-action={change.action}>
                <span className="text-xs whitespace-nowrap text-slate-600 md:text-sm md:text-slate-900">{dateTime(change.createdAt)}</span>
                <span className="font-medium">
                  {ACTION_LABELS[change.action]} <span className="md:hidden">{changeVersions(change)}</span>
                </span>
                <span className="hidden md:inline">{changeVersions(change)}</span>
                <span className="min-w-0 break-words text-slate-700">
                  <span className="md:sr-only">by </span>
                  <span data-testid="change-actor">{change.actorName}</span>
                </span>
                <span className="min-w-0 break-words" data-testid="change-reason">
                  <VisitorText text={change.reason} showControls />
                </span>
              </li>
            ))}
          </ol>
        </>
      )}
    </Section>
  );
}

/** The notice of the change just made, in words: what it did, and what customers get now. */
export function changeNoticeText(change: ModelChangeInfo): string {
  const to = change.toHash ? shortVersion(change.toHash) : '';
  const from = change.fromHash ? shortVersion(change.fromHash) : '';
  if (change.action === 'promote') return `Promoted ${to}: customers are answered by it from their next message. ${from} is one click away under "Served now".`;
  if (change.action === 'rollback') return `Rolled back to ${to}: customers are answered by it again from their next message.`;
  if (change.action === 'retire') return `Retired ${from}: it is no longer served.`;
  return `${ACTION_LABELS[change.action]} ${to || from}.`;
}

