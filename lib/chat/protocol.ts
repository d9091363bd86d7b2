import type { Explanation } from '@/lib/explain/types';

/** Messages between the chat (main thread) and the inference worker. */

export type DevicePreference = 'auto' | 'webgpu' | 'wasm';
export type Backend = 'webgpu' | 'wasm';

export type AdapterSummary = { vendor: string; architecture: string; isFallbackAdapter: boolean };

/** What the chat needs from the model card, sent once the model is ready. */
export type ModelSummary = {
  bot: string;
  version: string;
  labels: string[];
  outOfScopeLabel: string | null;
  thresholds: { outOfScope: number; ambiguityMargin: number };
};

export type WorkerRequest =
  | { type: 'load'; bot: string; device: DevicePreference; runtimePath: string }
  | { type: 'classify'; requestId: number; text: string }
  | { type: 'predict'; requestId: number; texts: string[] }
  /** Explains the model's decision on `text` for the class `target` (default: the top one). */
  | { type: 'explain'; requestId: number; text: string; target?: number };

export type WorkerEvent =
  | { type: 'progress'; loaded: number; total: number }
  | {
      type: 'ready';
      backend: Backend;
      adapter: AdapterSummary | null;
      /** Why the backend differs from what was asked or would be best, for the UI. */
      note: string | null;
      model: ModelSummary;
      loadMs: number;
    }
  | { type: 'load-error'; message: string }
  | { type: 'classified'; requestId: number; probabilities: number[]; latencyMs: number }
  | { type: 'predicted'; requestId: number; probabilities: number[][]; latencyMs: number }
  | { type: 'explain-progress'; requestId: number; done: number; total: number; method: string }
  | { type: 'explained'; requestId: number; explanations: Explanation[]; ms: number }
  | { type: 'failed'; requestId: number; message: string };

/** `?device=webgpu|wasm` forces a backend; anything else lets the worker choose. */
export function devicePreferenceFrom(search: string): DevicePreference {
  const value = new URLSearchParams(search).get('device');
  return value === 'webgpu' || value === 'wasm' ? value : 'auto';
}
