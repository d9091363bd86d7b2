'use client';

import { useId, useState } from 'react';
import type { ExplanationWithView } from '@/lib/explain/methods';
import type { WordSpan } from '@/lib/model/types';
import { formatNumber, formatPercent, headMatrix, layerName, sequentialColor, wordAttention, wordShare, type HeadChoice } from './format';
import { sharesOfMainWords, tokensToWords } from '@/lib/explain/common';
import { rolloutMatrix } from '@/lib/explain/rollout';
import { readAttention, readRollout, type AttentionDrawing } from './parse';
import { Pending } from './pending';
import { PanelText } from './reader';

type Layer = number | 'rollout';
interface View {
  layer: Layer;
  head: HeadChoice;
}

const DEFAULT_RESIDUAL = 0.5;
/** Columns of the every-layer-and-head table: with up to 12 × 17 rows, more would make the page heavy. */
const OVERVIEW_WORDS = 24;
const SELECTED_ROW = 'inset 0 2px 0 var(--color-brand-600), inset 0 -2px 0 var(--color-brand-600)';

/** The "Attention" tab: [CLS]→word heatmap for a layer/head (or rollout), an overview of all heads, and the head-view matrix. */
export function AttentionView({
  attention,
  rollout,
  computing,
}: {
  attention?: ExplanationWithView<'attention-matrices'>;
  rollout?: ExplanationWithView<'rollout'>;
  computing: boolean;
}) {
  const read = readAttention(attention);
  if (!attention) return <Pending computing={computing} what="attention data" />;
  if (!read) {
    return (
      <p className="text-sm text-slate-600" data-testid="why-attention-unreadable">
        The attention data of this answer cannot be displayed: its layers, heads or tokens do not fit together.
      </p>
    );
  }
  return (
    <>
      {read.cut.length > 0 && (
        <p className="mb-3 text-xs text-slate-600" data-testid="why-attention-cut">
          {read.cut.join(' ')}
        </p>
      )}
      <AttentionDetails extra={read.extra} complete={read.complete} words={attention.words} rollout={rollout} />
    </>
  );
}

