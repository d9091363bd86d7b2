'use client';

import type { ModelState } from '@/lib/chat/session';

/**
 * Where the assistant stands, in words a customer uses: a progress bar while it loads, then
 * that their messages stay on this device. The backend (WebGPU or WebAssembly) is not the
 * customer's concern: it is stored with each prediction for the admin, and kept here as data.
 */
export function ModelStatus({ state }: { state: ModelState }) {
  if (state.status === 'loading') {
    const { progress } = state;
    const percent = progress && progress.total > 0 ? Math.round((progress.loaded / progress.total) * 100) : null;
    return (
      <div data-testid="model-status" data-state="loading" data-update={state.update ? 'true' : undefined} className="px-4 py-2 text-xs text-slate-600">
        <label htmlFor="model-progress">
          {state.update ? 'Updating the assistant on this device' : 'Getting the assistant ready on this device'}
          {percent !== null ? ` (${percent}%)` : '…'} You can already type.
        </label>
        <progress id="model-progress" className="mt-1 block h-1.5 w-full accent-brand-600" max={100} value={percent ?? undefined} />
      </div>
    );
  }
  if (state.status === 'failed') return null;
  const { ready } = state;
  return (
    <div data-testid="model-status" data-state="ready" className="flex items-center gap-1.5 px-4 py-1.5 text-xs text-slate-600">
      <svg aria-hidden="true" viewBox="0 0 20 20" width="12" height="12" fill="currentColor" className="shrink-0 text-emerald-700">
        <path d="M10 1.5a4.5 4.5 0 0 0-4.5 4.5v2H5a2 2 0 0 0-2 2v6.5a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V10a2 2 0 0 0-2-2h-.5V6A4.5 4.5 0 0 0 10 1.5zm2.5 6.5h-5V6a2.5 2.5 0 0 1 5 0z" />
      </svg>
      <span>Private: your messages are analysed on this device.</span>
      {/* For the record and for tests: which runtime answers, never shown. */}
      <span hidden data-testid="backend" data-backend={ready.backend} data-note={ready.note ?? undefined} />
    </div>
  );
}
