'use client';

import { useId, useState, type ButtonHTMLAttributes } from 'react';
import type { Explanation, WordScoringMethod } from '@/lib/explain/types';
import { AttentionView } from './attention-view';
import { FaithfulnessView } from './faithfulness-view';
import {
  byMethod,
  counterfactualExtra,
  counterfactualParts,
  divergingColor,
  formatDuration,
  formatNumber,
  formatPercent,
  maxAbs,
  METHOD_NAMES,
  neighbours,
  NO_COUNTERFACTUAL,
  progressPercent,
  quoteList,
  topWords,
} from './format';
import { Pending } from './pending';
import { Tabs, type TabSpec } from './tabs';
import { WordEvidence } from './word-evidence';

export interface WhyPrediction {
  intent: string;
  confidence: number;
  topK: { intent: string; probability: number }[];
}

export interface WhyPanelProps {
  explanations: Explanation[];
  prediction: WhyPrediction;
  labelOf: (intent: string) => string;
  status: 'computing' | 'ready' | 'failed';
  progress?: { done: number; total: number; method?: string };
  error?: string;
  /** Lets a toggle point at the panel with `aria-controls`. */
  id?: string;
}

type TabId = 'words' | 'attention' | 'alternatives' | 'similar' | 'faithfulness';

/** The content of "Why this answer?": a plain-language summary, then the evidence in tabs. */
export function WhyPanel({ explanations, prediction, labelOf, status, progress, error, id }: WhyPanelProps) {
  const [tab, setTab] = useState<TabId>('words');
  const methods = byMethod(explanations);
  const computing = status === 'computing';
  const wordScoring: Partial<Record<WordScoringMethod, Explanation>> = {
    lime: methods.lime,
    occlusion: methods.occlusion,
    attention: methods.attention,
    rollout: methods.rollout,
  };
  const hasFaithfulness = explanations.some((e) => e.faithfulness);
  const dot = (ready: boolean) => (computing && !ready ? <span className="inline-block size-1.5 animate-pulse rounded-full bg-slate-400 motion-reduce:animate-none" /> : undefined);

  const tabs: TabSpec<TabId>[] = [
    {
      id: 'words',
      label: 'Words',
      testId: 'why-tab-words',
      badge: dot(Boolean(methods.lime || methods.occlusion)),
      panel: <WordEvidence byMethod={wordScoring} computing={computing} />,
    },
    {
      id: 'attention',
      label: 'Attention',
      testId: 'why-tab-attention',
      badge: dot(Boolean(methods.attention)),
      panel: <AttentionView attention={methods.attention} rollout={methods.rollout} computing={computing} />,
    },
    {
      id: 'alternatives',
      label: 'Alternatives',
      testId: 'why-tab-alternatives',
      panel: <Alternatives prediction={prediction} labelOf={labelOf} counterfactual={methods.counterfactual} computing={computing} />,
    },
    {
      id: 'similar',
      label: 'Similar questions',
      testId: 'why-tab-similar',
      badge: dot(Boolean(methods.similar)),
      panel: <SimilarQuestions explanation={methods.similar} labelOf={labelOf} answer={prediction.intent} computing={computing} />,
    },
    {
      id: 'faithfulness',
      label: 'Faithfulness',
      testId: 'why-tab-faithfulness',
      badge: dot(hasFaithfulness),
      panel: <FaithfulnessView explanations={explanations} computing={computing} />,
    },
  ];

  const totalMs = explanations.reduce((sum, e) => sum + (Number.isFinite(e.timing?.ms) ? e.timing.ms : 0), 0);
  const runs = explanations.reduce((sum, e) => sum + (Number.isFinite(e.timing?.forwardPasses) ? e.timing.forwardPasses : 0), 0);

  return (
    <div
      id={id}
      role="group"
      aria-label={`Why this answer: ${labelOf(prediction.intent)}`}
      data-testid="why-panel"
      data-status={status}
      className="w-full min-w-0 space-y-4 rounded-2xl border border-slate-200 bg-white p-4 text-slate-900 shadow-sm"
    >
      <Summary explanations={methods} prediction={prediction} labelOf={labelOf} computing={computing} />

      {computing && <Progress progress={progress} />}
      {status === 'failed' && (
        <div role="alert" data-testid="why-error" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-900">
          <p className="font-medium">The explanation could not be finished.</p>
          {error && <p className="mt-0.5 break-words">{error}</p>}
          {explanations.length > 0 && <p className="mt-0.5 text-red-800">What was computed before the failure is shown below.</p>}
        </div>
      )}

      <Tabs<TabId> label="Evidence for this answer" tabs={tabs} selected={tab} onSelect={setTab} />

      {!computing && explanations.length > 0 && (
        <p className="border-t border-slate-100 pt-3 text-xs text-slate-500">
          Computed in your browser by the same model that answered: {formatDuration(totalMs)}, {runs.toLocaleString('en')} model runs.
        </p>
      )}
    </div>
  );
}

