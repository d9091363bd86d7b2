'use client';

import type { ExplanationOf } from '@/lib/explain/explainer';
import { methodLabel, methodShortLabel } from '@/lib/explain/methods';
import { faithfulnessLevels, formatK, formatNumber, rankFaithfulness, tiedWithBest } from './format';
import { Pending } from './pending';

/** The "Faithfulness" tab: ERASER measures per word-scoring method and the most faithful one. */
export function FaithfulnessView({ explanations, computing }: { explanations: readonly ExplanationOf[]; computing: boolean }) {
  const rows = rankFaithfulness(explanations);
  if (rows.length === 0) return <Pending computing={computing} what="faithfulness evaluation" />;
  const levels = faithfulnessLevels(rows);
  const best = rows[0];
  const ties = tiedWithBest(rows);
  const value = (list: { k: string; value: number }[], k: string) => list.find((entry) => entry.k === k)?.value;

  return (
    <div className="space-y-4">
      <p className="rounded-lg bg-brand-50 px-2.5 py-2 text-sm text-brand-900" data-testid="why-most-faithful">
        {rows.length > 1 ? (
          <>
            Most faithful for this answer: <strong>{methodLabel(best.method)}</strong>
            {ties.length > 0 && <> (tied with {ties.map((method) => methodLabel(method)).join(' and ')})</>}: comprehensiveness − sufficiency{' '}
            {formatNumber(best.score)}, deletion AUC {formatNumber(best.faithfulness.deletionAuc)}.
          </>
        ) : (
          <>
            Only <strong>{methodLabel(best.method)}</strong> has been evaluated so far (comprehensiveness − sufficiency {formatNumber(best.score)}).
          </>
        )}
      </p>

      <div className="relative overflow-x-auto rounded-lg ring-1 ring-slate-200">
        <table className="w-full text-[13px]" data-testid="why-faithfulness-table">
          <caption className="sr-only">
            Faithfulness of each word-scoring method for this answer, most faithful first. Higher comprehensiveness is better, lower sufficiency is
            better, lower deletion AUC is better.
          </caption>
          <thead className="bg-slate-50 text-xs text-slate-600">
            <tr>
              <th scope="col" rowSpan={2} className="sticky left-0 bg-slate-50 px-2.5 py-2 text-left font-medium">
                Method
              </th>
              <th scope="colgroup" colSpan={levels.length + 1} className="border-l border-slate-200 px-1.5 pt-2 font-medium">
                Comprehensiveness <Better higher />
              </th>
              <th scope="colgroup" colSpan={levels.length + 1} className="border-l border-slate-200 px-1.5 pt-2 font-medium">
                Sufficiency <Better higher={false} />
              </th>
              <th scope="col" rowSpan={2} className="border-l border-slate-200 px-1.5 py-2 font-medium">
                Deletion AUC <Better higher={false} />
              </th>
              <th scope="col" rowSpan={2} className="border-l border-slate-200 px-2.5 py-2 font-medium">
                <span className="block whitespace-nowrap">Comp. −</span>
                <span className="block whitespace-nowrap">
                  suff. <Better higher />
                </span>
              </th>
            </tr>
            <tr>
              {[0, 1].map((group) => (
                <FragmentCells key={group} levels={levels} />
              ))}
            </tr>
          </thead>
          <tbody className="tabular-nums">
            {rows.map((row, rank) => (
              <tr key={row.method} className={`border-t border-slate-100 ${rank === 0 ? 'bg-brand-50/60' : ''}`} data-method={row.method}>
                <th scope="row" className={`sticky left-0 px-2.5 py-2 text-left font-medium whitespace-nowrap ${rank === 0 ? 'bg-brand-50' : 'bg-white'}`}>
                  {methodShortLabel(row.method)}
                  {rank === 0 && rows.length > 1 && <span className="sr-only"> (most faithful)</span>}
                </th>
                {levels.map((k, index) => (
                  <td key={`c${k}`} className={`px-1.5 py-2 text-right ${index === 0 ? 'border-l border-slate-100' : ''}`}>
                    {cell(value(row.faithfulness.comprehensiveness, k))}
                  </td>
                ))}
                <td className="px-1.5 py-2 text-right font-semibold">{formatNumber(row.faithfulness.meanComprehensiveness)}</td>
                {levels.map((k, index) => (
                  <td key={`s${k}`} className={`px-1.5 py-2 text-right ${index === 0 ? 'border-l border-slate-100' : ''}`}>
                    {cell(value(row.faithfulness.sufficiency, k))}
                  </td>
                ))}
                <td className="px-1.5 py-2 text-right font-semibold">{formatNumber(row.faithfulness.meanSufficiency)}</td>
                <td className="border-l border-slate-100 px-1.5 py-2 text-right">{formatNumber(row.faithfulness.deletionAuc)}</td>
                <td className="border-l border-slate-100 px-2.5 py-2 text-right font-semibold">{formatNumber(row.score)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <dl className="space-y-2 text-sm text-slate-700">
        <div>
          <dt className="inline font-medium text-slate-900">Comprehensiveness: </dt>
          <dd className="inline">
            how much my confidence drops when the method&apos;s top k words are removed. Higher means those words really mattered.
          </dd>
        </div>
        <div>
          <dt className="inline font-medium text-slate-900">Sufficiency: </dt>
          <dd className="inline">how much my confidence drops when only the top k words are kept. Lower means those words alone are enough.</dd>
        </div>
        <div>
          <dt className="inline font-medium text-slate-900">Deletion AUC: </dt>
          <dd className="inline">
            the area under my confidence as words are removed, most important first. Lower means the confidence falls faster.
          </dd>
        </div>
        <div>
          <dt className="inline font-medium text-slate-900">Ranking: </dt>
          <dd className="inline">
            by mean comprehensiveness minus mean sufficiency over k = 1, 2, 3 words and 20 % of the words, highest first; ties go to the lower deletion
            AUC.
          </dd>
        </div>
      </dl>
    </div>
  );
}

function FragmentCells({ levels }: { levels: string[] }) {
  return (
    <>
      {levels.map((k, index) => (
        <th key={k} scope="col" className={`px-1.5 pb-2 text-right font-normal whitespace-nowrap ${index === 0 ? 'border-l border-slate-200' : ''}`}>
          {formatK(k)}
        </th>
      ))}
      <th scope="col" className="px-1.5 pb-2 text-right font-medium">
        mean
      </th>
    </>
  );
}

const cell = (value: number | undefined) => (value === undefined ? '–' : formatNumber(value));

/** An arrow for the eye, words for a screen reader. */
function Better({ higher }: { higher: boolean }) {
  return (
    <>
      <span aria-hidden="true">{higher ? '↑' : '↓'}</span>
      <span className="sr-only">({higher ? 'higher' : 'lower'} is better)</span>
    </>
  );
}
