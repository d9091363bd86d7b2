/// <reference lib="webworker" />
// The inference worker: loads the bot's model from this site (never a CDN) and classifies
// messages off the main thread, so typing never waits for the model.
import { env } from '@huggingface/transformers';
// The same entry transformers.js imports, so both share one runtime.
import { InferenceSession } from 'onnxruntime-web/webgpu';
import { isVersionHash, versionUrl } from '@/lib/bot/registry';
import { IntentModel } from '@/lib/model/model';
import { fetchModelCard } from '@/lib/model/card';
import { trainingCharacters } from '@/lib/model/readability';
import { fetchSimilarIndex, type SimilarIndex } from '@/lib/model/similar';
import type { ModelCard } from '@/lib/model/types';
import { chooseBackend, findAdapter } from './device';
import { InferenceJobs } from './inference-jobs';
import { DEFAULT_TUNING, type Backend, type RuntimeTuning, type WorkerEvent, type WorkerRequest } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

let card: ModelCard | null = null;
/** The loaded model's work (classify, predict, explain); null until it is loaded. */
let jobs: InferenceJobs | null = null;

function post(event: WorkerEvent) {
  self.postMessage(event);
}

function configureRuntime(runtimePath: string, backend: Backend, tuning: RuntimeTuning) {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = '/models/';
  // Keeps downloaded model files in the Cache API for the next visit.
  env.useBrowserCache = true;
  // Fetched by onnxruntime itself, the .wasm is compiled while it streams in, and the browser
  // keeps the compiled code beside its HTTP cache entry (the files are immutable), so a later
  // visit neither downloads nor compiles it again. transformers.js's Cache API copy would be
  // compiled from scratch on every load.
  env.useWasmCache = tuning.wasmSource === 'cache-api';
  const wasm = env.backends.onnx.wasm;
  if (wasm) {
    // WebGPU needs the asyncify build (27 MB); the plain SIMD build (14 MB) runs the WebAssembly
    // backend, loads in about half the time and runs a pass faster.
    const build = backend === 'webgpu' || tuning.wasmRuntime === 'asyncify' ? '.asyncify' : '';
    // gzip/ holds the same files compressed at install time (lib/setup/copy-onnx-runtime.mjs).
    const folder = tuning.compression === 'pre' ? `${runtimePath}gzip/` : runtimePath;
    wasm.wasmPaths = {
      wasm: `${folder}ort-wasm-simd-threaded${build}.wasm`,
      mjs: `${folder}ort-wasm-simd-threaded${build}.mjs`,
    };
    // Threads need SharedArrayBuffer, i.e. a cross-origin isolated page (COOP + COEP headers).
    wasm.numThreads = self.crossOriginIsolated ? tuning.threads : 1;
  }
}

/**
 * Starts downloading what loading will need, all at once: loading itself asks for the files
 * one after another (model card, tokenizer, model, then the runtime when the session is
 * created). The answers land in the HTTP cache, where loading picks them up. Model files
 * already in transformers.js's Cache API (a later visit) are not fetched again.
 */
function prefetch(bot: string, version: string) {
  const wasmPaths = env.backends.onnx.wasm?.wasmPaths;
  const urls = typeof wasmPaths === 'object' && wasmPaths ? [wasmPaths.wasm, wasmPaths.mjs].filter((u): u is string => typeof u === 'string') : [];
  const modelFiles = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'].map((f) => `${versionUrl(bot, version)}${f}`);
  const fetchQuietly = (url: string) => fetch(url).then((r) => r.arrayBuffer()).catch(() => undefined);
  for (const url of urls) void fetchQuietly(url);
  void (async () => {
    const cache = await caches.open(env.cacheKey).catch(() => null);
    for (const file of modelFiles) {
      const absolute = new URL(file, self.location.origin).href;
      if (!(await cache?.match(absolute).catch(() => undefined))) void fetchQuietly(file);
    }
  })();
}

/** A one-node ONNX model (Identity, opset 13, made with onnx.helper), 80 bytes. */
const RUNTIME_STARTER = Uint8Array.from(atob('CAgSCWdsYXNzZGVzazo7ChAKAXgSAXkiCElkZW50aXR5EgVzdGFydFoPCgF4EgoKCAgBEgQKAggBYg8KAXkSCgoICAESBAoCCAFCBAoAEA0='), (c) =>
  c.charCodeAt(0),
);