function Summary({
  explanations,
  prediction,
  labelOf,
  computing,
}: {
  explanations: ReturnType<typeof byMethod>;
  prediction: WhyPrediction;
  labelOf: (intent: string) => string;
  computing: boolean;
}) {
  const source = explanations.lime?.scores ? explanations.lime : explanations.occlusion?.scores ? explanations.occlusion : undefined;
  const top = topWords(source, 3);
  const scale = source?.scores ? maxAbs(source.scores) : 0;
  const counterfactual = counterfactualExtra(explanations.counterfactual);
  const parts = counterfactual ? counterfactualParts(counterfactual, labelOf) : null;

  return (
    <div data-testid="why-summary" className="space-y-1.5 text-[15px] leading-relaxed">
      <p>
        I answered <strong className="font-semibold text-brand-900">{labelOf(prediction.intent)}</strong>{' '}
        <span className="text-slate-600">({formatPercent(prediction.confidence)} sure)</span>.
      </p>
      <p data-testid="why-summary-words">
        {top.length > 0 ? (
          <>
            The words that mattered most:{' '}
            {top.map((word, index) => {
              const colour = divergingColor(word.score, scale);
              return (
                <span key={word.index}>
                  {index > 0 && (index === top.length - 1 ? ' and ' : ', ')}
                  <mark className="rounded px-1 py-0.5 font-medium" style={{ backgroundColor: colour.background, color: colour.color }}>
                    {word.word}
                  </mark>
                </span>
              );
            })}
            <span className="sr-only"> ({quoteList(top.map((w) => w.word))}, by {source ? METHOD_NAMES[source.method] : ''})</span>.
          </>
        ) : computing ? (
          <span className="text-slate-500">Working out which words mattered…</span>
        ) : source ? (
          'No single word pushed strongly towards this answer.'
        ) : (
          <span className="text-slate-500">Which words mattered could not be worked out.</span>
        )}
      </p>
      {(counterfactual || computing) && (
        <p data-testid="why-summary-counterfactual">
          {parts ? (
            <>
              {parts.before}
              <em className="font-semibold text-brand-900 not-italic">{parts.answer}</em>
              {parts.after}
            </>
          ) : counterfactual ? (
            NO_COUNTERFACTUAL
          ) : (
            <span className="text-slate-500">Checking what would change my answer…</span>
          )}
        </p>
      )}
    </div>
  );
}

function Progress({ progress }: { progress?: WhyPanelProps['progress'] }) {
  const percent = progressPercent(progress);
  const known = Boolean(progress && progress.total > 0);
  return (
    <div role="status" data-testid="why-progress" className="space-y-1.5 rounded-lg bg-slate-50 px-3 py-2">
      <p className="flex justify-between gap-3 text-xs text-slate-700">
        <span>
          Working out why{progress?.method ? ` — ${METHOD_NAMES[progress.method as keyof typeof METHOD_NAMES] ?? progress.method}` : ''}…
        </span>
        {known && progress && (
          <span className="tabular-nums text-slate-500">
            {progress.done} of {progress.total}
          </span>
        )}
      </p>
      <div
        role="progressbar"
        aria-label="Explanations computed"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={known ? percent : undefined}
        className="h-1.5 overflow-hidden rounded-full bg-slate-200"
      >
        <div
          className={`h-full rounded-full bg-brand-600 transition-[width] duration-300 ${known ? '' : 'w-1/3 animate-pulse motion-reduce:animate-none'}`}
          style={known ? { width: `${Math.max(percent, 4)}%` } : undefined}
        />
      </div>
    </div>
  );
}

