'use client';

import type { SkippedState } from '@/lib/chat/skipped';
import type { AnyExplainer } from '@/lib/explain/explainer';
import type { ExplanationMethod } from '@/lib/explain/methods';

/**
 * The methods the panel's time budget dropped from a reply's explanations (SHAP on a long
 * message), and asking for one now. Without one, the panel shows what it was given.
 */
export interface SkippedControl {
  /** Each dropped method, with where computing it on request stands. */
  methods: readonly SkippedState[];
  /** Computes `method` now, alone and without the panel's budget; it then joins the explanations. */
  request(method: ExplanationMethod): void;
}

/** What the word view says of a dropped method: not asked for, being computed, failed, or computed on this page. */
export type SkippedLine = { method: ExplanationMethod; descriptor: AnyExplainer; state: SkippedState | 'computed' };

/**
 * The lines under the method switcher, in a region that announces its changes politely: for each
 * dropped method, that it was not computed and why, with a real button to compute it now; then
 * its progress, its failure, or that it was computed.
 */
export function SkippedMethods({ lines, onCompute }: { lines: readonly SkippedLine[]; onCompute(method: ExplanationMethod): void }) {
  return (
    <div aria-live="polite" data-testid="why-skipped" className="space-y-1.5">
      {lines.map((line) => (
        <SkippedMethodLine key={line.method} {...line} onCompute={onCompute} />
      ))}
    </div>
  );
}

function SkippedMethodLine({ method, descriptor, state, onCompute }: SkippedLine & { onCompute(method: ExplanationMethod): void }) {
  const run = state === 'computed' ? undefined : state.run;
  const status = state === 'computed' ? 'computed' : (run?.status ?? 'skipped');
  const button = (
    <button
      type="button"
      onClick={() => onCompute(method)}
      data-testid="why-compute-skipped"
      data-method={method}
      className="shrink-0 rounded-md px-2.5 py-1 text-sm font-medium text-brand-700 ring-1 ring-brand-600 hover:bg-brand-50"
    >
      Compute {descriptor.shortLabel} now
    </button>
  );
  return (
    <div data-testid="why-skipped-method" data-method={method} data-status={status} className="flex flex-wrap items-center justify-between gap-x-3 gap-y-1.5 rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-700">
      {status === 'computed' ? (
        <p>{descriptor.label} was computed now: its scores are shown here and in the faithfulness figures.</p>
      ) : status === 'computing' ? (
        <p className="flex items-center gap-2">
          <span aria-hidden="true" className="size-3 shrink-0 animate-spin rounded-full border-2 border-brand-600 border-t-transparent motion-reduce:animate-none" />
          Computing {descriptor.label} without the time budget…
        </p>
      ) : run?.status === 'failed' ? (
        <>
          <p className="min-w-0 flex-1 break-words text-red-900">
            {descriptor.label} could not be computed: {run.error}
          </p>
          {button}
        </>
      ) : (
        <>
          <p className="min-w-0 flex-1">{descriptor.label} was not computed: it did not fit in the panel&rsquo;s time budget.</p>
          {button}
        </>
      )}
    </div>
  );
}
