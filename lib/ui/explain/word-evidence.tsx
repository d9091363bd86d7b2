'use client';

import { useId, useRef, useState, type CSSProperties } from 'react';
import type { AnyExplainer, ExplanationOf } from '@/lib/explain/explainer';
import type { ExplanationMethod, ExplanationOfMethod, WordScoringMethod } from '@/lib/explain/methods';
import { divergingBar, divergingColor, formatDuration, formatNumber, formatPercent, formatScore, maxAbs, NEGATIVE_RGB, POSITIVE_RGB } from './format';
import { readLime } from './parse';
import { MessageWords } from './message-words';
import { Pending } from './pending';
import { PanelText } from './reader';
import { SkippedMethods, type SkippedControl, type SkippedLine } from './skipped-methods';

/** A word-scoring method offered by the view, and its explanation once there is one. */
export interface ScoredMethod {
  descriptor: AnyExplainer;
  explanation: ExplanationOf | undefined;
}

/**
 * The "Word scores" tab: the text highlighted by a method's word scores and a diverging bar
 * chart. Every word-scoring method is shown here by what its descriptor declares (name and
 * description); no method needs code of its own. With `skipped`, the methods the time budget
 * dropped say so under the switcher, each with a button that computes it now; pressed, the
 * switcher moves to that method, and its scores show once they are there.
 */
export function WordEvidence({ methods, text, computing, skipped }: { methods: readonly ScoredMethod[]; text?: string; computing: boolean; skipped?: SkippedControl }) {
  const [chosen, setChosen] = useState(methods[0]?.descriptor.method);
  // The dropped methods asked for on this panel: once computed, the panel says so where the button was.
  const [requested, setRequested] = useState<readonly ExplanationMethod[]>([]);
  const radios = useRef(new Map<string, HTMLInputElement>());
  const name = useId();
  const current = methods.find((entry) => entry.descriptor.method === chosen) ?? methods[0];
  if (!current) return <Pending computing={computing} what="word scores" />;
  const explanation = current.explanation;
  const skippedOf = (method: string) => skipped?.methods.find((entry) => entry.method === method);
  const lines: SkippedLine[] = methods.flatMap(({ descriptor, explanation: scored }): SkippedLine[] => {
    const entry = skippedOf(descriptor.method);
    if (entry) return [{ method: entry.method, descriptor, state: entry }];
    const asked = requested.find((method) => method === descriptor.method);
    return asked && scored?.scores ? [{ method: asked, descriptor, state: 'computed' }] : [];
  });
  const compute = (method: ExplanationMethod) => {
    setRequested((asked) => (asked.includes(method) ? asked : [...asked, method]));
    // The button gives way to the progress: focus goes to the method's place in the switcher, now chosen.
    setChosen(method);
    radios.current.get(method)?.focus();
    skipped?.request(method);
  };
  const computingOf = (method: string) => computing || skippedOf(method)?.run?.status === 'computing';

  return (
    <div className="space-y-4">
      <fieldset>
        <legend className="mb-1.5 text-xs font-medium text-slate-600">Scored by</legend>
        {/* One row from a tablet up; on a phone, rows of three, so that each name keeps its own space. */}
        <div
          className="grid grid-cols-3 gap-1 rounded-lg bg-slate-100 p-1 sm:inline-grid sm:grid-cols-(--method-columns)"
          style={{ '--method-columns': `repeat(${methods.length}, minmax(0, 1fr))` } as CSSProperties}
        >
          {methods.map(({ descriptor, explanation: scored }) => (
            <label key={descriptor.method} className="relative">
              <input
                ref={(input) => {
                  if (input) radios.current.set(descriptor.method, input);
                  else radios.current.delete(descriptor.method);
                }}
                type="radio"
                name={name}
                value={descriptor.method}
                checked={current.descriptor.method === descriptor.method}
                onChange={() => setChosen(descriptor.method)}
                className="peer absolute inset-0 z-10 m-0 size-full cursor-pointer appearance-none opacity-0"
                data-testid={`why-method-${descriptor.method}`}
              />
              <span className="block cursor-pointer rounded-md px-1 py-1 text-center text-[13px] whitespace-nowrap text-slate-700 sm:px-3 sm:text-sm peer-checked:bg-white peer-checked:font-medium peer-checked:text-brand-900 peer-checked:shadow-sm peer-focus-visible:outline-3 peer-focus-visible:outline-offset-1 peer-focus-visible:outline-brand-600 hover:text-slate-900">
                {descriptor.shortLabel}
                {!scored?.scores &&
                  (computingOf(descriptor.method) ? (
                    <>
                      <span aria-hidden="true" className="ml-1.5 inline-block size-1.5 animate-pulse rounded-full bg-slate-400 align-middle motion-reduce:animate-none" />
                      <span className="sr-only"> (computing)</span>
                    </>
                  ) : (
                    <span className="sr-only">{skippedOf(descriptor.method) ? ' (not computed)' : ' (not available)'}</span>
                  ))}
              </span>
            </label>
          ))}
        </div>
      </fieldset>

      {lines.length > 0 && <SkippedMethods lines={lines} onCompute={compute} />}

      <p className="text-sm text-slate-600">{current.descriptor.description}</p>

      {explanation?.scores ? (
        <ScoredWords explanation={explanation} scores={explanation.scores} label={current.descriptor.label} text={text} />
      ) : (
        <Pending computing={computingOf(current.descriptor.method)} what={`${current.descriptor.label} scores`} />
      )}
    </div>
  );
}

