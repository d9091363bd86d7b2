// The robustness perturbations of the invariance suite (CheckList's INV tests): changes a
// customer makes without meaning anything else. Each takes a message and a seeded stream and
// gives one variant, or null when it does not apply (no word long enough for a typo, no letter
// with case, no phrase to contract or expand) or when the language has no list for it.
// Linear in the message's length: the lists are ours and short, the texts are bounded.
import type { Rng } from '@/lib/explain/rng';
import { wordSpans } from '@/lib/model/spans';
import type { WordLists } from './lists';
import { pick } from './sampling';

export const ROBUSTNESS_TYPES = ['typo', 'case', 'punctuation', 'filler', 'politeness', 'contraction'] as const;
export type RobustnessType = (typeof ROBUSTNESS_TYPES)[number];

/** Robustness types whose variant keeps every word of the message (the explanation-robustness suite compares scores on them). */
export const WORD_KEEPING_TYPES: readonly RobustnessType[] = ['filler', 'politeness', 'punctuation'];

/** The list each robustness type needs, or null for a type that needs none (letter case). */
export const LIST_OF_TYPE: Record<RobustnessType, keyof WordLists | null> = {
  typo: 'keyboard',
  case: null,
  punctuation: 'punctuation',
  filler: 'fillers',
  politeness: 'politeness',
  contraction: 'contractions',
};

export interface PerturbContext {
  lists: WordLists | null;
  /** The bot's language: where words begin and end. */
  locale: string;
  rng: Rng;
}

/** Each key of the rows' keyboard with the keys that touch it: beside it, and the two touching keys of the rows above and below. */
export function keyboardNeighbours(rows: readonly string[]): Map<string, string[]> {
  const neighbours = new Map<string, string[]>();
  const keys = rows.map((row) => Array.from(row));
  keys.forEach((row, r) => {
    row.forEach((key, i) => {
      const near = [row[i - 1], row[i + 1], keys[r - 1]?.[i], keys[r - 1]?.[i + 1], keys[r + 1]?.[i - 1], keys[r + 1]?.[i]];
      neighbours.set(key, near.filter((k): k is string => k !== undefined));
    });
  });
  return neighbours;
}

const LETTER = /\p{L}/u;
const keyboardCache = new WeakMap<readonly string[], Map<string, string[]>>();

/** One letter of a word of at least three letters replaced by a neighbouring key, in the letter's case. */
export function typo(text: string, { lists, locale, rng }: PerturbContext): string | null {
  if (!lists?.keyboard) return null;
  let neighbours = keyboardCache.get(lists.keyboard);
  if (!neighbours) keyboardCache.set(lists.keyboard, (neighbours = keyboardNeighbours(lists.keyboard)));
  const positions = (word: { start: number; end: number }) => {
    const at: number[] = [];
    for (let i = word.start; i < word.end; i++) if (neighbours.has(text[i]!.toLowerCase())) at.push(i);
    return at;
  };
  const words = wordSpans(text, locale).filter((word) => Array.from(word.text).filter((ch) => LETTER.test(ch)).length >= 3 && positions(word).length > 0);
  if (words.length === 0) return null;
  const at = pick(rng, positions(pick(rng, words)));
  const original = text[at]!;
  const replacement = pick(rng, neighbours.get(original.toLowerCase())!);
  return text.slice(0, at) + (original === original.toLowerCase() ? replacement : replacement.toUpperCase()) + text.slice(at + 1);
}

/** The message in lower case, in upper case, and as a sentence (first letter upper, the rest lower): those that differ from it. */
export function caseVariants(text: string): string[] {
  const lower = text.toLowerCase();
  const first = lower.search(LETTER);
  const sentence = first < 0 ? lower : lower.slice(0, first) + lower[first]!.toUpperCase() + lower.slice(first + 1);
  return [...new Set([lower, text.toUpperCase(), sentence])].filter((variant) => variant !== text);
}

export function letterCase(text: string, { rng }: PerturbContext): string | null {
  const variants = caseVariants(text);
  return variants.length ? pick(rng, variants) : null;
}

/**
 * Punctuation that is not inside a word: where words are spaced, an apostrophe or hyphen between
 * letters stays ("can't"); in an unspaced script every mark is between letters, and none is part of one.
 */