/**
 * Starts onnxruntime (its .wasm instantiated, the runtime initialised) with a session on a
 * one-node model, so that this happens while transformers.js reads the tokenizer and model
 * files rather than after them; the model's own session then finds the runtime ready.
 */
function startRuntime() {
  void InferenceSession.create(RUNTIME_STARTER, { executionProviders: ['wasm'] })
    .then((session) => session.release())
    .catch(() => undefined);
}

/** Sums download progress over the model's files into one bar. */
function progressReporter() {
  const files = new Map<string, { loaded: number; total: number }>();
  return (info: { status: string; file?: string; loaded?: number; total?: number }) => {
    if (info.status === 'progress' && info.file) files.set(info.file, { loaded: info.loaded ?? 0, total: info.total ?? 0 });
    else if (info.status === 'done' && info.file) {
      const file = files.get(info.file);
      if (file) files.set(info.file, { loaded: file.total, total: file.total });
    } else return;
    let loaded = 0;
    let total = 0;
    for (const file of files.values()) {
      loaded += file.loaded;
      total += file.total;
    }
    post({ type: 'progress', loaded, total });
  };
}

/**
 * Loads one stored version: its files are under `/models/<bot>/<hash>/`, i.e. the model id
 * `<bot>/<hash>` under `env.localModelPath`. A worker loads one version; another is loaded by a
 * worker of its own (lib/chat/session.ts).
 */
async function load(bot: string, version: string, backend: Backend, tuning: RuntimeTuning) {
  card ??= await fetchModelCard(versionUrl(bot, version));
  return IntentModel.load(`${bot}/${version}`, { device: backend, dtype: 'fp32', card, batchSize: 64, spinning: tuning.spinning, onProgress: progressReporter() });
}

async function handleLoad(request: Extract<WorkerRequest, { type: 'load' }>) {
  const started = performance.now();
  if (!isVersionHash(request.version)) return post({ type: 'load-error', message: `Not a model version: ${JSON.stringify(String(request.version).slice(0, 80))}` });
  const tuning: RuntimeTuning = { ...DEFAULT_TUNING, ...request.tuning };
  // A forced WebAssembly backend needs no adapter: skip asking for one.
  const adapter = request.device === 'wasm' ? null : await findAdapter();
  let { backend, note } = chooseBackend(request.device, adapter);
  configureRuntime(request.runtimePath, backend, tuning);
  if (tuning.prefetch) prefetch(request.bot, request.version);
  // WebGPU's runtime is set up with its adapter by its own session; only WebAssembly starts early.
  if (tuning.earlyRuntime && backend === 'wasm') startRuntime();
  try {
    let model: IntentModel;
    try {
      model = await load(request.bot, request.version, backend, tuning);
    } catch (error) {
      if (backend !== 'webgpu') throw error;
      // A WebGPU failure is not the visitor's problem: fall back to WebAssembly.
      backend = 'wasm';
      note = `WebGPU failed (${(error as Error).message}); using WebAssembly.`;
      model = await load(request.bot, request.version, backend, tuning);
    }
    // Needed only for explanations: fetched in the background, never delaying the chat.
    const similarIndex: Promise<SimilarIndex | null> = fetchSimilarIndex(versionUrl(request.bot, request.version), model.labels).catch(() => null);
    jobs = new InferenceJobs(model, similarIndex, post);
    void jobs.warmUp();
    post({
      type: 'ready',
      backend,
      adapter,
      note,
      model: {
        bot: request.bot,
        // The version's hash, never the card's own version string: the server checks a
        // prediction against the stored version it names.
        version: request.version,
        labels: model.labels,
        outOfScopeLabel: card!.outOfScopeLabel,
        thresholds: card!.thresholds,
        language: card!.language,
        characters: trainingCharacters(card, () => model.tokenizer.get_vocab().keys()),
      },
      loadMs: performance.now() - started,
    });
  } catch (error) {
    post({ type: 'load-error', message: error instanceof Error ? error.message : String(error) });
  }
}

self.onmessage = (message: MessageEvent<WorkerRequest>) => {
  const request = message.data;
  if (request.type === 'load') return void handleLoad(request);
  if (jobs) return void jobs.handle(request);
  if (request.type !== 'cancel') post({ type: 'failed', requestId: request.requestId, message: 'The model is not loaded.' });
};