/** What a word's score is for and against: this answer by default; a contrast's answer and other intent. */
export interface ScoreSides {
  /** Who a positive score favours, and a negative one. */
  for: string;
  against: string;
  /** How the table's caption reads the scores. */
  caption: string;
}

const ANSWER_SIDES: ScoreSides = {
  for: 'For this answer',
  against: 'Against this answer',
  caption: 'Positive scores pushed towards this answer, negative scores away from it.',
};

/** A message's words shaded by signed scores, the legend, and a table of the scores with diverging bars. */
export function ScoredWords({
  explanation,
  scores,
  label,
  text,
  sides = ANSWER_SIDES,
  details = true,
}: {
  explanation: ExplanationOf;
  scores: readonly number[];
  label: string;
  text?: string;
  sides?: ScoreSides;
  /** Say how the scores were made (samples, seed, time) under the table. */
  details?: boolean;
}) {
  const scale = maxAbs(scores);
  const captionId = useId();
  const sortId = useId();
  const [sorted, setSorted] = useState(false);
  const order = explanation.words.map((_, index) => index);
  if (sorted) order.sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || a - b);
  return (
    <>
      <figure className="space-y-2">
        <p className="text-lg leading-10 break-words text-slate-900" data-testid="why-highlighted-text" aria-describedby={captionId}>
          <MessageWords
            words={explanation.words}
            text={text}
            unit={(index, tight) => {
              const word = explanation.words[index]!;
              const score = scores[index] ?? 0;
              const colour = divergingColor(score, scale);
              return (
                <span
                  className={`rounded-md py-1 ring-1 ring-slate-900/5 ring-inset ${tight ? 'px-0.5' : 'px-1.5'}`}
                  style={{ backgroundColor: colour.background, color: colour.color }}
                  title={`${word.text}: ${formatScore(score)}`}
                >
                  <PanelText text={word.text} />
                </span>
              );
            }}
          />
        </p>
        <Legend sides={sides} />
      </figure>

      <div className="space-y-1">
        <div className="flex items-center justify-end gap-2 text-xs text-slate-600">
          <input
            id={sortId}
            type="checkbox"
            checked={sorted}
            onChange={(event) => setSorted(event.target.checked)}
            className="size-4 accent-brand-600"
            data-testid="why-sort-words"
          />
          <label htmlFor={sortId}>Sort by score</label>
        </div>
        <div className="relative overflow-x-auto">
          <table className="w-full min-w-72 border-separate border-spacing-y-1 text-sm">
            <caption id={captionId} className="sr-only">
              {label} score of each word. {sides.caption}
            </caption>
            <thead className="text-xs text-slate-500">
              <tr>
                <th scope="col" className="pr-3 text-left font-medium">
                  Word
                </th>
                <th scope="col" className="w-full font-medium">
                  <span className="flex justify-between px-1">
                    <span aria-hidden="true">← {sides === ANSWER_SIDES ? 'against' : sides.against.toLowerCase()}</span>
                    <span className="sr-only">Bar</span>
                    <span aria-hidden="true">{sides === ANSWER_SIDES ? 'for' : sides.for.toLowerCase()} →</span>
                  </span>
                </th>
                <th scope="col" className="pl-3 text-right font-medium">
                  Score
                </th>
              </tr>
            </thead>
            <tbody>
              {order.map((index) => {
                const word = explanation.words[index];
                const score = scores[index] ?? 0;
                const bar = divergingBar(score, scale);
                return (
                  <tr key={`${word.start}-${index}`}>
                    <th scope="row" className="max-w-32 truncate pr-3 text-left font-normal text-slate-800" title={word.text}>
                      <PanelText text={word.text} />
                    </th>
                    <td aria-hidden="true" className="px-1">
                      <div className="relative h-4 rounded-sm bg-slate-50">
                        <div className="absolute inset-y-0 left-1/2 w-px bg-slate-300" />
                        {bar.side !== 'none' && (
                          <div
                            className={`absolute inset-y-0.5 ${bar.side === 'positive' ? 'rounded-r-sm' : 'rounded-l-sm'}`}
                            style={{
                              width: `${bar.percent}%`,
                              left: bar.side === 'positive' ? '50%' : `${50 - bar.percent}%`,
                              backgroundColor: `rgb(${(bar.side === 'positive' ? POSITIVE_RGB : NEGATIVE_RGB).join(' ')})`,
                            }}
                          />
                        )}
                      </div>
                    </td>
                    <td className="pl-3 text-right font-mono text-xs tabular-nums text-slate-700">{formatScore(score)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </div>

      {details && <MethodDetails explanation={explanation} />}
    </>
  );
}

function Legend({ sides }: { sides: ScoreSides }) {
  const blue = `rgb(${POSITIVE_RGB.join(' ')})`;
  const orange = `rgb(${NEGATIVE_RGB.join(' ')})`;
  return (
    <figcaption className="flex flex-wrap items-center gap-2 text-xs text-slate-600">
      <span>{sides.against}</span>
      <span aria-hidden="true" className="h-2 w-24 rounded-full ring-1 ring-slate-900/10" style={{ backgroundImage: `linear-gradient(to right, ${orange}, #fff, ${blue})` }} />
      <span>{sides.for}</span>
    </figcaption>
  );
}

/**
 * What is worth saying about how a method's scores were made, from its typed `extra`. Optional:
 * a method without an entry shows its seed and time only.
 */
const RUN_FACTS: { [M in WordScoringMethod]?: (explanation: ExplanationOfMethod<M>) => string[] } = {
  lime: (explanation) => {
    const lime = readLime(explanation);
    if (!lime) return [];
    return [
      `${lime.samples.toLocaleString('en')} perturbed texts${lime.distinctTexts ? ` (${lime.distinctTexts.toLocaleString('en')} distinct)` : ''}`,
      `surrogate fit R² ${formatNumber(lime.r2)}`,
      `intercept ${formatNumber(lime.intercept)}`,
    ];
  },
  shap: ({ extra }) => [
    ...(extra.exact === true ? ['exact Shapley values'] : typeof extra.samples === 'number' ? [`${extra.samples.toLocaleString('en')} sampled coalitions`] : []),
    ...(extra.stoppedByBudget === true ? ['stopped by its time budget'] : []),
    ...(typeof extra.baseValue === 'number' && typeof extra.fx === 'number' ? [`confidence ${formatPercent(extra.fx)} with every word, ${formatPercent(extra.baseValue)} with none`] : []),
  ],
  occlusion: ({ extra }) => (typeof extra.baseline === 'number' ? [`confidence with every word ${formatPercent(extra.baseline)}`] : []),
  attention: ({ extra }) => [`last layer, mean of ${extra.heads ?? 'all'} heads, from the [CLS] token`],
  rollout: ({ extra }) => (extra.residual !== undefined ? [`skip-connection weight ${formatNumber(extra.residual)}`] : []),
};

function runFacts(explanation: ExplanationOf): string[] {
  // The explanation was read with its own method's schemas, so it is that method's.
  const facts = RUN_FACTS[explanation.method as WordScoringMethod] as ((explanation: ExplanationOf) => string[]) | undefined;
  return facts ? facts(explanation) : [];
}

function MethodDetails({ explanation }: { explanation: ExplanationOf }) {
  const facts = runFacts(explanation);
  const seed = 'seed' in explanation.settings ? explanation.settings.seed : undefined;
  if (typeof seed === 'number' && Number.isFinite(seed)) facts.push(`seed ${seed}`);
  facts.push(formatDuration(explanation.timing.ms));
  const line = facts.join(' · ');
  return (
    <p data-testid="method-details" className="text-xs text-slate-500">
      {line.charAt(0).toUpperCase() + line.slice(1)}
    </p>
  );
}
