// Pure helpers for the "Why this answer?" panel: colour scales, number formatting, reading the
// method-specific `extra` data safely, attention views and the faithfulness ranking. No React,
// no DOM: the same functions are unit-tested in Node.
import type { ExplanationOf, Faithfulness } from '@/lib/explain/explainer';
import { EXPLAINERS, wordViewOrderOf } from '@/lib/explain/methods';
import type { WordSpan } from '@/lib/model/types';
import type { AttentionDrawing, ContrastView, CounterfactualView } from './parse';

// ---------------------------------------------------------------------------------------------
// Numbers

const MINUS = '\u2212';
const NBSP = '\u00a0';

/** 0.8712 → "87 %" (a no-break space keeps the sign with its number). Below 1 % shows "<1 %". */
export function formatPercent(probability: number, digits = 0): string {
  if (!Number.isFinite(probability)) return '–';
  const value = probability * 100;
  if (digits === 0 && value > 0 && value < 0.5) return `<1${NBSP}%`;
  return `${value.toFixed(digits)}${NBSP}%`;
}

/** A signed score with a true minus sign: 0.2134 → "+0.213", -0.04 → "−0.040", 0 → "0.000". */
export function formatScore(score: number, digits = 3): string {
  if (!Number.isFinite(score)) return '–';
  const fixed = Math.abs(score).toFixed(digits);
  if (Number(fixed) === 0) return (0).toFixed(digits);
  return `${score < 0 ? MINUS : '+'}${fixed}`;
}

/** An unsigned figure such as an attention weight or a faithfulness measure: 0.4213 → "0.42". */
export function formatNumber(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return '–';
  const fixed = value.toFixed(digits);
  return Number(fixed) === 0 ? (0).toFixed(digits) : fixed.replace('-', MINUS);
}

/** Milliseconds for people: 12.3 → "12 ms", 1534 → "1.5 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  return ms < 1000 ? `${Math.round(ms)}${NBSP}ms` : `${(ms / 1000).toFixed(1)}${NBSP}s`;
}

/** “a”; “a” and “b”; “a”, “b” and “c”. */
export function quoteList(words: readonly string[]): string {
  const quoted = words.map((word) => `\u201c${word}\u201d`);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
}

// ---------------------------------------------------------------------------------------------
// Colour

export type Rgb = readonly [number, number, number];

/** Diverging endpoints from ColorBrewer's PuOr-like blue ↔ orange, safe for the common colour-vision deficiencies. */
export const POSITIVE_RGB: Rgb = [33, 102, 172]; // #2166ac: pushed towards the answer
export const NEGATIVE_RGB: Rgb = [230, 97, 1]; // #e66101: pushed away from it
const WHITE: Rgb = [255, 255, 255];
// Black, not slate: only black keeps ≥ 4.5:1 (WCAG AA) on every shade, where one of black/white must win.
const DARK_TEXT = '#000000';
const LIGHT_TEXT = '#ffffff';

function mix(from: Rgb, to: Rgb, t: number): Rgb {
  const channel = (i: 0 | 1 | 2) => Math.round(from[i] + (to[i] - from[i]) * t);
  return [channel(0), channel(1), channel(2)];
}

