'use client';

import { useId, useMemo, useState, type ButtonHTMLAttributes } from 'react';
import type { ExplanationOf } from '@/lib/explain/explainer';
import { EXPLAINERS, wordViewOrderOf, type Explanation, type ExplanationWithView } from '@/lib/explain/methods';
import { AttentionView } from './attention-view';
import { contrastEntries, ContrastSection, WhyNotButton, type ContrastControl } from './contrast-view';
import { FaithfulnessView } from './faithfulness-view';
import {
  counterfactualParts,
  evidenceColor,
  evidenceStrength,
  formatDuration,
  formatNumber,
  formatPercent,
  NO_COUNTERFACTUAL,
  POSITIVE_RGB,
  progressPercent,
  quoteList,
  strongest,
  topWords,
} from './format';
import { isContrast, readCounterfactual, readExplanations, readNeighbours, readPrediction, withView, type ReadExplanation } from './parse';
import { MessageWords } from './message-words';
import { Pending } from './pending';
import { PanelText, ReaderContext, type Reader } from './reader';
import { Tabs, type TabSpec } from './tabs';
import { WordEvidence, type ScoredMethod } from './word-evidence';

export type { Reader } from './reader';
export type { ContrastControl } from './contrast-view';

export interface WhyPrediction {
  intent: string;
  confidence: number;
  topK: { intent: string; probability: number }[];
}

/**
 * Where the explanations come from, said under the technical details: worked out on this page,
 * stored from a visitor's browser, or computed by the model audit (`npm run audit`) for its
 * worst flips; `runtime` says where the audit ran the model.
 */
export type Provenance = { kind: 'live' } | { kind: 'stored'; storedAt: string | null; backend: string } | { kind: 'audit' | 'replay'; computedAt: string; runtime: string };

export interface WhyPanelProps {
  /** The explanation objects as made or as stored: read here, whatever their shape. */
  explanations: readonly unknown[];
  prediction: WhyPrediction;
  labelOf: (intent: string) => string;
  status: 'computing' | 'ready' | 'failed';
  progress?: { done: number; total: number; method?: string };
  error?: string;
  /** Lets a toggle point at the panel with `aria-controls`. */
  id?: string;
  reader?: Reader;
  provenance?: Provenance;
  /**
   * The message the explanations are of, as this reader may see it (as typed in the chat; as
   * stored, personal data masked, in the admin): the word views draw the characters between the
   * word units from it. Without it (or when the words are not its units) they draw the units alone.
   */
  text?: string;
  /**
   * Asks for contrasts ("Why not …?" beside the other answers) and holds those asked for. Without
   * it, the contrasts among `explanations` are shown, and none can be asked for.
   */
  contrast?: ContrastControl;
}

type CustomerTab = 'words' | 'alternatives' | 'similar';
type TechnicalTab = 'scores' | 'attention' | 'faithfulness';

/**
 * The word-scoring methods in the order the word view offers them, each with its explanation once
 * there is one. A method that needs another intent to run (a contrast) has a view of its own.
 */
function scoredMethods(explanations: readonly Explanation[]): ScoredMethod[] {
  return wordViewOrderOf(EXPLAINERS)
    .filter((descriptor) => !(descriptor.needs as readonly string[]).includes('versus'))
    .map((descriptor) => ({ descriptor, explanation: explanations.find((e) => e.method === descriptor.method) }));
}

/** The word scores the customer sees: of the method with the highest `customerRank` that has scores. */
function customerSource(methods: readonly ScoredMethod[]): ExplanationOf | undefined {
  return methods.find(({ descriptor, explanation }) => descriptor.customerRank !== undefined && explanation?.scores)?.explanation;
}

/**
 * The content of "Why this answer?". Two readers, one stored object: the customer sees a
 * plain summary, the words that led to the answer, the other answers and similar questions;
 * methods, layers, heads and faithfulness figures sit behind "Technical details", open by
 * default for an operator.
 */