function Alternatives({
  prediction,
  labelOf,
  counterfactual,
  computing,
}: {
  prediction: WhyPrediction;
  labelOf: (intent: string) => string;
  counterfactual?: Explanation;
  computing: boolean;
}) {
  const headingId = useId();
  const top = [...prediction.topK].sort((a, b) => b.probability - a.probability).slice(0, 5);
  if (top.length === 0) return <Pending computing={false} what="alternatives" />;
  const change = counterfactualExtra(counterfactual);
  return (
    <div className="space-y-5">
      <div className="space-y-3">
        <p className="text-sm text-slate-600">The answers I considered, with how sure I was of each.</p>
        <ol className="space-y-2.5" data-testid="why-alternatives">
          {top.map((option) => {
            const chosen = option.intent === prediction.intent;
            return (
              <li key={option.intent} className="space-y-1">
                <div className="flex items-baseline justify-between gap-3 text-sm">
                  <span className={chosen ? 'font-semibold text-brand-900' : 'text-slate-800'}>
                    {labelOf(option.intent)}
                    {chosen && <span className="ml-2 rounded-full bg-brand-100 px-2 py-0.5 text-xs font-medium text-brand-900">my answer</span>}
                  </span>
                  <span className="shrink-0 font-mono text-xs tabular-nums text-slate-700">{formatPercent(option.probability, option.probability < 0.1 ? 1 : 0)}</span>
                </div>
                <div aria-hidden="true" className="h-2 overflow-hidden rounded-full bg-slate-100">
                  <div
                    className={`h-full rounded-full ${chosen ? 'bg-brand-600' : 'bg-slate-400'}`}
                    style={{ width: `${Math.max(0.5, Math.min(100, option.probability * 100))}%` }}
                  />
                </div>
              </li>
            );
          })}
        </ol>
      </div>
      <section aria-labelledby={headingId} className="space-y-1.5 rounded-lg bg-slate-50 px-3 py-2.5 text-sm" data-testid="why-counterfactual">
        <h3 id={headingId} className="font-semibold text-slate-800">
          What would change my answer
        </h3>
        {!change ? (
          <Pending computing={computing} what="counterfactual" />
        ) : change.found && change.newLabel ? (
          <>
            <p className="text-slate-700">
              Removing {quoteList(change.removedWords)} leaves &ldquo;<span className="break-words">{change.text}</span>&rdquo;.
            </p>
            <p className="text-slate-700">
              Then I would answer <strong className="font-semibold text-slate-900">{labelOf(change.newLabel)}</strong>
              {change.newProbability !== null && <> ({formatPercent(change.newProbability)} sure)</>}
              {change.targetProbability !== null && (
                <>
                  , and my confidence in <strong className="font-semibold text-slate-900">{labelOf(prediction.intent)}</strong> would fall from{' '}
                  {formatPercent(prediction.confidence)} to {formatPercent(change.targetProbability)}
                </>
              )}
              .
            </p>
          </>
        ) : (
          <p className="text-slate-700">{NO_COUNTERFACTUAL}</p>
        )}
      </section>
    </div>
  );
}

function SimilarQuestions({
  explanation,
  labelOf,
  answer,
  computing,
}: {
  explanation?: Explanation;
  labelOf: (intent: string) => string;
  answer: string;
  computing: boolean;
}) {
  const list = neighbours(explanation);
  if (!list) return <Pending computing={computing} what="similar questions" />;
  if (list.length === 0) return <p className="text-sm text-slate-600">No similar questions were found.</p>;
  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-600">Questions I learned from that are closest in meaning to yours, and the answer each was taught.</p>
      <ul className="divide-y divide-slate-100 rounded-lg ring-1 ring-slate-200" data-testid="why-similar">
        {list.map((neighbour, index) => {
          const same = neighbour.label === answer;
          return (
            <li key={`${index}-${neighbour.text}`} className="space-y-1.5 px-3 py-2.5">
              <p className="break-words text-sm text-slate-900">&ldquo;{neighbour.text}&rdquo;</p>
              <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs">
                <span className={`rounded-full px-2 py-0.5 font-medium ${same ? 'bg-brand-100 text-brand-900' : 'bg-amber-100 text-amber-900'}`}>
                  {labelOf(neighbour.label)}
                  <span className="sr-only">{same ? ' (same as my answer)' : ' (a different answer)'}</span>
                </span>
                <span className="flex items-center gap-1.5 text-slate-600">
                  <span aria-hidden="true" className="h-1.5 w-16 overflow-hidden rounded-full bg-slate-100">
                    <span className="block h-full rounded-full bg-slate-500" style={{ width: `${Math.max(0, Math.min(1, neighbour.score)) * 100}%` }} />
                  </span>
                  <span className="tabular-nums">similarity {formatNumber(neighbour.score)}</span>
                </span>
              </div>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** The "Why this answer?" button; the caller owns the open state and the panel's id. */
export function WhyToggle({
  expanded,
  controls,
  onToggle,
  className,
  ...rest
}: { expanded: boolean; controls: string; onToggle(): void } & Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'onClick' | 'type' | 'children'>) {
  return (
    <button
      type="button"
      aria-expanded={expanded}
      aria-controls={controls}
      onClick={onToggle}
      data-testid="why-toggle"
      className={`inline-flex items-center gap-1 rounded-md px-2 py-1 text-xs font-medium text-brand-700 hover:bg-brand-50 ${className ?? ''}`}
      {...rest}
    >
      <svg aria-hidden="true" viewBox="0 0 20 20" width="14" height="14" fill="currentColor" className={`transition-transform ${expanded ? 'rotate-90' : ''}`}>
        <path d="M7.2 4.2a1 1 0 0 1 1.4 0l5.1 5.1a1 1 0 0 1 0 1.4l-5.1 5.1a1 1 0 1 1-1.4-1.4L11.6 10 7.2 5.6a1 1 0 0 1 0-1.4z" />
      </svg>
      Why this answer?
    </button>
  );
}
