// Every text the audit asks the model about, predicted once (the suites share originals and
// variants) in batches that report progress, and the chat's answer to each.
import { cachedPredict, type CachedPredictor } from '@/lib/explain/perturb';
import { answerOf, type Answer, type AuditClassifier } from './classifier';

export type Progress = { suite: string; done: number; total: number };

/** Texts per call of the model between progress reports. */
const CHUNK = 256;

export class Predictions {
  /** The memoising predictor the explainers share too, so a text is never run twice. */
  readonly cache: CachedPredictor;
  private readonly rows = new Map<string, readonly number[]>();
  private readonly answers = new Map<string, Answer>();

  constructor(
    readonly classifier: AuditClassifier,
    private readonly onProgress?: (progress: Progress) => void,
  ) {
    this.cache = cachedPredict(classifier.predict, 64);
  }

  /** Predicts the texts not known yet, reporting progress under `suite`. */
  async add(suite: string, texts: Iterable<string>): Promise<void> {
    const todo = [...new Set(texts)].filter((text) => !this.rows.has(text));
    this.onProgress?.({ suite, done: 0, total: todo.length });
    for (let start = 0; start < todo.length; start += CHUNK) {
      const chunk = todo.slice(start, start + CHUNK);
      const probabilities = await this.cache.predict(chunk);
      chunk.forEach((text, i) => this.rows.set(text, probabilities[i]!));
      this.onProgress?.({ suite, done: Math.min(todo.length, start + CHUNK), total: todo.length });
    }
  }

  probabilities(text: string): readonly number[] {
    const row = this.rows.get(text);
    if (!row) throw new Error('the audit asked for a text it did not predict');
    return row;
  }

  answer(text: string): Answer {
    let answer = this.answers.get(text);
    if (!answer) this.answers.set(text, (answer = answerOf(this.classifier, text, this.probabilities(text))));
    return answer;
  }
}