export function WhyPanel({ explanations, prediction: rawPrediction, labelOf, status, progress, error, id, reader = 'customer', provenance = { kind: 'live' }, text, contrast }: WhyPanelProps) {
  const [tab, setTab] = useState<CustomerTab>('words');
  const [technicalTab, setTechnicalTab] = useState<TechnicalTab>('scores');
  const [technical, setTechnical] = useState(reader === 'operator');
  const technicalId = useId();
  const { read, unreadable } = useMemo(() => readExplanations(explanations), [explanations]);
  const prediction = useMemo(() => readPrediction(rawPrediction), [rawPrediction]);
  // The contrasts ("why this and not that?") have a view of their own; every other view is of the answer alone.
  const list = useMemo(() => read.map((entry) => entry.explanation).filter((explanation) => !isContrast(explanation)), [read]);
  const contrasts = useMemo(() => read.map((entry) => entry.explanation).filter(isContrast), [read]);
  const computing = status === 'computing';
  const scored = scoredMethods(list);
  const attention = withView(list, 'attention-matrices');
  const rollout = withView(list, 'rollout');
  const counterfactual = withView(list, 'counterfactual');
  const similar = withView(list, 'neighbours');
  const hasFaithfulness = list.some((e) => e.faithfulness);
  const dot = (ready: boolean) => (computing && !ready ? <span className="inline-block size-1.5 animate-pulse rounded-full bg-slate-400 motion-reduce:animate-none" /> : undefined);
  const source = customerSource(scored);

  const customerTabs: TabSpec<CustomerTab>[] = [
    {
      id: 'words',
      label: 'Words',
      testId: 'why-tab-words',
      badge: dot(Boolean(source)),
      panel: <CustomerWords source={source} text={text} computing={computing} />,
    },
    {
      id: 'alternatives',
      label: 'Other answers',
      testId: 'why-tab-alternatives',
      panel: (
        <Alternatives
          prediction={prediction}
          labelOf={labelOf}
          counterfactual={counterfactual}
          computing={computing}
          contrasts={contrasts}
          contrast={contrast}
          text={text}
          reader={reader}
        />
      ),
    },
    {
      id: 'similar',
      label: 'Similar questions',
      testId: 'why-tab-similar',
      badge: dot(Boolean(similar)),
      panel: <SimilarQuestions explanation={similar} labelOf={labelOf} answer={prediction.intent} computing={computing} reader={reader} />,
    },
  ];
  const technicalTabs: TabSpec<TechnicalTab>[] = [
    {
      id: 'scores',
      label: 'Word scores',
      testId: 'why-tab-scores',
      badge: dot(scored.some(({ descriptor, explanation }) => descriptor.customerRank !== undefined && explanation)),
      panel: <WordEvidence methods={scored} text={text} computing={computing} skipped={contrast?.skipped} />,
    },
    {
      id: 'attention',
      label: 'Attention',
      testId: 'why-tab-attention',
      badge: dot(Boolean(attention)),
      panel: <AttentionView attention={attention} rollout={rollout} computing={computing} />,
    },
    {
      id: 'faithfulness',
      label: 'Faithfulness',
      testId: 'why-tab-faithfulness',
      badge: dot(hasFaithfulness),
      panel: <FaithfulnessView explanations={list} computing={computing} />,
    },
  ];

  return (
    <ReaderContext.Provider value={reader}>
      <div
        id={id}
        role="group"
        aria-label={`Why this answer: ${labelOf(prediction.intent)}`}
        data-testid="why-panel"
        data-status={status}
        data-reader={reader}
        className="w-full min-w-0 max-w-full space-y-4 rounded-2xl border border-slate-200 bg-white p-3 text-slate-900 shadow-sm sm:p-4"
      >
        <Summary source={source} counterfactual={counterfactual} prediction={prediction} labelOf={labelOf} computing={computing} />

        {computing && <Progress progress={progress} reader={reader} />}
        {status === 'failed' && (
          <div role="alert" data-testid="why-error" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-900">
            <p className="font-medium">The explanation could not be finished.</p>
            {error && <p className="mt-0.5 break-words">{error}</p>}
            {list.length > 0 && <p className="mt-0.5 text-red-800">What was worked out before that is shown below.</p>}
          </div>
        )}
        {unreadable.length > 0 && (
          <div role="note" data-testid="why-unreadable" className="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900">
            {reader === 'operator' ? (
              <ul className="space-y-0.5">
                {unreadable.map((entry, index) => (
                  <li key={index} className="break-words">
                    Cannot display this explanation ({entry.method}): {entry.reason}.
                  </li>
                ))}
              </ul>
            ) : (
              <p>Part of this explanation cannot be displayed.</p>
            )}
          </div>
        )}

        <Tabs<CustomerTab> label="Why this answer" tabs={customerTabs} selected={tab} onSelect={setTab} />

        <div className="border-t border-slate-100 pt-3">
          <button
            type="button"
            aria-expanded={technical}
            aria-controls={technicalId}
            onClick={() => setTechnical(!technical)}
            data-testid="why-technical-toggle"
            className="inline-flex items-center gap-1 rounded-md px-1 py-1 text-sm font-medium text-slate-700 hover:bg-slate-100"
          >
            <Chevron open={technical} />
            Technical details
          </button>
          <div id={technicalId} hidden={!technical} data-testid="why-technical" className="mt-3 space-y-3">
            {technical && (
              <>
                <Tabs<TechnicalTab> label="Technical details" tabs={technicalTabs} selected={technicalTab} onSelect={setTechnicalTab} />
                <Cuts read={read} />
                {!computing && list.length > 0 && <ProvenanceLine provenance={provenance} explanations={list} />}
              </>
            )}
          </div>
        </div>
      </div>
    </ReaderContext.Provider>
  );
}

