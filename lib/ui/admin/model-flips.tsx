'use client';

import { useState } from 'react';
import type { FlipSide } from '@/lib/admin/model';
import type { Provenance } from '@/lib/ui/explain/why-panel';
import { StoredWhyPanel } from './stored-why-panel';

/** Where the audit runs the model (lib/audit/model.ts: lib/model/node on the CPU); its report does not record it. */
const AUDIT_RUNTIME = 'Node.js on the CPU';

/** One side of a disclosure: a message, what a model made of it and the explanations it computed, under a heading. */
export type DisclosureSide = { key: string; heading: string; side: FlipSide; provenance: Provenance };

/**
 * A message two models (or a message and its variant) are answered differently on: its summary
 * is the disclosure's button (a native `details`, so keyboard and screen readers work without
 * script); opened, the why-panels side by side (stacked on a phone). The panels are mounted only
 * once opened: a list may hold many. `testId` names the disclosure and its parts for tests.
 */
export function WhyPanelsDisclosure({
  id,
  summary,
  sides,
  intentNames,
  missing,
  testId,
}: {
  /** Unique on the page: each panel's id is `<id>-<side key>`. */
  id: string;
  summary: React.ReactNode;
  /** Null: no explanations were computed, and `missing` says so. */
  sides: readonly DisclosureSide[] | null;
  intentNames: Readonly<Record<string, string>>;
  missing: string;
  testId: string;
}) {
  const [open, setOpen] = useState(false);
  return (
    <details className="group rounded-lg border border-slate-200" data-testid={testId} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary className="flex cursor-pointer list-none items-start gap-2 rounded-lg p-3 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-brand-600 [&::-webkit-details-marker]:hidden">
        <svg aria-hidden="true" viewBox="0 0 20 20" width="14" height="14" fill="currentColor" className="mt-1 shrink-0 text-slate-500 transition-transform group-open:rotate-90 motion-reduce:transition-none">
          <path d="M7.2 4.2a1 1 0 0 1 1.4 0l5.1 5.1a1 1 0 0 1 0 1.4l-5.1 5.1a1 1 0 1 1-1.4-1.4L11.6 10 7.2 5.6a1 1 0 0 1 0-1.4z" />
        </svg>
        <div className="min-w-0 flex-1">{summary}</div>
      </summary>
      {/* Little padding on a phone: each why-panel needs what width there is. */}
      <div className="border-t border-slate-200 px-1 py-3 sm:p-3" data-testid={`${testId}-detail`}>
        {!sides ? (
          <p className="px-2 text-sm text-slate-600 sm:px-0" data-testid={`${testId}-no-explanations`}>
            {missing}
          </p>
        ) : open ? (
          <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
            {sides.map(({ key, heading, side, provenance }) => (
              <div key={key} className="min-w-0" data-testid={`${testId}-${key}`}>
                <h4 className="mb-2 px-2 text-sm font-semibold text-slate-800 sm:px-0">{heading}</h4>
                <StoredWhyPanel
                  id={`${id}-${key}`}
                  text={side.text}
                  intentNames={intentNames}
                  explanations={side.explanations}
                  prediction={side.prediction}
                  provenance={provenance}
                />
              </div>
            ))}
          </div>
        ) : null}
      </div>
    </details>
  );
}

/** One worst flip of the audit: the message and its variant, each with the audit's explanations. */
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
  const provenance: Provenance = { kind: 'audit', computedAt, runtime: AUDIT_RUNTIME };
  return (
    <WhyPanelsDisclosure
      id={`flip-${index}`}
      testId="worst-flip"
      summary={summary}
      intentNames={intentNames}
      missing="The audit did not compute explanations for this flip."
      sides={
        sides && [
          { key: 'original', heading: 'The message', side: sides.original, provenance },
          { key: 'variant', heading: 'The variant', side: sides.variant, provenance },
        ]
      }
    />
  );
}
