// The methods the panel's time budget dropped from a reply's explanations (SHAP on a long
// message), and computing one of them when the reader asks: alone in the inference worker,
// without the panel's budget, as a contrast is computed.
import { methodLabel, type Explanation, type ExplanationMethod, type SkippedMethod } from '@/lib/explain/methods';
import type { ExplainProgress, InferenceClient } from './inference-client';

/** Computing a dropped method on request: under way, or failed (absent: not asked for, or stopped with the worker). */
export type SkippedRun = { status: 'computing'; progress: ExplainProgress | null } | { status: 'failed'; error: string };

/** A method the time budget dropped, and where computing it on request stands. */
export type SkippedState = SkippedMethod & { run?: SkippedRun };

/** What a dropped method is computed from: the visitor's message and the class the reply's explanations are of. */
export type SkippedRequest = {
  text: string;
  target?: number;
  method: ExplanationMethod;
  signal?: AbortSignal;
  onProgress?: (progress: ExplainProgress) => void;
};

/**
 * `method`'s explanation of `text`, computed alone by the loaded model's worker with no run
 * budget (the method keeps its own), or an error saying in plain words why there is none.
 */
export async function computeSkipped(client: Pick<InferenceClient, 'explain'>, request: SkippedRequest): Promise<Explanation> {
  const { explanations } = await client.explain(request.text, { target: request.target, onDemand: [request.method], signal: request.signal, onProgress: request.onProgress });
  const explanation = explanations.find((candidate) => candidate.method === request.method);
  if (!explanation) throw new Error(`${methodLabel(request.method)} cannot be computed for this message.`);
  return explanation;
}
