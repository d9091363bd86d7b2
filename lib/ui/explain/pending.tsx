'use client';

/** What a tab shows while its data is missing: "Computing…" while the explainers run, else why it is absent. */
export function Pending({ computing, what }: { computing: boolean; what: string }) {
  if (computing) {
    return (
      <p className="flex items-center gap-2 text-sm text-slate-600" data-testid="why-pending">
        <span aria-hidden="true" className="size-3 animate-spin rounded-full border-2 border-brand-600 border-t-transparent motion-reduce:animate-none" />
        Computing…
      </p>
    );
  }
  return <p className="text-sm text-slate-600">No {what} for this answer.</p>;
}
