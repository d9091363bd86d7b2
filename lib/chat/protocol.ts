import type { SkippedMethod } from '@/lib/explain/methods';
import type { Explanation, ExplanationMethod } from '@/lib/explain/types';

/** Messages between the chat (main thread) and the inference worker. */

export type DevicePreference = 'auto' | 'webgpu' | 'wasm';
export type Backend = 'webgpu' | 'wasm';

export type AdapterSummary = { vendor: string; architecture: string; isFallbackAdapter: boolean };

/** What the chat needs from the model card, sent once the model is ready. */
export type ModelSummary = {
  bot: string;
  /** The content hash of the stored version loaded (lib/model/versions.ts): what its predictions name. */
  version: string;
  labels: string[];
  outOfScopeLabel: string | null;
  thresholds: { outOfScope: number; ambiguityMargin: number };
  /** The bot's language (BCP 47, from the card): the language it replies in. */
  language: string;
  /** The characters of the model's training texts (`trainingCharacters`): whether it can read a message. */
  characters: string;
};

/**
 * How the worker loads and runs the model. The defaults are the fastest measured
 * (bench/browser); the others exist to be measured against them in the same run.
 */
export type RuntimeTuning = {
  /** onnxruntime-web build for the WebAssembly backend: 'plain' (14 MB) or the 27 MB 'asyncify' one WebGPU needs. */
  wasmRuntime: 'plain' | 'asyncify';
  /**
   * Where the runtime's .wasm comes from on a later visit: 'http' lets the browser stream-compile
   * it from its HTTP cache (and reuse the compiled code), 'cache-api' is transformers.js's copy
   * in the Cache API (compiled again on every load).
   */
  wasmSource: 'http' | 'cache-api';
  /** The runtime as compressed once at install ('pre') or by the server on every request ('live'). */
  compression: 'pre' | 'live';
  /** Download the runtime and model files in parallel at the start of loading. */
  prefetch: boolean;
  /** WebAssembly threads when the page is cross-origin isolated (else always 1). */
  threads: 1 | 2;
  /** With threads: let onnxruntime's threads busy-wait between operators (its default). */
  spinning: boolean;
  /** Start the WebAssembly runtime while the model files are read, not after. */
  earlyRuntime: boolean;
};

export const DEFAULT_TUNING: RuntimeTuning = { wasmRuntime: 'plain', wasmSource: 'http', compression: 'pre', prefetch: true, threads: 1, spinning: true, earlyRuntime: true };

/** Explanation settings a caller may override (bench/explain times LIME against its samples). */
export type ExplainOverrides = {
  methods?: ExplanationMethod[];
  lime?: { samples?: number; seed?: number; timeBudgetMs?: number | null; batchSize?: number };
  faithfulness?: boolean;
};

export type WorkerRequest =
  /** Loads version `version` (a content hash) of the bot's model from its URL (lib/bot/registry `versionUrl`). */
  | { type: 'load'; bot: string; version: string; device: DevicePreference; runtimePath: string; tuning?: Partial<RuntimeTuning> }
  | { type: 'classify'; requestId: number; text: string }
  | { type: 'predict'; requestId: number; texts: string[] }
  /**
   * Explains the model's decision on `text` for the class `target` (default: the top one). With
   * `versus` (another class), only why `target` and not `versus`: the contrastive methods. With
   * `maskedWith`, `text` is a stored message whose personal data was masked with that character,
   * and its words are cut as the server cuts a stored message (lib/model/spans `maskedWordSpans`).
   * With `onDemand`, only those methods (ones the panel's time budget dropped), asked for and
   * waited for: no run budget, each keeps its own, as a contrast does.
   */
  | { type: 'explain'; requestId: number; text: string; target?: number; versus?: number; maskedWith?: string; onDemand?: ExplanationMethod[]; overrides?: ExplainOverrides }
  /**
   * Stops the explanation asked for by `requestId`: its model work still queued is dropped, and
   * it stops before its next method. Nothing more is sent for it (the caller stopped waiting).
   */
  | { type: 'cancel'; requestId: number };

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
  /** `skipped`: the methods the time budget left out (e.g. SHAP on a long message), for the panel to say so. */
  | { type: 'explained'; requestId: number; explanations: Explanation[]; skipped: SkippedMethod[]; ms: number }
  | { type: 'failed'; requestId: number; message: string };

/** `?device=webgpu|wasm` forces a backend; anything else lets the worker choose. */
export function devicePreferenceFrom(search: string): DevicePreference {
  const value = new URLSearchParams(search).get('device');
  return value === 'webgpu' || value === 'wasm' ? value : 'auto';
}

/**
 * Runtime tuning from the page's query, honoured only with `bench` in it (bench/browser compares
 * variants in one run): `ort=plain|asyncify`, `wasm-source=http|cache-api`, `compression=pre|live`,
 * `prefetch=1|0`, `threads=1|2`, `spin=1|0`, `early-runtime=1|0`.
 */
export function tuningFrom(search: string): Partial<RuntimeTuning> {
  const query = new URLSearchParams(search);
  if (!query.has('bench')) return {};
  const tuning: Partial<RuntimeTuning> = {};
  const ort = query.get('ort');
  if (ort === 'plain' || ort === 'asyncify') tuning.wasmRuntime = ort;
  const source = query.get('wasm-source');
  if (source === 'http' || source === 'cache-api') tuning.wasmSource = source;
  const compression = query.get('compression');
  if (compression === 'pre' || compression === 'live') tuning.compression = compression;
  const prefetch = query.get('prefetch');
  if (prefetch === '1' || prefetch === '0') tuning.prefetch = prefetch === '1';
  const threads = query.get('threads');
  if (threads === '1' || threads === '2') tuning.threads = threads === '2' ? 2 : 1;
  const spin = query.get('spin');
  if (spin === '1' || spin === '0') tuning.spinning = spin === '1';
  const earlyRuntime = query.get('early-runtime');
  if (earlyRuntime === '1' || earlyRuntime === '0') tuning.earlyRuntime = earlyRuntime === '1';
  return tuning;
}