function Chevron({ open }: { open: boolean }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" width="14" height="14" fill="currentColor" className={`shrink-0 transition-transform motion-reduce:transition-none ${open ? 'rotate-90' : ''}`}>
      <path d="M7.2 4.2a1 1 0 0 1 1.4 0l5.1 5.1a1 1 0 0 1 0 1.4l-5.1 5.1a1 1 0 1 1-1.4-1.4L11.6 10 7.2 5.6a1 1 0 0 1 0-1.4z" />
    </svg>
  );
}

/** What the renderer left out of oversized explanations, said plainly. */
function Cuts({ read }: { read: ReadExplanation[] }) {
  const notes = read.flatMap((entry) => entry.cut.map((note) => `${entry.explanation.method}: ${note}`));
  if (notes.length === 0) return null;
  return (
    <ul className="space-y-0.5 text-xs text-slate-600" data-testid="why-cut">
      {notes.map((note, index) => (
        <li key={index}>{note}</li>
      ))}
    </ul>
  );
}

function ProvenanceLine({ provenance, explanations }: { provenance: Provenance; explanations: Explanation[] }) {
  const totalMs = explanations.reduce((sum, e) => sum + (Number.isFinite(e.timing.ms) ? e.timing.ms : 0), 0);
  const runs = explanations.reduce((sum, e) => sum + (Number.isFinite(e.timing.forwardPasses) ? e.timing.forwardPasses : 0), 0);
  const cost = `${formatDuration(totalMs)}, ${runs.toLocaleString('en')} model runs`;
  return (
    <p className="text-xs text-slate-500" data-testid="why-provenance">
      {provenance.kind === 'live'
        ? `Worked out on this device by the same model that answered: ${cost}.`
        : provenance.kind !== 'stored'
          ? `Computed by the ${provenance.kind} on ${provenance.computedAt} in ${provenance.runtime}: ${cost}.`
          : `Stored with the prediction${provenance.storedAt ? ` on ${provenance.storedAt}` : ''}; computed in the visitor's browser on ${provenance.backend}: ${cost}.`}
    </p>
  );
}

function Summary({
  source,
  counterfactual,
  prediction,
  labelOf,
  computing,
}: {
  source: ExplanationOf | undefined;
  counterfactual: ExplanationWithView<'counterfactual'> | undefined;
  prediction: WhyPrediction;
  labelOf: (intent: string) => string;
  computing: boolean;
}) {
  const scale = source?.scores ? strongest(source.scores) : 0;
  const top = topWords(source, 3).filter((word) => evidenceStrength(word.score, scale) !== null);
  const change = readCounterfactual(counterfactual);
  const parts = change ? counterfactualParts(change, labelOf) : null;

  return (
    <div data-testid="why-summary" className="space-y-1.5 text-[15px] leading-relaxed">
      <p>
        I answered <strong className="font-semibold text-brand-900">{labelOf(prediction.intent)}</strong>
        {Number.isFinite(prediction.confidence) && <span className="text-slate-600"> ({formatPercent(prediction.confidence)} sure)</span>}.
      </p>
      <p data-testid="why-summary-words">
        {top.length > 0 ? (
          <>
            The words that mattered most:{' '}
            {top.map((word, index) => {
              const colour = evidenceColor(evidenceStrength(word.score, scale) ?? 0);
              return (
                <span key={word.index}>
                  {index > 0 && (index === top.length - 1 ? ' and ' : ', ')}
                  <mark className="rounded px-1 py-0.5 font-medium" style={{ backgroundColor: colour.background, color: colour.color }}>
                    <PanelText text={word.word} />
                  </mark>
                </span>
              );
            })}
            .
          </>
        ) : computing ? (
          <span className="text-slate-500">Working out which words mattered…</span>
        ) : source ? (
          'No single word pushed strongly towards this answer.'
        ) : (
          <span className="text-slate-500">Which words mattered could not be worked out.</span>
        )}
      </p>
      {(change || computing) && (
        <p data-testid="why-summary-counterfactual">
          {parts ? (
            <>
              {parts.before}
              <em className="font-semibold text-brand-900 not-italic">{parts.answer}</em>
              {parts.after}
            </>
          ) : change ? (
            NO_COUNTERFACTUAL
          ) : (
            <span className="text-slate-500">Checking what would change my answer…</span>
          )}
        </p>
      )}
    </div>
  );
}