function AttentionDetails({ extra, complete, words, rollout }: { extra: AttentionDrawing; complete: boolean; words: WordSpan[]; rollout?: ExplanationWithView<'rollout'> }) {
  const [view, setView] = useState<View>({ layer: extra.layers - 1, head: 'mean' });
  const layerId = useId();
  const headId = useId();
  const residual = readRollout(rollout)?.residual ?? DEFAULT_RESIDUAL;
  // The same rollout as the explainer's, per model for an ensemble, then averaged; only over
  // every layer and token (a cut view would give another matrix).
  const rolloutTokens = complete ? rolloutMatrix(extra.matrices, residual, extra.members ?? 1) : [];
  const rolloutWords = rollout?.scores ?? tokensToWords(rolloutTokens[0] ?? [], sharesOfMainWords(extra.tokenWords), words.length);

  const values = (v: View) => (v.layer === 'rollout' ? rolloutWords : wordAttention(extra, v.layer, v.head));
  const describe = (v: View) =>
    v.layer === 'rollout' ? 'Rollout through all layers' : `${layerName(extra, v.layer)}, ${v.head === 'mean' ? 'mean of heads' : `head ${v.head + 1}`}`;
  const shown = values(view);
  const scale = Math.max(...shown, 0);
  const matrix = view.layer === 'rollout' ? rolloutTokens : headMatrix(extra, view.layer, view.head);
  const onWords = wordShare(matrix[0] ?? [], extra.tokenWords);

  const overview: View[] = [];
  for (let layer = 0; layer < extra.layers; layer++) {
    for (let head = 0; head < extra.heads; head++) overview.push({ layer, head });
    overview.push({ layer, head: 'mean' });
  }
  overview.push({ layer: 'rollout', head: 'mean' });
  const overviewMax = Math.max(...overview.flatMap(values), 0);
  const overviewWords = words.slice(0, OVERVIEW_WORDS);
  const same = (a: View, b: View) => a.layer === b.layer && (a.layer === 'rollout' || a.head === b.head);

  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-end gap-3">
        <div className="flex flex-col gap-1">
          <label htmlFor={layerId} className="text-xs font-medium text-slate-600">
            Layer
          </label>
          <select
            id={layerId}
            data-testid="why-attention-layer"
            value={String(view.layer)}
            onChange={(event) => {
              const value = event.target.value;
              setView((current) => ({ ...current, layer: value === 'rollout' ? 'rollout' : Number(value) }));
            }}
            className="rounded-lg border border-slate-300 bg-white px-2 py-1.5 text-sm"
          >
            {Array.from({ length: extra.layers }, (_, layer) => (
              <option key={layer} value={layer}>
                {layerName(extra, layer)}
                {layer === extra.layers - 1 ? ' (last)' : ''}
              </option>
            ))}
            <option value="rollout">Rollout (all layers)</option>
          </select>
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor={headId} className="text-xs font-medium text-slate-600">
            Head
          </label>
          <select
            id={headId}
            data-testid="why-attention-head"
            value={view.layer === 'rollout' ? 'mean' : String(view.head)}
            disabled={view.layer === 'rollout'}
            aria-describedby={view.layer === 'rollout' ? `${headId}-note` : undefined}
            onChange={(event) => {
              const value = event.target.value;
              setView((current) => ({ ...current, head: value === 'mean' ? 'mean' : Number(value) }));
            }}
            className="rounded-lg border border-slate-300 bg-white px-2 py-1.5 text-sm disabled:bg-slate-100 disabled:text-slate-500"
          >
            <option value="mean">Mean of heads</option>
            {Array.from({ length: extra.heads }, (_, head) => (
              <option key={head} value={head}>
                Head {head + 1}
              </option>
            ))}
          </select>
        </div>
        {view.layer === 'rollout' && (
          <p id={`${headId}-note`} className="pb-2 text-xs text-slate-500">
            Rollout combines the mean of the heads of every layer.
          </p>
        )}
      </div>

      <section aria-labelledby={`${layerId}-words`} className="space-y-2">
        <h3 id={`${layerId}-words`} className="text-sm font-semibold text-slate-800">
          Where [CLS] looked <span className="font-normal text-slate-500">— {describe(view)}</span>
        </h3>
        <ul className="flex flex-wrap gap-1.5" data-testid="why-attention-words">
          {words.map((word, index) => {
            const value = shown[index] ?? 0;
            const colour = sequentialColor(value, scale);
            return (
              <li
                key={`${word.start}-${index}`}
                className="flex min-w-12 flex-col items-center rounded-md px-2 py-1 ring-1 ring-slate-900/10 ring-inset"
                style={{ backgroundColor: colour.background, color: colour.color }}
              >
                <PanelText text={word.text} className="text-base" />
                <span className="font-mono text-[11px] tabular-nums opacity-90">
                  <span className="sr-only">attention </span>
                  {formatNumber(value)}
                </span>
              </li>
            );
          })}
        </ul>
        <p className="text-xs text-slate-500">
          Each number is the word&apos;s share of the attention that the [CLS] token, which sees the whole sentence, paid to the words; they add up
          to 1. [CLS] and [SEP] themselves, left out here, took the other {formatPercent(1 - onWords)}. Attention shows where the model looked,
          which is not always what decided the answer.
        </p>
      </section>

      <section aria-labelledby={`${layerId}-overview`} className="space-y-2">
        <h3 id={`${layerId}-overview`} className="text-sm font-semibold text-slate-800">
          Every layer and head
        </h3>
        {words.length > overviewWords.length && (
          <p className="text-xs text-slate-500">
            The table shows the first {overviewWords.length} of {words.length} words.
          </p>
        )}
        <div className="relative overflow-x-auto rounded-lg ring-1 ring-slate-200">
          <table className="w-full text-xs" data-testid="why-attention-heatmap">
            <caption className="sr-only">Attention from [CLS] to each word, per layer and head. Choose a row to inspect it.</caption>
            <thead>
              <tr className="bg-slate-50 text-slate-600">
                <th scope="col" className="sticky left-0 bg-slate-50 px-2 py-1.5 text-left font-medium">
                  View
                </th>
                {overviewWords.map((word, index) => (
                  <th key={`${word.start}-${index}`} scope="col" className="max-w-20 truncate px-1 py-1.5 font-medium" title={word.text}>
                    <PanelText text={word.text} />
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {overview.map((row) => {
                const active = same(row, view);
                const rowValues = values(row);
                return (
                  <tr key={`${row.layer}-${row.head}`} className={row.head === 'mean' ? 'border-b border-slate-200' : ''}>
                    <th
                      scope="row"
                      className={`sticky left-0 z-10 px-1 py-0.5 text-left font-normal ${active ? 'bg-brand-50' : 'bg-white'}`}
                      style={{ boxShadow: active ? `${SELECTED_ROW}, inset 3px 0 0 var(--color-brand-600)` : undefined }}
                    >
                      <button
                        type="button"
                        aria-pressed={active}
                        onClick={() => setView(row)}
                        className={`w-full whitespace-nowrap rounded px-1.5 py-1 text-left ${
                          active ? 'font-semibold text-brand-900' : 'text-slate-700 hover:bg-slate-100'
                        }`}
                      >
                        {row.layer === 'rollout' ? 'Rollout' : `${layerName(extra, row.layer, true)} · ${row.head === 'mean' ? 'mean' : `head ${row.head + 1}`}`}
                      </button>
                    </th>
                    {overviewWords.map((word, index) => {
                      const value = rowValues[index] ?? 0;
                      const colour = sequentialColor(value, overviewMax);
                      return (
                        <td
                          key={`${word.start}-${index}`}
                          className="min-w-11 px-1 py-1 text-center font-mono tabular-nums"
                          style={{ backgroundColor: colour.background, color: colour.color, boxShadow: active ? SELECTED_ROW : undefined }}
                        >
                          {formatNumber(value)}
                        </td>
                      );
                    })}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>

      <HeadView tokens={extra.tokens} matrix={matrix} title={describe(view)} />
    </div>
  );
}

const short = (value: number) => (value >= 0.995 ? '1' : value.toFixed(2).replace(/^0/, ''));

/** Token → token attention as a table: rows attend, columns are attended to; each row sums to 1. */
function HeadView({ tokens, matrix, title }: { tokens: string[]; matrix: number[][]; title: string }) {
  const headingId = useId();
  const max = Math.max(...matrix.flat(), 0);
  let strongest = { q: 0, k: 0, value: -1 };
  matrix.forEach((row, q) =>
    row.forEach((value, k) => {
      if (q !== k && value > strongest.value) strongest = { q, k, value };
    }),
  );
  return (
    <section aria-labelledby={headingId} className="space-y-2">
      <h3 id={headingId} className="text-sm font-semibold text-slate-800">
        Token to token <span className="font-normal text-slate-500">— {title}</span>
      </h3>
      <p className="text-xs text-slate-500">
        Each row is a WordPiece token and shows how it spreads its attention over the tokens in the columns; every row adds up to 1.
        {strongest.value >= 0 &&
          ` Strongest link between different tokens: ${tokens[strongest.q]} → ${tokens[strongest.k]} (${formatNumber(strongest.value)}).`}
      </p>
      <div className="relative overflow-x-auto rounded-lg ring-1 ring-slate-200">
        <table className="w-full border-collapse text-[11px]" data-testid="why-head-view">
          <caption className="sr-only">
            Attention from each token (rows) to each token (columns), {title}. Values are shares of the row&apos;s attention.
          </caption>
          <thead>
            <tr>
              <td className="sticky left-0 bg-white px-1.5 py-1 text-left text-[10px] whitespace-nowrap text-slate-500">from ↓ to →</td>
              {tokens.map((token, k) => (
                <th key={k} scope="col" className="px-0.5 pt-1 pb-0.5 align-bottom font-medium text-slate-600">
                  <span className="block max-w-16 truncate font-mono" title={token}>
                    {token}
                  </span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {matrix.map((row, q) => (
              <tr key={q}>
                <th scope="row" className="sticky left-0 bg-white px-1.5 text-right font-mono font-medium whitespace-nowrap text-slate-600">
                  {tokens[q]}
                </th>
                {row.map((value, k) => {
                  const colour = sequentialColor(value, max);
                  return (
                    <td
                      key={k}
                      className="h-7 min-w-9 border border-white text-center font-mono tabular-nums"
                      style={{ backgroundColor: colour.background, color: colour.color }}
                    >
                      {short(value)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
