// "Why this, and not that?": a contrast between the answer and another intent, computed in the
// inference worker on request (the chat's customer, or an operator on a stored prediction).
import type { Explanation } from '@/lib/explain';
import { versusOf } from '@/lib/records/explanation';
import type { ExplainProgress, InferenceClient } from './inference-client';

/** Where one contrast stands, by the other intent it is about. */
export type ContrastState =
  | {
      status: 'computing';
      /** While the bot's model is still being loaded for it (an operator's first contrast): how far, 0–1, when known. */
      loadingModel?: { fraction: number | null };
      progress?: ExplainProgress | null;
    }
  | {
      status: 'ready';
      /** As worked out, or as stored: the panel reads it with its parse functions, whatever its shape. */
      explanation: unknown;
      /** Where storing it stands, where the reader is told (the operator's page); the chat's outbox says it for every record. */
      storing?: { status: 'saving' } | { status: 'stored' } | { status: 'failed'; error: string };
    }
  | { status: 'failed'; error: string };

/** A reply's contrasts, by the other intent's label. */
export type ContrastStates = Readonly<Record<string, ContrastState>>;

/** What a contrast is worked out from: the message (as typed, or as stored with `maskedWith`), the answer and the other intent, both labels of the model. */
export type ContrastRequest = {
  text: string;
  answer: string;
  versus: string;
  /** The message is a stored one, masked with this character. */
  maskedWith?: string;
  signal?: AbortSignal;
  onProgress?: (progress: ExplainProgress) => void;
};

/**
 * The contrast of `answer` with `versus` on `text`, computed by the loaded model's worker, or an
 * error saying in plain words why there is none. Both intents must be labels of the model.
 */
export async function computeContrast(client: Pick<InferenceClient, 'explain'>, labels: readonly string[], request: ContrastRequest): Promise<Explanation> {
  const target = labels.indexOf(request.answer);
  const versus = labels.indexOf(request.versus);
  if (target < 0) throw new Error(`The answer "${request.answer}" is not an intent of the loaded model.`);
  if (versus < 0) throw new Error(`"${request.versus}" is not an intent of the loaded model.`);
  if (versus === target) throw new Error('The answer cannot be compared with itself.');
  const { explanations } = await client.explain(request.text, { target, versus, maskedWith: request.maskedWith, signal: request.signal, onProgress: request.onProgress });
  const contrast = explanations.find((explanation) => versusOf(explanation) === request.versus);
  if (!contrast) throw new Error('This model cannot work out why one answer and not another.');
  return contrast;
}
