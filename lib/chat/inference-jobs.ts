// What the inference worker does with a loaded model: classify, predict and explain on
// request, one model run at a time, and cancel explanations nobody waits for any more.
// Free of the browser's loading machinery, so the same code runs in Node on the real model.
import { EXPLAINERS, explainAll, type SkippedMethod } from '@/lib/explain';
import type { IntentModel } from '@/lib/model/model';
import { maskedWordSpans } from '@/lib/model/spans';
import type { SimilarIndex } from '@/lib/model/similar';
import { ModelQueue } from './model-queue';
import type { WorkerEvent, WorkerRequest } from './protocol';

/** Time for one message's explanations, from the request to the result. */
export const EXPLAIN_BUDGET_MS = 400;

/** The methods that answer "why this and not that?": the ones that need another class (`versus`) to run. */
export const CONTRASTIVE_METHODS = EXPLAINERS.filter((descriptor) => (descriptor.needs as readonly string[]).includes('versus')).map((descriptor) => descriptor.method);

type ModelRequest = Exclude<WorkerRequest, { type: 'load' }>;

export class InferenceJobs {
  private readonly queue = new ModelQueue();
  /** Explanations under way, by request id, so that a cancel can reach them. */
  private readonly explaining = new Map<number, AbortController>();

  constructor(
    private readonly model: IntentModel,
    private readonly similarIndex: Promise<SimilarIndex | null>,
    private readonly post: (event: WorkerEvent) => void,
  ) {}

  /**
   * One warm-up pass, so the first real message does not pay for compiling the runtime's
   * kernels (~0.1 s on WebAssembly): queued ahead of any message, run while the visitor types.
   */
  warmUp(): Promise<void> {
    return this.queue.run(() => this.model.predict(['hello']), 'urgent').then(
      () => undefined,
      () => undefined,
    );
  }

  async handle(request: ModelRequest): Promise<void> {
    if (request.type === 'cancel') {
      this.explaining.get(request.requestId)?.abort(new DOMException('The explanation was cancelled.', 'AbortError'));
      return;
    }
    // Registered before the first await: a cancel that follows the request always finds it.
    const abort = request.type === 'explain' ? new AbortController() : null;
    if (abort) this.explaining.set(request.requestId, abort);
    const started = performance.now();
    try {
      if (request.type === 'classify') {
        const [probabilities] = await this.queue.run(() => this.model.predict([request.text]), 'urgent');
        this.post({ type: 'classified', requestId: request.requestId, probabilities: probabilities!, latencyMs: performance.now() - started });
      } else if (request.type === 'predict') {
        const probabilities = await this.queue.run(() => this.model.predict(request.texts), 'urgent');
        this.post({ type: 'predicted', requestId: request.requestId, probabilities, latencyMs: performance.now() - started });
      } else {
        await this.explain(request, abort!.signal);
      }
    } catch (error) {
      // Cancelled: the caller stopped waiting when it cancelled, so there is no one to tell.
      if (abort?.signal.aborted) return;
      this.post({ type: 'failed', requestId: request.requestId, message: error instanceof Error ? error.message : String(error) });
    } finally {
      if (abort) this.explaining.delete(request.requestId);
    }
  }

  private async explain(request: Extract<WorkerRequest, { type: 'explain' }>, signal: AbortSignal) {
    const started = performance.now();
    const { model } = this;
    // Explanations use the model in the background: a new message's classification goes first.
    // Their runs wait in the queue with the signal, so a cancel drops the ones not started.
    const predict = (texts: string[]) => this.queue.run(() => model.predict(texts), 'background', signal);
    const analysis = await this.queue.run(() => model.analyse(request.text), 'background', signal);
    const index = await this.similarIndex;
    const skipped: SkippedMethod[] = [];
    // A stored message's masked characters were letters or digits: its words are cut as the
    // server cuts it, so that what is posted fits it. The forward pass's tokens are aligned with
    // its own words, so it goes along only where those are the words explained.
    const masked = request.maskedWith !== undefined && request.text.includes(request.maskedWith);
    const contrast = request.versus !== undefined;
    // Methods the panel's budget dropped, asked for now: run alone, and waited for.
    const onDemand = !contrast && request.onDemand?.length ? request.onDemand : undefined;
    const input = {
      text: request.text,
      words: masked ? maskedWordSpans(request.text, model.locale, request.maskedWith!) : analysis.words,
      predict,
      labels: model.labels,
      target: request.target ?? analysis.top,
      analysis: masked ? undefined : analysis,
      similar: index ? (embedding: number[], k: number) => index.search(embedding, k) : undefined,
      // The other class of "why this and not that?"; the contrastive methods run only with it.
      ...(contrast ? { versus: request.versus } : {}),
    };
    const explanations = await explainAll(
      input,
      {
        // An ensemble stacks its models' attention layers; attention and rollout treat each model apart.
        ensembleMembers: (model.model.config as unknown as { ensemble_members?: number }).ensemble_members ?? 1,
        methods: contrast ? CONTRASTIVE_METHODS : (onDemand ?? request.overrides?.methods),
        faithfulness: request.overrides?.faithfulness,
        signal,
        // The panel should be ready within half a second of the reply: SHAP and LIME, last,
        // share what is left of the budget and record how many samples they used (reproducible
        // with the same seed); SHAP is dropped when even its floor does not fit, and the panel
        // is told. The rest of the half second is the message hops and the render. A contrast,
        // or a dropped method computed on demand, is asked for and waited for: it keeps its own
        // time budget.
        budgetMs: contrast || onDemand ? undefined : EXPLAIN_BUDGET_MS - (performance.now() - started),
        onSkip: (method) => skipped.push(method),
        settings: { lime: { ...request.overrides?.lime } },
      },
      (done, total, method) => this.post({ type: 'explain-progress', requestId: request.requestId, done, total, method }),
    );
    signal.throwIfAborted();
    this.post({ type: 'explained', requestId: request.requestId, explanations, skipped, ms: performance.now() - started });
  }
}
