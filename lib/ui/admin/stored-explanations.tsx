import type { ExplanationRecord } from '@/lib/chat/records';

const METHOD_NAMES: Record<string, string> = {
  attention: 'Attention',
  rollout: 'Attention rollout',
  lime: 'LIME',
  occlusion: 'Occlusion',
  counterfactual: 'Counterfactual',
  similar: 'Similar questions',
};

/** The stored explanation objects, rendered as they were saved: the words and their scores, faithfulness, and each method's own data. */
export function StoredExplanations({ explanations, labelOf }: { explanations: ExplanationRecord[]; labelOf: (intent: string) => string }) {
  if (explanations.length === 0) {
    return <p className="text-sm text-slate-500" data-testid="admin-no-explanations">No explanation was stored for this prediction.</p>;
  }
  return (
    <ul className="space-y-4" data-testid="admin-explanations">
      {explanations.map((explanation) => {
        const max = Math.max(1e-9, ...(explanation.scores ?? []).map(Math.abs));
        return (
          <li key={explanation.method} className="rounded-lg border border-slate-100 p-3" data-testid={`admin-explanation-${explanation.method}`}>
            <h3 className="text-sm font-semibold">
              {METHOD_NAMES[explanation.method] ?? explanation.method}
              <span className="ml-2 font-normal text-slate-500">
                for {labelOf(explanation.target.label)} · {explanation.timing.ms.toFixed(0)} ms · {explanation.timing.forwardPasses} forward passes
              </span>
            </h3>
            {explanation.scores ? (
              <p className="mt-2 flex flex-wrap gap-1 text-sm">
                {explanation.words.map((word, i) => {
                  const score = explanation.scores![i] ?? 0;
                  const alpha = Math.min(1, Math.abs(score) / max);
                  const colour = score >= 0 ? `rgba(31,95,191,${(alpha * 0.6).toFixed(2)})` : `rgba(220,38,38,${(alpha * 0.6).toFixed(2)})`;
                  return (
                    <span key={`${word.start}-${i}`} className="rounded px-1" style={{ backgroundColor: colour }} title={`${word.text}: ${score.toFixed(3)}`}>
                      {word.text}
                      <span className="sr-only"> ({score.toFixed(3)})</span>
                    </span>
                  );
                })}
              </p>
            ) : null}
            {explanation.method === 'counterfactual' && explanation.extra.found ? (
              <p className="mt-2 text-sm">
                Without “{(explanation.extra.removedWords as string[] | undefined)?.join(' ')}” the model would say{' '}
                <strong>{labelOf(String(explanation.extra.newLabel))}</strong> ({((Number(explanation.extra.newProbability) || 0) * 100).toFixed(0)} %).
              </p>
            ) : null}
            {explanation.method === 'similar' && Array.isArray(explanation.extra.neighbours) ? (
              <ul className="mt-2 list-disc pl-5 text-sm">
                {(explanation.extra.neighbours as { text?: string; label?: string; similarity?: number }[]).slice(0, 5).map((n, i) => (
                  <li key={i}>
                    {n.text} <span className="text-slate-500">({n.label ? labelOf(n.label) : '?'}{typeof n.similarity === 'number' ? `, ${n.similarity.toFixed(2)}` : ''})</span>
                  </li>
                ))}
              </ul>
            ) : null}
            {explanation.faithfulness ? (
              <p className="mt-2 text-xs text-slate-600">
                Faithfulness: comprehensiveness {explanation.faithfulness.meanComprehensiveness.toFixed(3)}, sufficiency {explanation.faithfulness.meanSufficiency.toFixed(3)}, deletion AUC{' '}
                {explanation.faithfulness.deletionAuc.toFixed(3)}
              </p>
            ) : null}
            <details className="mt-2 text-xs text-slate-600">
              <summary className="cursor-pointer">Settings and stored data</summary>
              <pre className="mt-1 max-h-64 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-2">{JSON.stringify({ settings: explanation.settings, extra: explanation.extra }, null, 1).slice(0, 4000)}</pre>
            </details>
          </li>
        );
      })}
    </ul>
  );
}
