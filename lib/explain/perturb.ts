// Perturbed texts and the memoising batched predictor every model-agnostic explainer uses.
import type { PredictFn, WordSpan } from '@/lib/model/types';

/**
 * The text with only the words where `keep[i]` is true. A removed word takes its characters
 * and nothing else: punctuation, symbols and the gaps are not words, so they stay as context
 * ("我的卡，丢了" without 卡 is "我的，丢了"). Where a word is removed, the whitespace before it
 * goes and the gap after it stays ("my card, lost" without "card" is "my, lost"), so gaps never
 * double; the result is trimmed. Keeping every word returns `text` as is.
 */
export function textWithWords(text: string, words: readonly WordSpan[], keep: readonly boolean[]): string {
  let all = true;
  for (let i = 0; i < words.length; i++) if (!keep[i]) all = false;
  if (all) return text;
  let out = '';
  let from = 0;
  for (let i = 0; i < words.length; i++) {
    out += text.slice(from, words[i].start);
    if (keep[i]) out += text.slice(words[i].start, words[i].end);
    else out = out.trimEnd();
    from = words[i].end;
  }
  return (out + text.slice(from)).trim();
}

/** The text without the words whose indices are in `removed`. */
export function removeWords(text: string, words: readonly WordSpan[], removed: Iterable<number>): string {
  const keep = words.map(() => true);
  for (const i of removed) if (i >= 0 && i < keep.length) keep[i] = false;
  return textWithWords(text, words, keep);
}

/** Only the words whose indices are in `kept`, in their original order. */
export function keepOnlyWords(text: string, words: readonly WordSpan[], kept: Iterable<number>): string {
  const keep = words.map(() => false);
  for (const i of kept) if (i >= 0 && i < keep.length) keep[i] = true;
  return textWithWords(text, words, keep);
}

export interface PredictStats {
  /** Calls of the underlying `predict` (one batch of at most `batchSize` texts each). */
  forwardPasses: number;
  /** Texts the underlying `predict` evaluated (distinct, not cached before). */
  textsEvaluated: number;
  /** Texts asked for, repeats and cache hits included. */
  requested: number;
}

export interface CachedPredictor {
  /** Same contract as PredictFn; rows are shared with the cache, do not mutate them. */
  readonly predict: PredictFn;
  readonly batchSize: number;
  readonly stats: PredictStats;
  has(text: string): boolean;
  /** Puts a known result in the cache (e.g. the probabilities of the analysed text). */
  prime(text: string, probabilities: number[]): void;
}

interface Shared {
  base: PredictFn;
  cache: Map<string, number[]>;
}

const registry = new WeakMap<PredictFn, Shared>();

/**
 * Wraps a batched classifier: identical texts are evaluated once (across calls — LIME on a
 * short message has few distinct word subsets), new texts are sorted by `lengthOf` (the
 * characters unless told, e.g. tokens) so a batch pads little, and sent in batches of `batchSize`. Wrapping a predictor that came from
 * `cachedPredict` shares its cache but counts separately, so one message's explainers share
 * every result while each reports its own forward passes.
 */
export function cachedPredict(predict: PredictFn, batchSize = 64, lengthOf: (text: string) => number = (text) => text.length): CachedPredictor {
  const shared: Shared = registry.get(predict) ?? { base: predict, cache: new Map() };
  const size = Math.max(1, Math.floor(batchSize));
  const stats: PredictStats = { forwardPasses: 0, textsEvaluated: 0, requested: 0 };
  const run: PredictFn = async (texts) => {
    stats.requested += texts.length;
    const todo = [...new Set(texts.filter((t) => !shared.cache.has(t)))];
    todo.sort((a, b) => lengthOf(a) - lengthOf(b));
    for (let s = 0; s < todo.length; s += size) {
      const batch = todo.slice(s, s + size);
      const rows = await shared.base(batch);
      if (rows.length !== batch.length) throw new Error(`predict returned ${rows.length} rows for ${batch.length} texts`);
      stats.forwardPasses++;
      stats.textsEvaluated += batch.length;
      batch.forEach((t, i) => shared.cache.set(t, rows[i]));
    }
    return texts.map((t) => shared.cache.get(t)!);
  };
  registry.set(run, shared);
  return {
    predict: run,
    batchSize: size,
    stats,
    has: (text) => shared.cache.has(text),
    prime: (text, probabilities) => {
      if (!shared.cache.has(text)) shared.cache.set(text, probabilities);
    },
  };
}