function hex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG relative luminance of an sRGB colour. */
export function luminance([r, g, b]: Rgb): number {
  const lin = (v: number) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio of two luminances. */
export function contrast(a: number, b: number): number {
  const [hi, lo] = a > b ? [a, b] : [b, a];
  return (hi + 0.05) / (lo + 0.05);
}

export interface Swatch {
  /** Background colour, `#rrggbb`. */
  background: string;
  /** Text colour with the better contrast on that background. */
  color: string;
}

function swatch(rgb: Rgb): Swatch {
  const l = luminance(rgb);
  return { background: hex(rgb), color: contrast(l, 0) >= contrast(l, 1) ? DARK_TEXT : LIGHT_TEXT };
}

/**
 * Diverging colour for a signed score: white at 0, blue for positive, orange for negative,
 * full intensity at |score| = `maxAbs`. Intensity follows a square root so small but real
 * scores stay visible.
 */
export function divergingColor(score: number, maxAbs: number): Swatch {
  if (!Number.isFinite(score) || !(maxAbs > 0) || score === 0) return swatch(WHITE);
  const t = Math.sqrt(Math.min(1, Math.abs(score) / maxAbs));
  return swatch(mix(WHITE, score > 0 ? POSITIVE_RGB : NEGATIVE_RGB, t));
}

/** Sequential colour (white → blue) for a non-negative weight such as attention, full at `max`. */
export function sequentialColor(value: number, max: number): Swatch {
  if (!Number.isFinite(value) || !(max > 0) || value <= 0) return swatch(WHITE);
  const t = Math.sqrt(Math.min(1, value / max));
  return swatch(mix(WHITE, POSITIVE_RGB, t));
}

/**
 * Below this share of the strongest word's score, or below NEGLIGIBLE_SCORE, a word is not
 * evidence worth colouring: the customer's view mutes it instead of tinting it ±0.01.
 */
export const NEGLIGIBLE_SHARE = 0.2;
export const NEGLIGIBLE_SCORE = 0.01;

/** How strongly a word led to the answer, for the one-hue customer scale: null when negligible or against. */
export function evidenceStrength(score: number, strongest: number): number | null {
  if (!Number.isFinite(score) || !(strongest > NEGLIGIBLE_SCORE) || score < NEGLIGIBLE_SCORE || score < strongest * NEGLIGIBLE_SHARE) return null;
  return Math.min(1, score / strongest);
}

/** The customer's colour for a word that led to the answer: light blue for weaker evidence, dark for the strongest. */
export function evidenceColor(strength: number): Swatch {
  // Never lighter than a quarter of the way to blue: a highlighted word must look highlighted.
  return swatch(mix(WHITE, POSITIVE_RGB, 0.25 + 0.75 * Math.min(1, Math.max(0, strength))));
}

/**
 * How strongly a word favours one side of a contrast, signed (positive: the answer, negative:
 * the other intent), for the two-hue scale; null when negligible beside the strongest word
 * either way (`scale`, the largest absolute value).
 */
export function contrastStrength(score: number, scale: number): number | null {
  if (!Number.isFinite(score) || !(scale > NEGLIGIBLE_SCORE) || Math.abs(score) < NEGLIGIBLE_SCORE || Math.abs(score) < scale * NEGLIGIBLE_SHARE) return null;
  return Math.max(-1, Math.min(1, score / scale));
}

/** The colour of a word that favours a side of a contrast: blue for the answer, orange for the other intent, never lighter than a quarter of the way. */
export function contrastColor(strength: number): Swatch {
  const t = 0.25 + 0.75 * Math.min(1, Math.abs(strength));
  return swatch(mix(WHITE, strength >= 0 ? POSITIVE_RGB : NEGATIVE_RGB, t));
}

/** The strongest positive score, or 0. */
export function strongest(values: readonly number[]): number {
  return values.reduce((max, value) => (Number.isFinite(value) && value > max ? value : max), 0);
}

/** Largest absolute value, or 0 for an empty list. */
export function maxAbs(values: readonly number[]): number {
  return values.reduce((max, value) => (Number.isFinite(value) ? Math.max(max, Math.abs(value)) : max), 0);
}

/** A diverging bar's geometry in percent of the full width, with zero in the middle. */
export function divergingBar(score: number, scale: number): { side: 'positive' | 'negative' | 'none'; percent: number } {
  if (!Number.isFinite(score) || !(scale > 0) || score === 0) return { side: 'none', percent: 0 };
  const percent = Math.min(50, (Math.abs(score) / scale) * 50);
  return { side: score > 0 ? 'positive' : 'negative', percent: Math.round(percent * 100) / 100 };
}

// ---------------------------------------------------------------------------------------------
// Reading explanations

/** "Layer 2", or "Model 3, layer 2" for an ensemble whose models' layers are stacked. */
export function layerName(extra: Pick<AttentionDrawing, 'layers' | 'members'>, layer: number, short = false): string {
  const members = extra.members ?? 1;
  const perMember = Math.max(1, Math.round(extra.layers / members));
  if (members <= 1) return short ? `L${layer + 1}` : `Layer ${layer + 1}`;
  const model = Math.floor(layer / perMember) + 1;
  const within = (layer % perMember) + 1;
  return short ? `M${model} L${within}` : `Model ${model}, layer ${within}`;
}

// ---------------------------------------------------------------------------------------------
// The message as word units and what lies between them

/** One piece of the message as the panel draws it: word unit `word` (an index into the words), or the characters between units. */
export type MessageRun = { word: number } | { gap: string };

/** Whether `words` are units of `text`: in order, each its text at its offsets. */
export function wordsFitText(words: readonly WordSpan[], text: string): boolean {
  let end = 0;
  for (const word of words) {
    if (word.start < end || word.end < word.start || word.end > text.length || text.slice(word.start, word.end) !== word.text) return false;
    end = word.end;
  }
  return true;
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * The message drawn from its word units: with `text` (the message they are units of), the
 * characters between them as typed, punctuation included, so unspaced text reads as one run
 * of units ("我的卡丢了，怎么办？"). Without it, or when the words are not units of it (a record
 * from another version), the units alone: side by side where they touch, a space where
 * something lay between them. What follows the last unit is drawn only when it holds no letter
 * or digit: after words cut for length, the rest of the message is not words to draw.
 */
export function messageRuns(words: readonly WordSpan[], text?: string): MessageRun[] {
  const fits = text !== undefined && wordsFitText(words, text);
  const runs: MessageRun[] = [];
  let end = 0;
  words.forEach((word, index) => {
    if (fits) {
      const gap = text.slice(end, word.start);
      if (gap) runs.push({ gap });
    } else if (index > 0 && word.start !== end) {
      runs.push({ gap: ' ' });
    }
    runs.push({ word: index });
    end = word.end;
  });
  const rest = fits ? text.slice(end) : '';
  if (rest && !LETTER_OR_DIGIT.test(rest)) runs.push({ gap: rest });
  return runs;
}

/** Whether run `index` touches another unit on either side (unspaced text): such units are drawn with less padding, so the text reads as text. */
export function touchesUnit(runs: readonly MessageRun[], index: number): boolean {
  return (index > 0 && 'word' in runs[index - 1]!) || (index + 1 < runs.length && 'word' in runs[index + 1]!);
}

// ---------------------------------------------------------------------------------------------
// Summary sentences

export interface ScoredWord {
  index: number;
  word: string;
  score: number;
}

/** The `n` words with the highest scores, highest first; only positive scores when `positiveOnly`. */
export function topWords(explanation: ExplanationOf | undefined, n: number, positiveOnly = true): ScoredWord[] {
  if (!explanation?.scores) return [];
  const scores = explanation.scores;
  return explanation.words
    .map((word, index) => ({ index, word: word.text, score: scores[index] ?? 0 }))
    .filter((w) => Number.isFinite(w.score) && (!positiveOnly || w.score > 0))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, n);
}

/** The counterfactual sentence in parts, so the UI can emphasise the other answer; null when none was found. */
export function counterfactualParts(extra: CounterfactualView, labelOf: (intent: string) => string): { before: string; answer: string; after: string } | null {
  if (!extra.found || !extra.newLabel || extra.removedWords.length === 0) return null;
  return { before: `Without ${quoteList(extra.removedWords)}, I would have answered `, answer: labelOf(extra.newLabel), after: '.' };
}

export const NO_COUNTERFACTUAL = 'Removing words did not change my answer.';

/**
 * “Without the word “card”, I would have answered …” in parts, so the UI can emphasise the other
 * answer; “I would already answer …” when the model chooses the other intent on the message as
 * it is (a stored message run again); null when no change was found.
 */
export function contrastChangeParts(contrast: ContrastView, labelOf: (intent: string) => string): { before: string; answer: string; after: string } | null {
  const change = contrast.change;
  if (!change) return null;
  if (change.removedWords.length === 0) return { before: 'On this message as it is, I would already answer ', answer: labelOf(change.newTop), after: '.' };
  const noun = change.removedWords.length === 1 ? 'the word' : 'the words';
  return { before: `Without ${noun} ${quoteList(change.removedWords)}, I would have answered `, answer: labelOf(change.newTop), after: '.' };
}

/** When no small change makes the model choose the other intent. */
export const noContrastChange = (other: string): string => `No small change found: removing a few words would not make me answer ${other}.`;

// ---------------------------------------------------------------------------------------------
// Attention views

export type HeadChoice = number | 'mean';

/** Attention from [CLS] to each word for one layer: one head, or the mean of the heads. */
export function wordAttention(extra: AttentionDrawing, layer: number, head: HeadChoice): number[] {
  const heads = extra.wordCls[layer] ?? [];
  if (head !== 'mean') return heads[head] ?? [];
  return meanRows(heads);
}

/** Token × token attention for one layer: one head, or the mean of the heads. */
export function headMatrix(extra: AttentionDrawing, layer: number, head: HeadChoice): number[][] {
  const heads = extra.matrices[layer] ?? [];
  if (head !== 'mean') return heads[head] ?? [];
  if (heads.length === 0) return [];
  return heads[0].map((row, q) => row.map((_, k) => heads.reduce((sum, h) => sum + (h[q]?.[k] ?? 0), 0) / heads.length));
}

function meanRows(rows: readonly number[][]): number[] {
  if (rows.length === 0) return [];
  return rows[0].map((_, i) => rows.reduce((sum, row) => sum + (row[i] ?? 0), 0) / rows.length);
}

/** The share of one attention row that lands on the words' tokens (the rest goes to [CLS], [SEP] and padding). */
export function wordShare(row: readonly number[], tokenWords: readonly (number | null)[]): number {
  return tokenWords.reduce<number>((sum, word, token) => (word === null ? sum : sum + (row[token] ?? 0)), 0);
}

// ---------------------------------------------------------------------------------------------
// Faithfulness

export interface FaithfulnessRow {
  method: string;
  faithfulness: Faithfulness;
  /** Mean comprehensiveness − mean sufficiency: higher = more faithful. */
  score: number;
}

/**
 * The explanations with a faithfulness evaluation (the word-scoring ones), most faithful first:
 * by mean comprehensiveness minus mean sufficiency (higher first), ties (within 1e-9) broken by
 * the lower deletion AUC, then by the order the word view offers the methods in (the ones a
 * customer may see first).
 */
export function rankFaithfulness(explanations: readonly ExplanationOf[]): FaithfulnessRow[] {
  const rows: FaithfulnessRow[] = [];
  for (const { method, faithfulness: f } of explanations) {
    if (!f || !Number.isFinite(f.meanComprehensiveness) || !Number.isFinite(f.meanSufficiency)) continue;
    rows.push({ method, faithfulness: f, score: f.meanComprehensiveness - f.meanSufficiency });
  }
  const order: readonly string[] = wordViewOrderOf(EXPLAINERS).map((descriptor) => descriptor.method);
  const rank = (method: string) => (order.includes(method) ? order.indexOf(method) : order.length);
  return rows.sort((a, b) => {
    if (Math.abs(a.score - b.score) > 1e-9) return b.score - a.score;
    const auc = a.faithfulness.deletionAuc - b.faithfulness.deletionAuc;
    if (Number.isFinite(auc) && auc !== 0) return auc;
    return rank(a.method) - rank(b.method);
  });
}

/** The methods that tie with the first-ranked one on both the score and the deletion AUC (within 1e-9). */
export function tiedWithBest(rows: readonly FaithfulnessRow[]): string[] {
  const [best, ...rest] = rows;
  if (!best) return [];
  return rest
    .filter((row) => Math.abs(row.score - best.score) <= 1e-9 && Math.abs(row.faithfulness.deletionAuc - best.faithfulness.deletionAuc) <= 1e-9)
    .map((row) => row.method);
}

/** The k levels of a faithfulness evaluation, in their stored order ("1", "2", "3", "20%"). */
export function faithfulnessLevels(rows: readonly FaithfulnessRow[]): string[] {
  const levels: string[] = [];
  for (const row of rows) for (const { k } of row.faithfulness.comprehensiveness) if (!levels.includes(k)) levels.push(k);
  return levels;
}

/** "k = 1" for counts, "20 %" for a share. */
export function formatK(k: string): string {
  const trimmed = k.trim();
  if (/^\d+$/.test(trimmed)) return `k${NBSP}=${NBSP}${trimmed}`;
  const share = /^(\d+(?:\.\d+)?)\s*%$/.exec(trimmed);
  return share ? `${share[1]}${NBSP}%` : trimmed;
}

/** Progress in percent, clamped, 0 when the total is unknown. */
export function progressPercent(progress: { done: number; total: number } | undefined): number {
  if (!progress || !(progress.total > 0)) return 0;
  return Math.round(Math.min(1, Math.max(0, progress.done / progress.total)) * 100);
}
