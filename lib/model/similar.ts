// "Similar questions" evidence: nearest training examples by cosine similarity of
// sentence embeddings, from the compact int8 index the training pipeline writes.
import type { SimilarExample } from './types';

export interface SimilarIndexMeta {
  count: number;
  dim: number;
  scale: number;
  texts: string[];
  labels: number[];
}

export class SimilarIndex {
  constructor(
    private readonly meta: SimilarIndexMeta,
    private readonly vectors: Int8Array,
    private readonly labelNames: string[],
  ) {
    if (vectors.length !== meta.count * meta.dim) throw new Error('similar index: vector file does not match its metadata');
  }

  get size(): number {
    return this.meta.count;
  }

  /** The k most similar examples to `embedding` (any scale; it is normalised here). */
  search(embedding: ArrayLike<number>, k = 5): SimilarExample[] {
    const { dim, count, scale } = this.meta;
    if (embedding.length !== dim) throw new Error(`similar index: embedding has ${embedding.length} dims, index has ${dim}`);
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += embedding[j] * embedding[j];
    norm = Math.sqrt(norm) || 1;
    const scores = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      let s = 0;
      const off = i * dim;
      for (let j = 0; j < dim; j++) s += this.vectors[off + j] * embedding[j];
      // The index's rounding can put a message identical to a known question just past 1.
      scores[i] = Math.max(-1, Math.min(1, s / (scale * norm)));
    }
    const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]).slice(0, k);
    return order.map((i) => ({ text: this.meta.texts[i], label: this.labelNames[this.meta.labels[i]], score: scores[i] }));
  }
}

export function parseSimilarIndex(meta: SimilarIndexMeta, bytes: ArrayBuffer | Uint8Array, labels: string[]): SimilarIndex {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return new SimilarIndex(meta, new Int8Array(view.buffer, view.byteOffset, view.byteLength), labels);
}

/** Fetches `<modelUrl>/similar-index.{json,bin}`. */
export async function fetchSimilarIndex(modelUrl: string, labels: string[]): Promise<SimilarIndex> {
  const base = modelUrl.replace(/\/$/, '');
  const [meta, bin] = await Promise.all([
    fetch(`${base}/similar-index.json`).then((r) => r.json() as Promise<SimilarIndexMeta>),
    fetch(`${base}/similar-index.bin`).then((r) => r.arrayBuffer()),
  ]);
  return parseSimilarIndex(meta, bin, labels);
}