/** The customer's "Words" tab: the message with the words that led to the answer in one blue scale, the rest muted. */
function CustomerWords({ source, text, computing }: { source: ExplanationOf | undefined; text?: string; computing: boolean }) {
  if (!source?.scores) return <Pending computing={computing} what="word evidence" />;
  const scores = source.scores;
  const scale = strongest(scores);
  const strengths = scores.map((score) => evidenceStrength(score, scale));
  const led = source.words.filter((_, index) => strengths[index] !== null).map((word) => word.text);
  return (
    <figure className="space-y-3">
      <p className="text-lg leading-10 break-words text-slate-900" data-testid="why-highlighted-text">
        <MessageWords
          words={source.words}
          text={text}
          unit={(index, tight) => {
            const word = source.words[index]!;
            const strength = strengths[index] ?? null;
            if (strength === null) {
              return (
                <span className="text-slate-500" data-evidence="negligible">
                  <PanelText text={word.text} />
                </span>
              );
            }
            const colour = evidenceColor(strength);
            return (
              <mark className={`rounded-md py-1 ${tight ? 'px-0.5' : 'px-1.5'}`} style={{ backgroundColor: colour.background, color: colour.color }} data-evidence="led">
                <PanelText text={word.text} />
              </mark>
            );
          }}
        />
      </p>
      {/* Said once after the message, not inside it: the message reads as typed. */}
      {led.length > 0 && <p className="sr-only">Words that led to this answer: {quoteList(led)}.</p>}
      <figcaption className="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-slate-600" data-testid="why-legend">
        <span>Words that led to this answer</span>
        <span className="flex items-center gap-1.5" aria-hidden="true">
          <span>weaker</span>
          <span
            className="h-2 w-16 rounded-full ring-1 ring-slate-900/10"
            style={{ backgroundImage: `linear-gradient(to right, ${evidenceColor(0).background}, rgb(${POSITIVE_RGB.join(' ')}))` }}
          />
          <span>stronger</span>
        </span>
      </figcaption>
      {led.length === 0 && <p className="text-sm text-slate-600">No single word pushed strongly towards this answer: it came from the message as a whole.</p>}
    </figure>
  );
}