const LOOSE_PUNCTUATION = /(?<![\p{L}\p{N}])\p{P}+|\p{P}+(?![\p{L}\p{N}])/gu;
const ANY_PUNCTUATION = /\p{P}+/gu;

/** The message without its punctuation; a message that has none gets a mark of the language's at its end. */
export function punctuation(text: string, { lists, rng }: PerturbContext): string | null {
  if (!lists?.punctuation) return null;
  const stripped = text.replace(lists.wordSeparator === ' ' ? LOOSE_PUNCTUATION : ANY_PUNCTUATION, '').replace(/[^\S\n]{2,}/g, ' ').trim();
  if (stripped !== text.trim() && stripped !== '') return stripped;
  return `${text.trimEnd()}${pick(rng, lists.punctuation)}`;
}

/** A filler word before one of the message's words. */
export function filler(text: string, { lists, locale, rng }: PerturbContext): string | null {
  if (!lists?.fillers) return null;
  const words = wordSpans(text, locale);
  if (words.length === 0) return null;
  const at = pick(rng, words).start;
  return `${text.slice(0, at)}${pick(rng, lists.fillers)}${lists.wordSeparator}${text.slice(at)}`;
}

/** A greeting before the message, or thanks after it. */
export function politeness(text: string, { lists, rng }: PerturbContext): string | null {
  if (!lists?.politeness) return null;
  const { prefixes, suffixes } = lists.politeness;
  const separator = lists.wordSeparator;
  return rng.next() < 0.5 ? `${pick(rng, prefixes)}${separator}${text.trimStart()}` : `${text.trimEnd()}${separator}${pick(rng, suffixes)}`;
}

/**
 * A pattern matching any of `phrases` as written (case aside, either apostrophe), as whole words
 * where the language spaces its words. Longest first, so "I would like" wins over "I would".
 */
export function phrasePattern(phrases: readonly string[], spaced: boolean): RegExp {
  const escaped = [...phrases]
    .sort((a, b) => b.length - a.length)
    .map((phrase) => phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/['’]/g, "['’]").replace(/ /g, '\\s+'));
  const body = `(?:${escaped.join('|')})`;
  return new RegExp(spaced ? `(?<![\\p{L}\\p{N}'’])${body}(?![\\p{L}\\p{N}'’])` : body, 'giu');
}

/** `replacement` in the case of `matched`: all upper case, or a capital first letter, or as written. */
export function inCaseOf(matched: string, replacement: string): string {
  if (matched.length > 1 && matched === matched.toUpperCase() && matched !== matched.toLowerCase()) return replacement.toUpperCase();
  const first = matched[0]!;
  if (first !== first.toLowerCase() && replacement[0] === replacement[0]!.toLowerCase()) return replacement[0]!.toUpperCase() + replacement.slice(1);
  return replacement;
}

/** A phrase as the lists are looked up by: lower case, straight apostrophes, single spaces. */
export const normalisePhrase = (phrase: string) => phrase.toLowerCase().replace(/’/g, "'").replace(/\s+/g, ' ');

/**
 * Every full form the list knows contracted ("do not" → "don't"); where the message has none,
 * every contraction expanded ("can't" → "cannot"); null when it has neither.
 */
export function contraction(text: string, { lists }: PerturbContext): string | null {
  if (!lists?.contractions) return null;
  const spaced = lists.wordSeparator === ' ';
  for (const [from, to] of [
    [0, 1],
    [1, 0],
  ] as const) {
    const table = new Map(lists.contractions.map((pair) => [normalisePhrase(pair[from]), pair[to]]));
    const pattern = phrasePattern(lists.contractions.map((pair) => pair[from]), spaced);
    let changed = false;
    const out = text.replace(pattern, (matched) => {
      const replacement = table.get(normalisePhrase(matched));
      if (replacement === undefined) return matched;
      changed = true;
      return inCaseOf(matched, replacement);
    });
    if (changed) return out;
  }
  return null;
}

export const PERTURBATIONS: Record<RobustnessType, (text: string, context: PerturbContext) => string | null> = {
  typo,
  case: letterCase,
  punctuation,
  filler,
  politeness,
  contraction,
};

/** The variant of `type` of `text`, or null; never the message itself. */
export function perturb(type: RobustnessType, text: string, context: PerturbContext): string | null {
  const variant = PERTURBATIONS[type](text, context);
  return variant === null || variant === text ? null : variant;
}
