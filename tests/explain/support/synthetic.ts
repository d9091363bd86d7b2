// A known linear bag-of-words classifier: logit_c = bias_c + Σ_words weight[word][c],
// probabilities = softmax. The truth every model-agnostic explainer is checked against.
import { wordSpans } from '@/lib/model/spans';
import type { PredictFn } from '@/lib/model/types';
import type { ExplainInput } from '@/lib/explain/types';

export interface Synthetic {
  labels: string[];
  /** Per word (lower case), one weight per class. */
  weights: Record<string, number[]>;
  bias: number[];
  predict: PredictFn;
  /** Calls of `predict` and texts it saw. */
  calls: { batches: number; texts: number; sizes: number[] };
  logits(text: string): number[];
}

export function softmax(xs: number[]): number[] {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

export function synthetic(labels: string[], weights: Record<string, number[]>, bias = labels.map(() => 0), locale = 'en'): Synthetic {
  const calls = { batches: 0, texts: 0, sizes: [] as number[] };
  const logits = (text: string) => {
    const out = [...bias];
    for (const w of wordSpans(text, locale)) {
      const v = weights[w.text.toLowerCase()];
      if (v) v.forEach((x, c) => (out[c] += x));
    }
    return out;
  };
  const predict: PredictFn = async (texts) => {
    calls.batches++;
    calls.texts += texts.length;
    calls.sizes.push(texts.length);
    return texts.map((t) => softmax(logits(t)));
  };
  return { labels, weights, bias, predict, calls, logits };
}

/** Two classes; the weight of a word for class 1 is `w`, for class 0 it is 0. */
export function binary(weights: Record<string, number>, bias = 0): Synthetic {
  const w: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(weights)) w[k] = [0, v];
  return synthetic(['other', 'target'], w, [0, bias]);
}

export async function inputFor(model: Synthetic, text: string, target?: number, locale = 'en'): Promise<ExplainInput> {
  const [p] = await model.predict([text]);
  model.calls.batches = 0;
  model.calls.texts = 0;
  model.calls.sizes.length = 0;
  return { text, words: wordSpans(text, locale), predict: model.predict, labels: model.labels, target: target ?? p.indexOf(Math.max(...p)) };
}

/** Spearman rank correlation (average ranks for ties). */
export function spearman(a: number[], b: number[]): number {
  const rank = (xs: number[]) => {
    const order = xs.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
    const r = new Array<number>(xs.length);
    for (let i = 0; i < order.length; ) {
      let j = i;
      while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
      for (let k = i; k <= j; k++) r[order[k][1]] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const ra = rank(a);
  const rb = rank(b);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const ma = mean(ra);
  const mb = mean(rb);
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < a.length; i++) {
    num += (ra[i] - ma) * (rb[i] - mb);
    da += (ra[i] - ma) ** 2;
    db += (rb[i] - mb) ** 2;
  }
  return num / Math.sqrt(da * db);
}

/** `predict` that first waits `ms` per call, as a slower model would (time-budget tests). */
export function delayed(predict: PredictFn, ms: number): PredictFn {
  return async (texts) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return predict(texts);
  };
}