function Progress({ progress, reader }: { progress?: WhyPanelProps['progress']; reader: Reader }) {
  const percent = progressPercent(progress);
  const known = Boolean(progress && progress.total > 0);
  return (
    <div role="status" data-testid="why-progress" className="space-y-1.5 rounded-lg bg-slate-50 px-3 py-2">
      <p className="flex justify-between gap-3 text-xs text-slate-700">
        <span>Working out why{reader === 'operator' && progress?.method ? ` (${progress.method})` : ''}…</span>
        {known && progress && (
          <span className="tabular-nums text-slate-500">
            {progress.done} of {progress.total}
          </span>
        )}
      </p>
      <div
        role="progressbar"
        aria-label="Explanation worked out"
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

/**
 * The other answers considered, each but the answer with "Why not?" (a contrast: the words that
 * favour the answer over it, and the smallest change that would have given it), and what would
 * change the answer at all.
 */
function Alternatives({
  prediction,
  labelOf,
  counterfactual,
  computing,
  contrasts,
  contrast,
  text,
  reader,
}: {
  prediction: WhyPrediction;
  labelOf: (intent: string) => string;
  counterfactual?: ExplanationWithView<'counterfactual'>;
  computing: boolean;
  contrasts: readonly Explanation[];
  contrast?: ContrastControl;
  text?: string;
  reader: Reader;
}) {
  const headingId = useId();
  const resultId = useId();
  const [chosen, setChosen] = useState<string | null>(null);
  const entries = useMemo(() => contrastEntries(contrasts, contrast?.states), [contrasts, contrast?.states]);
  const top = [...prediction.topK].sort((a, b) => b.probability - a.probability).slice(0, 5);
  if (top.length === 0) return <Pending computing={false} what="other answers" />;
  const change = readCounterfactual(counterfactual);
  const others = top.map((option) => option.intent).filter((intent) => intent !== prediction.intent);
  // Until one is chosen, the first contrast there is (restored or stored) is shown.
  const shown = chosen ?? [...others, ...entries.keys()].find((versus) => entries.has(versus)) ?? null;
  const show = (versus: string) => {
    setChosen(versus);
    // One shown already (stored, or worked out on this page) is not asked for again; a failed one is.
    const entry = entries.get(versus);
    if (!entry || entry.status === 'failed') contrast?.request(versus);
  };
  const offersContrasts = Boolean(contrast) || entries.size > 0;
  return (
    <div className="space-y-5">
      <div className="space-y-3">
        <p className="text-sm text-slate-600">The answers I considered, with how sure I was of each.</p>
        <ol className="space-y-2.5" data-testid="why-alternatives">
          {top.map((option, index) => {
            const answer = option.intent === prediction.intent;
            return (
              <li key={`${index}-${option.intent}`} className="space-y-1">
                <div className="flex items-baseline justify-between gap-3 text-sm">
                  <span className={`min-w-0 flex-1 break-words ${answer ? 'font-semibold text-brand-900' : 'text-slate-800'}`}>
                    {labelOf(option.intent)}
                    {answer && <span className="ml-2 rounded-full bg-brand-100 px-2 py-0.5 text-xs font-medium whitespace-nowrap text-brand-900">my answer</span>}
                  </span>
                  {!answer && (contrast || entries.has(option.intent)) && (
                    <WhyNotButton intent={option.intent} name={labelOf(option.intent)} pressed={shown === option.intent} controls={resultId} onPress={show} />
                  )}
                  <span className="shrink-0 font-mono text-xs tabular-nums text-slate-700">{formatPercent(option.probability, option.probability < 0.1 ? 1 : 0)}</span>
                </div>
                <div aria-hidden="true" className="h-2 overflow-hidden rounded-full bg-slate-100">
                  <div
                    className={`h-full rounded-full ${answer ? 'bg-brand-600' : 'bg-slate-400'}`}
                    style={{ width: `${Math.max(0.5, Math.min(100, option.probability * 100))}%` }}
                  />
                </div>
              </li>
            );
          })}
        </ol>
      </div>
      {offersContrasts && (
        <ContrastSection
          answer={prediction.intent}
          listed={others}
          entries={entries}
          shown={shown}
          onShow={show}
          control={contrast}
          labelOf={labelOf}
          text={text}
          reader={reader}
          resultId={resultId}
        />
      )}
      <section aria-labelledby={headingId} className="space-y-1.5 rounded-lg bg-slate-50 px-3 py-2.5 text-sm" data-testid="why-counterfactual">
        <h3 id={headingId} className="font-semibold text-slate-800">
          What would change my answer
        </h3>
        {!change ? (
          <Pending computing={computing} what="change that would alter it" />
        ) : change.found && change.newLabel ? (
          <>
            <p className="break-words text-slate-700">
              Removing {quoteList(change.removedWords)} leaves &ldquo;
              <PanelText text={change.text} />
              &rdquo;.
            </p>
            <p className="text-slate-700">
              Then I would answer <strong className="font-semibold text-slate-900">{labelOf(change.newLabel)}</strong>
              {change.newProbability !== null && <> ({formatPercent(change.newProbability)} sure)</>}
              {change.targetProbability !== null && Number.isFinite(prediction.confidence) && (
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
  reader,
}: {
  explanation?: ExplanationWithView<'neighbours'>;
  labelOf: (intent: string) => string;
  answer: string;
  computing: boolean;
  reader: Reader;
}) {
  const list = readNeighbours(explanation);
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
              <p className="break-words text-sm text-slate-900">
                &ldquo;
                <PanelText text={neighbour.text} />
                &rdquo;
              </p>
              <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs">
                <span className={`rounded-full px-2 py-0.5 font-medium ${same ? 'bg-brand-100 text-brand-900' : 'bg-amber-100 text-amber-900'}`}>
                  {labelOf(neighbour.label)}
                  <span className="sr-only">{same ? ' (same as my answer)' : ' (a different answer)'}</span>
                </span>
                <span className="flex items-center gap-1.5 text-slate-600">
                  <span aria-hidden="true" className="h-1.5 w-16 overflow-hidden rounded-full bg-slate-100">
                    <span className="block h-full rounded-full bg-slate-500" style={{ width: `${Math.max(0, Math.min(1, neighbour.score)) * 100}%` }} />
                  </span>
                  {reader === 'operator' ? (
                    <span className="tabular-nums">similarity {formatNumber(neighbour.score)}</span>
                  ) : (
                    <span className="sr-only">closeness {formatPercent(Math.max(0, Math.min(1, neighbour.score)))}</span>
                  )}
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
      <Chevron open={expanded} />
      Why this answer?
    </button>
  );
}
