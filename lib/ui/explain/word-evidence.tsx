'use client';

import { useId, useState } from 'react';
import type { Explanation, WordScoringMethod } from '@/lib/explain/types';
import {
  divergingBar,
  divergingColor,
  formatDuration,
  formatNumber,
  formatPercent,
  formatScore,
  maxAbs,
  METHOD_DESCRIPTIONS,
  METHOD_NAMES,
  METHOD_SHORT_NAMES,
  NEGATIVE_RGB,
  POSITIVE_RGB,
} from './format';
import { extraNumber, readLime } from './parse';
import { Pending } from './pending';
import { PanelText } from './reader';

const METHODS: WordScoringMethod[] = ['lime', 'occlusion', 'attention', 'rollout'];

/** The "Words" tab: the text highlighted by a method's word scores and a diverging bar chart. */
export function WordEvidence({ byMethod, computing }: { byMethod: Partial<Record<WordScoringMethod, Explanation>>; computing: boolean }) {
  const [chosen, setChosen] = useState<WordScoringMethod>('lime');
  const name = useId();
  const available = (method: WordScoringMethod) => Boolean(byMethod[method]?.scores);
  const explanation = byMethod[chosen];

  return (
    <div className="space-y-4">
      <fieldset>
        <legend className="mb-1.5 text-xs font-medium text-slate-600">Scored by</legend>
        <div className="grid grid-cols-4 gap-1 rounded-lg bg-slate-100 p-1 sm:inline-grid">
          {METHODS.map((method) => (
            <label key={method} className="relative">
              <input
                type="radio"
                name={name}
                value={method}
                checked={chosen === method}
                onChange={() => setChosen(method)}
                className="peer absolute inset-0 z-10 m-0 size-full cursor-pointer appearance-none opacity-0"
                data-testid={`why-method-${method}`}
              />
              <span className="block cursor-pointer rounded-md px-1 py-1 text-center text-[13px] whitespace-nowrap text-slate-700 sm:px-3 sm:text-sm peer-checked:bg-white peer-checked:font-medium peer-checked:text-brand-900 peer-checked:shadow-sm peer-focus-visible:outline-3 peer-focus-visible:outline-offset-1 peer-focus-visible:outline-brand-600 hover:text-slate-900">
                {METHOD_SHORT_NAMES[method]}
                {!available(method) &&
                  (computing ? (
                    <>
                      <span aria-hidden="true" className="ml-1.5 inline-block size-1.5 animate-pulse rounded-full bg-slate-400 align-middle motion-reduce:animate-none" />
                      <span className="sr-only"> (computing)</span>
                    </>
                  ) : (
                    <span className="sr-only"> (not available)</span>
                  ))}
              </span>
            </label>
          ))}
        </div>
      </fieldset>

      <p className="text-sm text-slate-600">{METHOD_DESCRIPTIONS[chosen]}</p>

      {explanation?.scores ? (
        <ScoredWords explanation={explanation} scores={explanation.scores} />
      ) : (
        <Pending computing={computing} what={`${METHOD_NAMES[chosen]} scores`} />
      )}
    </div>
  );
}

function ScoredWords({ explanation, scores }: { explanation: Explanation; scores: number[] }) {
  const scale = maxAbs(scores);
  const method = explanation.method;
  const captionId = useId();
  const sortId = useId();
  const [sorted, setSorted] = useState(false);
  const order = explanation.words.map((_, index) => index);
  if (sorted) order.sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || a - b);
  return (
    <>
      <figure className="space-y-2">
        <p className="text-lg leading-10 text-slate-900" data-testid="why-highlighted-text">
          {explanation.words.map((word, index) => {
            const score = scores[index] ?? 0;
            const colour = divergingColor(score, scale);
            return (
              <span key={`${word.start}-${index}`}>
                {index > 0 && ' '}
                <span
                  className="rounded-md px-1.5 py-1 ring-1 ring-slate-900/5 ring-inset"
                  style={{ backgroundColor: colour.background, color: colour.color }}
                  title={`${word.text}: ${formatScore(score)}`}
                >
                  <PanelText text={word.text} />
                  <span className="sr-only"> ({formatScore(score)})</span>
                </span>
              </span>
            );
          })}
        </p>
        <Legend />
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
              {METHOD_NAMES[method]} score of each word. Positive scores pushed towards this answer, negative scores away from it.
            </caption>
            <thead className="text-xs text-slate-500">
              <tr>
                <th scope="col" className="pr-3 text-left font-medium">
                  Word
                </th>
                <th scope="col" className="w-full font-medium">
                  <span className="flex justify-between px-1">
                    <span aria-hidden="true">← against</span>
                    <span className="sr-only">Bar</span>
                    <span aria-hidden="true">for →</span>
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

      <MethodDetails explanation={explanation} />
    </>
  );
}

function Legend() {
  const blue = `rgb(${POSITIVE_RGB.join(' ')})`;
  const orange = `rgb(${NEGATIVE_RGB.join(' ')})`;
  return (
    <figcaption className="flex items-center gap-2 text-xs text-slate-600">
      <span>Against this answer</span>
      <span aria-hidden="true" className="h-2 w-24 rounded-full ring-1 ring-slate-900/10" style={{ backgroundImage: `linear-gradient(to right, ${orange}, #fff, ${blue})` }} />
      <span>For this answer</span>
    </figcaption>
  );
}

function MethodDetails({ explanation }: { explanation: Explanation }) {
  const facts: string[] = [];
  if (explanation.method === 'lime') {
    const lime = readLime(explanation);
    if (lime) {
      facts.push(`${lime.samples.toLocaleString('en')} perturbed texts${lime.distinctTexts ? ` (${lime.distinctTexts.toLocaleString('en')} distinct)` : ''}`);
      facts.push(`surrogate fit R² ${formatNumber(lime.r2)}`);
      facts.push(`intercept ${formatNumber(lime.intercept)}`);
    }
  } else if (explanation.method === 'occlusion') {
    const baseline = extraNumber(explanation, 'baseline');
    if (baseline !== null) facts.push(`confidence with every word ${formatPercent(baseline)}`);
  } else if (explanation.method === 'attention') {
    const heads = extraNumber(explanation, 'heads');
    facts.push(`last layer, mean of ${heads ?? 'all'} heads, from the [CLS] token`);
  } else if (explanation.method === 'rollout') {
    const residual = extraNumber(explanation, 'residual');
    if (residual !== null) facts.push(`skip-connection weight ${formatNumber(residual)}`);
  }
  const seed = Object.hasOwn(explanation.settings, 'seed') ? explanation.settings.seed : undefined;
  if (typeof seed === 'number' && Number.isFinite(seed)) facts.push(`seed ${seed}`);
  facts.push(formatDuration(explanation.timing.ms));
  const line = facts.join(' · ');
  return (
    <p data-testid="method-details" className="text-xs text-slate-500">
      {line.charAt(0).toUpperCase() + line.slice(1)}
    </p>
  );
}
