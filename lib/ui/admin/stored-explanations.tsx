import { escapeBidiControls, VisitorText } from '@/lib/ui/text';
import { methodLabel } from '@/lib/explain/methods';
import { formatDuration, formatNumber, formatScore } from '@/lib/ui/explain/format';
import { readContrast, readCounterfactual, readExplanations, readNeighbours } from '@/lib/ui/explain/parse';
import { explanationKey, versusOf } from '@/lib/records/explanation';

/** How much of an object's JSON the page shows. */
const RAW_CHARACTERS = 4000;

/**
 * The stored explanation objects, method by method, as they were saved: the words and their
 * scores, faithfulness, each method's own data, and the raw JSON. Whatever was stored is read
 * by the panel's own parse functions: what cannot be read is named, never a failed page.
 */
export function StoredExplanations({ explanations, labelOf }: { explanations: readonly unknown[]; labelOf: (intent: string) => string }) {
  if (explanations.length === 0) {
    return <p className="text-sm text-slate-500" data-testid="admin-no-explanations">No explanation was stored for this prediction.</p>;
  }
  const { read, unreadable } = readExplanations(explanations);
  return (
    <div className="space-y-4">
      {unreadable.length > 0 && (
        <ul className="space-y-1 rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="admin-unreadable-explanations">
          {unreadable.map((entry, index) => (
            <li key={index} className="break-words">
              Cannot display this explanation ({escapeBidiControls(entry.method)}): {escapeBidiControls(entry.reason)}.
            </li>
          ))}
        </ul>
      )}
      <ul className="space-y-4" data-testid="admin-explanations">
        {read.map(({ explanation, cut }) => {
          const scores = explanation.scores;
          const max = Math.max(1e-9, ...(scores ?? []).map(Math.abs));
          const counterfactual = readCounterfactual(explanation);
          const neighbours = readNeighbours(explanation);
          const versus = versusOf(explanation);
          const contrast = versus ? readContrast(explanation) : null;
          const raw = JSON.stringify({ settings: explanation.settings, extra: explanation.extra }, null, 1) ?? '';
          return (
            <li key={explanationKey(explanation)} className="min-w-0 rounded-lg border border-slate-100 p-3" data-testid={`admin-explanation-${explanation.method}`} data-versus={versus || undefined}>
              <h3 className="text-sm font-semibold break-words">
                {methodLabel(explanation.method)}
                {versus ? ` versus ${labelOf(versus)}` : ''}
                <span className="ml-2 font-normal text-slate-500">
                  for {labelOf(explanation.target.label)} · {formatDuration(explanation.timing.ms)} · {explanation.timing.forwardPasses.toLocaleString('en')} forward {explanation.timing.forwardPasses === 1 ? 'pass' : 'passes'}
                </span>
              </h3>
              {cut.length > 0 && <p className="mt-1 text-xs text-slate-600">{cut.join(' ')}</p>}
              {scores ? (
                <p className="mt-2 flex flex-wrap gap-1 text-sm">
                  {explanation.words.map((word, i) => {
                    const score = scores[i] ?? 0;
                    const alpha = Math.min(1, Math.abs(score) / max);
                    const colour = score >= 0 ? `rgba(31,95,191,${(alpha * 0.6).toFixed(2)})` : `rgba(220,38,38,${(alpha * 0.6).toFixed(2)})`;
                    return (
                      <span key={`${word.start}-${i}`} className="rounded px-1" style={{ backgroundColor: colour }} title={`${escapeBidiControls(word.text)}: ${formatScore(score)}`}>
                        <VisitorText text={word.text} showControls />
                        <span className="sr-only"> ({formatScore(score)})</span>
                      </span>
                    );
                  })}
                </p>
              ) : null}
              {counterfactual?.found && counterfactual.newLabel ? (
                <p className="mt-2 text-sm">
                  Without “<VisitorText text={counterfactual.removedWords.join(' ')} showControls />” the model would say <strong>{labelOf(counterfactual.newLabel)}</strong>
                  {counterfactual.newProbability !== null ? ` (${(counterfactual.newProbability * 100).toFixed(0)} %)` : ''}.
                </p>
              ) : null}
              {contrast ? (
                <p className="mt-2 text-sm">
                  {contrast.change?.removed.length === 0 ? (
                    <>
                      On the message as it is the model already says <strong>{labelOf(contrast.change.newTop)}</strong>.
                    </>
                  ) : contrast.change ? (
                    <>
                      Without “<VisitorText text={contrast.change.removedWords.join(' ')} showControls />” the model would say <strong>{labelOf(contrast.change.newTop)}</strong>
                      {contrast.change.marginAfter !== null ? ` (margin ${formatNumber(contrast.margin ?? Number.NaN, 3)} → ${formatNumber(contrast.change.marginAfter, 3)})` : ''}.
                    </>
                  ) : (
                    <>No small change found that makes the model say {labelOf(versus)}.</>
                  )}
                </p>
              ) : null}
              {neighbours && neighbours.length > 0 ? (
                <ul className="mt-2 list-disc pl-5 text-sm">
                  {neighbours.slice(0, 5).map((n, i) => (
                    <li key={i} className="break-words">
                      <VisitorText text={n.text} showControls /> <span className="text-slate-500">({labelOf(n.label)}, {formatNumber(n.score)})</span>
                    </li>
                  ))}
                </ul>
              ) : null}
              {explanation.faithfulness ? (
                <p className="mt-2 text-xs text-slate-600">
                  Faithfulness: comprehensiveness {formatNumber(explanation.faithfulness.meanComprehensiveness, 3)}, sufficiency {formatNumber(explanation.faithfulness.meanSufficiency, 3)},
                  deletion AUC {formatNumber(explanation.faithfulness.deletionAuc, 3)}
                </p>
              ) : null}
              <details className="mt-2 text-xs text-slate-600">
                <summary className="cursor-pointer">Settings and stored data</summary>
                <pre className="mt-1 max-h-64 overflow-auto rounded bg-slate-50 p-2 break-all whitespace-pre-wrap">
                  {escapeBidiControls(raw.slice(0, RAW_CHARACTERS))}
                  {raw.length > RAW_CHARACTERS ? `\n… ${(raw.length - RAW_CHARACTERS).toLocaleString('en')} more characters not shown` : ''}
                </pre>
              </details>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
