'use client';

import { useState } from 'react';
import type { FlipSide } from '@/lib/admin/model';
import { StoredWhyPanel } from './stored-why-panel';

/** Where the audit runs the model (lib/audit/model.ts: lib/model/node on the CPU); its report does not record it. */
const AUDIT_RUNTIME = 'Node.js on the CPU';

/**
 * One worst flip of the audit: its summary is the disclosure's button (a native `details`, so
 * keyboard and screen readers work without script); opened, the two why-panels side by side
 * (stacked on a phone). The panels are mounted only once opened: a report may hold many.
 */
export function FlipDisclosure({
  index,
  summary,
  sides,
  intentNames,
  computedAt,
}: {
  index: number;
  summary: React.ReactNode;
  sides: { original: FlipSide; variant: FlipSide } | null;
  intentNames: Readonly<Record<string, string>>;
  computedAt: string;
}) {
  const [open, setOpen] = useState(false);
  return (
    <details className="group rounded-lg border border-slate-200" data-testid="worst-flip" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary className="flex cursor-pointer list-none items-start gap-2 rounded-lg p-3 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-brand-600 [&::-webkit-details-marker]:hidden">
        <svg aria-hidden="true" viewBox="0 0 20 20" width="14" height="14" fill="currentColor" className="mt-1 shrink-0 text-slate-500 transition-transform group-open:rotate-90 motion-reduce:transition-none">
          <path d="M7.2 4.2a1 1 0 0 1 1.4 0l5.1 5.1a1 1 0 0 1 0 1.4l-5.1 5.1a1 1 0 1 1-1.4-1.4L11.6 10 7.2 5.6a1 1 0 0 1 0-1.4z" />
        </svg>
        <div className="min-w-0 flex-1">{summary}</div>
      </summary>
      {/* Little padding on a phone: each why-panel needs what width there is. */}
      <div className="border-t border-slate-200 px-1 py-3 sm:p-3" data-testid="worst-flip-detail">
        {!sides ? (
          <p className="px-2 text-sm text-slate-600 sm:px-0" data-testid="worst-flip-no-explanations">
            The audit did not compute explanations for this flip.
          </p>
        ) : open ? (
          <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
            {(['original', 'variant'] as const).map((side) => (
              <div key={side} className="min-w-0" data-testid={`worst-flip-${side}`}>
                <h4 className="mb-2 px-2 text-sm font-semibold text-slate-800 sm:px-0">{side === 'original' ? 'The message' : 'The variant'}</h4>
                <StoredWhyPanel
                  id={`flip-${index}-${side}`}
                  text={sides[side].text}
                  intentNames={intentNames}
                  explanations={sides[side].explanations}
                  prediction={sides[side].prediction}
                  provenance={{ kind: 'audit', computedAt, runtime: AUDIT_RUNTIME }}
                />
              </div>
            ))}
          </div>
        ) : null}
      </div>
    </details>
  );
}
