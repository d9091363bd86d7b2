// Helpers shared by the explainers (no Node-only imports: this runs in a Web Worker too).
import { z } from 'zod';
import type { TokenInfo, WordShare } from '@/lib/model/types';

import type { ExplainInput, ExplanationOf, FitOutcome } from './explainer';

export const now = (): number => performance.now();

export function argmax(xs: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
}

export function mergeSettings<S extends object>(defaults: S, settings?: Partial<S>): S {
  const out = { ...defaults };
  if (settings) {
    for (const [k, v] of Object.entries(settings)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

export function targetOf(input: ExplainInput, probability: number): ExplanationOf['target'] {
  return { index: input.target, label: input.labels[input.target] ?? String(input.target), probability };
}

export function checkTarget(input: ExplainInput, row: readonly number[]): void {
  if (!Number.isInteger(input.target) || input.target < 0 || input.target >= row.length) {
    throw new Error(`target ${input.target} is not a class index (predict returns ${row.length} classes)`);
  }
}

/** The analysis of `input.text`, or an error naming the explainer that needs it. */
export function requireAnalysis(input: ExplainInput, method: string): NonNullable<ExplainInput['analysis']> {
  const a = input.analysis;
  if (!a) throw new Error(`${method}: needs input.analysis (the model's forward pass on the text)`);
  if (a.text !== input.text) throw new Error(`${method}: input.analysis is for a different text`);
  return a;
}

/**
 * Token-level weights (e.g. one row of attention from [CLS]) summed into the words, by
 * character overlap: `tokenWords[t]` lists the words token t's characters fall in with their
 * shares (lib/model `alignTokens`), so a token covering several word units (an [UNK] for a
 * Thai run) is split among them. Tokens in no word ([CLS], [SEP], punctuation) are dropped; an
 * [UNK] piece still counts for its words. Renormalised to sum 1 over words (all zeros stay
 * zeros, e.g. for words cut off by truncation). The explainers and the panel both sum this way.
 */
export function tokensToWords(row: readonly number[], tokenWords: readonly (readonly WordShare[])[], wordCount: number): number[] {
  const out = new Array<number>(wordCount).fill(0);
  for (let t = 0; t < tokenWords.length && t < row.length; t++) {
    for (const { word, share } of tokenWords[t]!) if (word >= 0 && word < wordCount) out[word] += (row[t] ?? 0) * share;
  }
  const sum = out.reduce((s, x) => s + x, 0);
  return sum > 0 ? out.map((x) => x / sum) : out;
}

/** Each token's words and shares (lib/model `alignTokens`), as `tokensToWords` takes them. */
export const sharesOfTokens = (tokens: readonly TokenInfo[]): WordShare[][] => tokens.map((token) => token.wordShares);

/** A stored explanation's `tokenWords` (each token's main word, or null), as `tokensToWords` takes them. */
export const sharesOfMainWords = (tokenWords: readonly (number | null)[]): WordShare[][] => tokenWords.map((word) => (word === null ? [] : [{ word, share: 1 }]));

/**
 * A deep copy that survives JSON.stringify/parse unchanged: typed arrays become arrays,
 * non-finite numbers become null, undefined object fields are dropped.
 */
export function jsonSafe<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'number') return Number.isFinite(v) ? (Object.is(v, -0) ? 0 : v) : null;
    if (v === null || typeof v !== 'object') return v;
    if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, (x) => walk(Number(x)));
    if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : walk(x)));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined && typeof x !== 'function') out[k] = walk(x);
    return out;
  };
  return walk(value) as T;
}

// Building blocks of the schemas each explainer exports for its `settings` and `extra`: what the
// server accepts of a posted explanation. Numbers, enums and bounded arrays only, so no free
// text can travel in them; unknown keys are dropped.

/** Largest token sequence any explanation may carry (positions of the model's input). */
export const MAX_TOKENS = 512;
/** Longest message (lib/records/turn.ts `MAX_MESSAGE_LENGTH`). */
export const MAX_MESSAGE_CHARS = 2000;
/** Largest word count: a message is at most 2,000 characters, so at most 1,000 words. */
export const MAX_WORDS = 1000;
/** Largest number of attention layers (every ensemble member's, stacked) and heads. */
export const MAX_ATTENTION_LAYERS = 64;
export const MAX_ATTENTION_HEADS = 64;

/** A finite number; non-finite results are posted as null (`jsonSafe`). */
export const finiteOrNull = z.number().finite().nullable();
export const count = (max: number) => z.number().int().min(0).max(max);
export const share = z.number().min(0).max(1);
/** A class label as the model card names them (validated against the bot's labels on ingest). */
export const labelName = z.string().min(1).max(100).regex(/^[\w.?-]+$/, { message: 'must be an intent name' });
/** A WordPiece token: a short piece of a word, or a special token. */
export const tokenText = z.string().max(100);

/** A fit hook's refusal: what does not fit, said so the client can tell. */
export const misfit = (problem: string): FitOutcome<never> => ({ ok: false, problem });
