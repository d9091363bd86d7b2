// Types shared by the model runtime (browser worker and Node) and the explainers.

/** A span of the text the user typed: [start, end) in UTF-16 code units. */
export interface Span {
  start: number;
  end: number;
}

/** A word unit as the user typed it (lib/model `wordSpans`: ICU's word segmentation in the bot's language; punctuation is not a word). */
export interface WordSpan extends Span {
  text: string;
}

/** Part of a token that lies in word `word`: `share` of the token's characters that fall in any word. */
export interface WordShare {
  word: number;
  share: number;
}

/** One model input position. */
export interface TokenInfo {
  /** Vocabulary id fed to the model. */
  id: number;
  /** WordPiece string, e.g. "card", "##s", "[CLS]". */
  token: string;
  /** Characters of the original text this token came from; null for [CLS]/[SEP]. */
  span: Span | null;
  /** Index into `words` of the word the token shares most characters with (the first of equals), or null: [CLS], [SEP], punctuation. */
  word: number | null;
  /** The words the token's characters fall in, each with its share of them (summing to 1; empty when `word` is null). */
  wordShares: WordShare[];
  special: boolean;
}

/** Batched classifier: texts in, class probabilities out (rows sum to 1). */
export type PredictFn = (texts: string[]) => Promise<number[][]>;

/** Everything one forward pass tells us about one text. */
export interface Analysis {
  text: string;
  labels: string[];
  /** Raw logits, one per label. */
  logits: number[];
  /** Probabilities after temperature scaling (temperature 1 if the card has none). */
  probabilities: number[];
  temperature: number;
  /** Index of the most probable label. */
  top: number;
  tokens: TokenInfo[];
  words: WordSpan[];
  /** Attention probabilities: [layer][head][query token][key token]; rows sum to 1. */
  attentions: number[][][][];
  /** Sentence embedding (the classifier's input), not normalised. */
  embedding: number[];
  /** True when the text was longer than the model's input and was cut. */
  truncated: boolean;
}

/** Decision thresholds written by the training pipeline (see training/train.py). */
export interface Thresholds {
  /** Below this top in-scope probability the message is treated as out of scope. */
  outOfScope: number;
  /** Below this gap between the two most probable intents the bot asks to clarify. */
  ambiguityMargin: number;
}

/** The parts of model-card.json that the runtime relies on. */
export interface ModelCard {
  name: string;
  labels: string[];
  outOfScopeLabel: string | null;
  /** The language the model was trained on (a BCP 47 tag). */
  language: string;
  temperature: number;
  thresholds: Thresholds;
  /** Headline figures, for display. */
  metrics: {
    split: string;
    accuracy: number;
    macroF1: number;
    eceBeforeCalibration: number;
    eceAfterCalibration: number;
  };
  /** The full card as written by the pipeline. */
  raw: Record<string, unknown>;
}

/** One example from the similar-questions index. */
export interface SimilarExample {
  text: string;
  label: string;
  /** Cosine similarity with the query's sentence embedding. */
  score: number;
}

export type Device = 'wasm' | 'webgpu' | 'cpu';
export type ModelDtype = 'fp32' | 'q8';

export interface LoadOptions {
  device?: Device;
  dtype?: ModelDtype;
  /** Texts per forward pass in `predict`. */
  batchSize?: number;
  /** onnxruntime session threads (Node); by default one per core, which spin between runs. */
  threads?: number;
  /**
   * Whether onnxruntime's worker threads busy-wait for the next operator (its default, true).
   * Spinning only pays when every thread has a core to itself.
   */
  spinning?: boolean;
  /** Download progress of the model files, as transformers.js reports it. */
  onProgress?: (info: { status: string; file?: string; loaded?: number; total?: number }) => void;
}
