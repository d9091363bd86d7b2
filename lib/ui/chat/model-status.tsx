'use client';

import type { ModelState } from '@/lib/chat/session';

const BACKEND_NAMES = { webgpu: 'WebGPU', wasm: 'WebAssembly' } as const;

/** Where the model stands: a progress bar while it downloads, then the backend in use. */
export function ModelStatus({ state }: { state: ModelState }) {
  if (state.status === 'loading') {
    const { progress } = state;
    const percent = progress && progress.total > 0 ? Math.round((progress.loaded / progress.total) * 100) : null;
    return (
      <div data-testid="model-status" data-state="loading" className="px-4 py-2 text-xs text-slate-600">
        <label htmlFor="model-progress">Loading the assistant in your browser{percent !== null ? ` (${percent}%)` : '…'}</label>
        <progress id="model-progress" className="mt-1 block h-1.5 w-full accent-brand-600" max={100} value={percent ?? undefined} />
      </div>
    );
  }
  if (state.status === 'failed') return null;
  const { ready } = state;
  const software = ready.backend === 'webgpu' && ready.adapter?.isFallbackAdapter;
  return (
    <div data-testid="model-status" data-state="ready" className="flex flex-wrap items-center gap-x-2 px-4 py-1.5 text-xs text-slate-600">
      <span>
        Running in your browser on{' '}
        <strong data-testid="backend" data-backend={ready.backend} className="font-medium text-slate-800">
          {BACKEND_NAMES[ready.backend]}
          {software ? ' (software adapter)' : ''}
        </strong>
      </span>
      {ready.note && (
        <span role="note" data-testid="backend-note" className="text-amber-800">
          {ready.note}
        </span>
      )}
    </div>
  );
}
